package dev.brook.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A short run of the side-by-side harness: both brokers start, serve every workload, and every metric gets a
 * value for both. The real comparison is {@code bin/brook-bench compare}; this only keeps the harness working.
 * Needs Apache Kafka in {@code brook-bench/kafka-server/target/lib} ({@code .ci/run} fetches it; in CI its absence
 * fails the test) and the {@code brook.jar} the build has just packaged.
 */
@Timeout(300)
class CompareSmokeTest {

    @Test
    void bothBrokersServeEveryWorkloadAndTheReportHasARatioForEachMetric() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        boolean ready = Files.isDirectory(root.resolve("brook-bench/kafka-server/target/lib"))
                && Files.isRegularFile(root.resolve("brook-server/target/brook.jar"));
        SmokePrerequisites.require(ready, "Kafka's jars or brook.jar are missing; .ci/run fetches Kafka before ./mvnw verify",
                "run bin/brook-bench once (it fetches Kafka) to enable this test");
        Compare c = new Compare(root, 1, 2_000, 1, new int[] {500});
        c.run();
        assertThat(c.results).hasSizeGreaterThanOrEqualTo(13);
        for (Map.Entry<Compare.Metric, Map<BrokerProcess.Kind, List<Double>>> e : c.results.entrySet()) {
            assertThat(e.getValue()).as(e.getKey().name()).containsKeys(BrokerProcess.Kind.BROOK, BrokerProcess.Kind.KAFKA);
            boolean cpu = e.getKey().name().contains("CPU"); // a tiny workload may cost less than one 10 ms tick
            e.getValue().values().forEach(v -> assertThat(v).as(e.getKey().name()).hasSize(1)
                    .allMatch(x -> Double.isFinite(x) && (cpu ? x >= 0 : x > 0)));
        }
        assertThat(Report.table(c)).contains("| produce 1 KiB, 8 partitions, acks=all (records/s) |");
        assertThat(Report.svg(c)).startsWith("<svg").contains("polyline");
    }
}
