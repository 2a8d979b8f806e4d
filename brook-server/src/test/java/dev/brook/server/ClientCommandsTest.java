package dev.brook.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brook.testkit.BrookExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** topics, produce and consume against a real broker on loopback. */
class ClientCommandsTest {

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension();

    @Test
    void topicsAreCreatedListedDescribedAndDeleted() {
        String b = brook.bootstrapServers();
        CliHarness.Result created = CliHarness.run(null, "topics", "create", "cli-orders", "--partitions", "3",
                "--config", "retention.ms=60000", "-b", b);
        assertThat(created.exitCode()).as(created.err()).isZero();
        assertThat(CliHarness.run(null, "topics", "list", "-b", b).out().lines()).contains("cli-orders");
        CliHarness.Result described = CliHarness.run(null, "topics", "describe", "cli-orders", "-b", b);
        assertThat(described.out()).contains("PartitionCount: 3").contains("retention.ms=60000").contains("Partition: 2");

        CliHarness.Result again = CliHarness.run(null, "topics", "create", "cli-orders", "-b", b);
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).contains("already exists");

        assertThat(CliHarness.run(null, "topics", "delete", "cli-orders", "-b", b).exitCode()).isZero();
        assertThat(CliHarness.run(null, "topics", "list", "-b", b).out().lines()).doesNotContain("cli-orders");
    }

    @Test
    void linesProducedFromStdinAreConsumedBackWithTheirKeys() {
        String b = brook.bootstrapServers();
        CliHarness.run(null, "topics", "create", "cli-lines", "--partitions", "1", "-b", b);
        CliHarness.Result produced = CliHarness.run("a:first\nb:second\nc:third\n", "produce", "cli-lines", "-K", ":", "-b", b);
        assertThat(produced.exitCode()).as(produced.err()).isZero();
        assertThat(produced.err()).contains("Produced 3 records");

        CliHarness.Result consumed = CliHarness.run(null, "consume", "cli-lines", "--from-beginning", "--max-messages", "3",
                "--print-key", "-b", b);
        assertThat(consumed.exitCode()).as(consumed.err()).isZero();
        assertThat(consumed.out().lines()).containsExactly("a\tfirst", "b\tsecond", "c\tthird");
    }

    @Test
    void anUnreachableBrokerIsAOneLineErrorNotAHang() {
        CliHarness.Result r = CliHarness.run(null, "topics", "list", "-b", "127.0.0.1:1",
                "--command-config", "/dev/null");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err().strip().lines()).hasSize(1);
    }
}
