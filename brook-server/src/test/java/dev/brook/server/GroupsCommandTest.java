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
}
