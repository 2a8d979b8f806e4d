package dev.brook.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A small run of {@code bin/brook-bench transactions}: both brokers commit the transactions, the read_committed
 * consumer receives every one-record transaction, and every figure of the report has a value. Needs Kafka's jars and
 * brook.jar, like {@link CompareSmokeTest}.
 */
@Timeout(300)
class TransactionsCompareSmokeTest {
    @Test
    void bothBrokersCommitEveryTransactionAndTheReportHasARatioForEachFigure() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        boolean ready = Files.isDirectory(root.resolve("brook-bench/kafka-server/target/lib"))
                && Files.isRegularFile(root.resolve("brook-server/target/brook.jar"));
        SmokePrerequisites.require(ready, "Kafka's jars or brook.jar are missing; .ci/run fetches Kafka before ./mvnw verify",
                "run bin/brook-bench once (it fetches Kafka) to enable this test");
        TransactionsCompare c = new TransactionsCompare(root, 1, 10, 20, 50);
        c.run();
        for (BrokerProcess.Kind kind : BrokerProcess.Kind.values()) {
            TransactionsCompare.Run run = c.runs.get(kind).get(0);
            assertThat(run.recordsPerSecond1()).as(kind.name()).isPositive();
            assertThat(run.recordsPerSecond8()).as(kind.name()).isPositive();
            assertThat(run.latencyTxns()).as("%s: every transaction reached the read_committed consumer", kind).isEqualTo(50);
            assertThat(run.p99Ms()).as(kind.name()).isGreaterThanOrEqualTo(run.p50Ms()).isPositive();
        }
        assertThat(c.table()).hasSize(7).allMatch(l -> !l.contains("NaN") && !l.contains("Infinity"));
    }
}
