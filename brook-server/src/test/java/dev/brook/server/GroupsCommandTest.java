package dev.brook.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brook.testkit.BrookExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** consume --group, groups list/describe/reset against a real broker on loopback. */
class GroupsCommandTest {

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension();

    @Test
    void consumingAsAGroupCommitsSoTheNextRunStartsAfter() {
        String b = brook.bootstrapServers();
        CliHarness.run(null, "topics", "create", "cli-group", "--partitions", "2", "-b", b);
        CliHarness.run("1\n2\n3\n4\n", "produce", "cli-group", "-b", b);
        CliHarness.Result first = CliHarness.run(null, "consume", "cli-group", "--group", "cli-g", "--from-beginning",
                "--max-messages", "4", "-b", b);
        assertThat(first.out().lines()).containsExactlyInAnyOrder("1", "2", "3", "4");
        CliHarness.run("5\n", "produce", "cli-group", "-b", b);
        CliHarness.Result second = CliHarness.run(null, "consume", "cli-group", "--group", "cli-g", "--from-beginning",
                "--timeout-ms", "3000", "-b", b);
        assertThat(second.out().lines()).containsExactly("5");
    }

    @Test
    void groupsAreListedDescribedWithLagAndResetToEarliestLatestOrATime() {
        String b = brook.bootstrapServers();
        CliHarness.run(null, "topics", "create", "cli-lag", "--partitions", "1", "-b", b);
        CliHarness.run("a\nb\nc\n", "produce", "cli-lag", "-b", b);
        CliHarness.run(null, "consume", "cli-lag", "--group", "lagging", "--from-beginning", "--max-messages", "3", "-b", b);
        long between = System.currentTimeMillis();
        CliHarness.run("d\ne\n", "produce", "cli-lag", "-b", b);

        CliHarness.Result list = CliHarness.run(null, "groups", "list", "-b", b);
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out()).containsPattern("lagging\\s+Classic\\s+Empty");

        CliHarness.Result describe = CliHarness.run(null, "groups", "describe", "lagging", "-b", b);
        assertThat(describe.exitCode()).as(describe.err()).isZero();
        assertThat(describe.out()).containsPattern("cli-lag\\s+0\\s+3\\s+5\\s+2\\s");

        CliHarness.Result earliest = CliHarness.run(null, "groups", "reset", "lagging", "--topic", "cli-lag", "--to", "earliest", "-b", b);
        assertThat(earliest.exitCode()).as(earliest.err()).isZero();
        assertThat(earliest.out()).contains("cli-lag 0 -> 0");
        assertThat(CliHarness.run(null, "groups", "describe", "lagging", "-b", b).out()).containsPattern("cli-lag\\s+0\\s+0\\s+5\\s+5\\s");

        CliHarness.Result latest = CliHarness.run(null, "groups", "reset", "lagging", "--topic", "cli-lag", "--to", "latest", "-b", b);
        assertThat(latest.out()).contains("cli-lag 0 -> 5");

        CliHarness.Result byTime = CliHarness.run(null, "groups", "reset", "lagging", "--topic", "cli-lag", "--to",
                java.time.Instant.ofEpochMilli(between).toString(), "-b", b);
        assertThat(byTime.exitCode()).as(byTime.err()).isZero();
        assertThat(byTime.out()).contains("cli-lag 0 -> 3");

        CliHarness.Result bad = CliHarness.run(null, "groups", "reset", "lagging", "--topic", "cli-lag", "--to", "yesterday", "-b", b);
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--to must be");
    }

    @Test
    void aShareGroupIsListedAndDescribedWithItsStartOffsetAndLag() throws Exception {
        String b = brook.bootstrapServers();
        CliHarness.run(null, "topics", "create", "cli-share", "--partitions", "1", "-b", b);
        CliHarness.run("a\nb\nc\nd\ne\n", "produce", "cli-share", "-b", b);
        try (org.apache.kafka.clients.admin.Admin admin = org.apache.kafka.clients.admin.Admin.create(java.util.Map.of("bootstrap.servers", b))) {
            admin.incrementalAlterConfigs(java.util.Map.of(new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.GROUP, "cli-workers"), java.util.List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
                    new org.apache.kafka.clients.admin.ConfigEntry("share.auto.offset.reset", "earliest"),
                    org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all().get();
        }
        java.util.Map<String, Object> config = java.util.Map.of("bootstrap.servers", b, "group.id", "cli-workers",
                "share.acknowledgement.mode", "explicit", "max.poll.records", 2);
        try (var c = new org.apache.kafka.clients.consumer.KafkaShareConsumer<String, String>(config,
                new org.apache.kafka.common.serialization.StringDeserializer(), new org.apache.kafka.common.serialization.StringDeserializer())) {
            c.subscribe(java.util.List.of("cli-share"));
            java.util.List<org.apache.kafka.clients.consumer.ConsumerRecord<String, String>> got = new java.util.ArrayList<>();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (got.isEmpty() && System.nanoTime() < deadline) {
                c.poll(java.time.Duration.ofMillis(200)).forEach(got::add);
            }
            assertThat(got).extracting(org.apache.kafka.clients.consumer.ConsumerRecord::value).startsWith("a", "b");
            // the first two are done, the rest go back: the start offset is 2 and 3 are left
            got.forEach(r -> c.acknowledge(r, r.offset() < 2 ? org.apache.kafka.clients.consumer.AcknowledgeType.ACCEPT
                    : org.apache.kafka.clients.consumer.AcknowledgeType.RELEASE));
            c.commitSync();

            CliHarness.Result describe = CliHarness.run(null, "groups", "describe", "cli-workers", "-b", b);
            assertThat(describe.exitCode()).as(describe.err()).isZero();
            assertThat(describe.out()).contains("Group cli-workers (share), state Stable, 1 members").containsPattern("cli-share\\s+0\\s+2\\s+5\\s+3");
        }
        CliHarness.Result list = CliHarness.run(null, "groups", "list", "-b", b);
        assertThat(list.out()).containsPattern("cli-workers\\s+Share\\s+Empty");
    }
}
