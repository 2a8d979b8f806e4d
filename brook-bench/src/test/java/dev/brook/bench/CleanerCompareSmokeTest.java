package dev.brook.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A small run of the cleaner side by side: both brokers clean the same compacted topic, their checkpoints are found, the
 * log shrinks on both, and every figure of the report has a value. The real comparison is
 * {@code bin/brook-bench compaction}. Needs Kafka's jars and brook.jar, like {@link CompareSmokeTest}.
 */
@Timeout(300)
class CleanerCompareSmokeTest {
    @Test
    void bothCleanersShrinkTheSameLogAndTheReportHasARatioForEachFigure() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        boolean ready = Files.isDirectory(root.resolve("brook-bench/kafka-server/target/lib"))
                && Files.isRegularFile(root.resolve("brook-server/target/brook.jar"));
        SmokePrerequisites.require(ready, "Kafka's jars or brook.jar are missing; .ci/run fetches Kafka before ./mvnw verify",
                "run bin/brook-bench once (it fetches Kafka) to enable this test");
        CleanerCompare c = new CleanerCompare(root, 2_000, 10, 200, 1 << 20, 1);
        c.run();
        for (BrokerProcess.Kind kind : BrokerProcess.Kind.values()) {
            CleanerCompare.Run run = c.runs.get(kind).get(0);
            assertThat(run.cleanableBytes()).as(kind.name()).isGreaterThan(2_000_000);
            assertThat(run.bytesAfter()).as("%s cleaned the log", kind).isLessThan(run.bytesBefore() / 2);
            assertThat(run.seconds()).as(kind.name()).isPositive();
            assertThat(run.peakRssMiB()).as(kind.name()).isPositive();
        }
        assertThat(c.table()).hasSize(10).allMatch(l -> !l.contains("NaN") && !l.contains("Infinity"));
    }
}
