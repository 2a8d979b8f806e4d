package dev.brook.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A short run of the messaging harness: NATS and Brook start, every scenario delivers every message to every
 * subscriber of every system, and the table has a ratio for each Brook row. The real comparison is
 * {@code bin/brook-bench messaging}; this keeps the harness working. Needs Debian's {@code nats-server}
 * ({@code .ci/run} installs it; in CI its absence fails the test) and the {@code brook.jar} the build has just packaged.
 */
@Timeout(300)
class MessagingCompareSmokeTest {

    @Test
    void everySystemDeliversEveryScenarioAndTheTableHasTheRatios() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        boolean nats = List.of("/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server").stream()
                .anyMatch(p -> Files.isExecutable(Path.of(p)));
        boolean ready = nats && Files.isRegularFile(root.resolve("brook-server/target/brook.jar"));
        SmokePrerequisites.require(ready, "nats-server or brook.jar is missing; .ci/run installs nats-server before ./mvnw verify",
                "apt-get install nats-server to enable this test");
        int seconds = 1;
        int rate = 200;
        MessagingCompare c = new MessagingCompare(root, 1, seconds, new int[] {rate}, new int[] {1, 3}, 50, 20, 50);
        c.run();
        assertThat(c.results).hasSize(4);
        for (Map.Entry<String, Map<String, List<Histogram>>> scenario : c.results.entrySet()) {
            int subscribers = scenario.getKey().contains("× 3") ? 3 : scenario.getKey().contains("20 SSE") ? 20 : 1;
            int perSecond = scenario.getKey().startsWith("request-reply") ? 50 : scenario.getKey().contains("SSE") ? 50 : rate;
            assertThat(scenario.getValue()).as(scenario.getKey()).hasSize(scenario.getKey().contains("SSE") ? 1 : 3);
            for (Map.Entry<String, List<Histogram>> system : scenario.getValue().entrySet()) {
                Histogram h = system.getValue().get(0);
                assertThat(h.getTotalCount()).as("%s, %s: every message after the warm-up second, to every subscriber",
                        scenario.getKey(), system.getKey()).isEqualTo((long) perSecond * seconds * subscribers);
                assertThat(h.getValueAtPercentile(50)).isPositive();
            }
        }
        assertThat(c.table()).contains("| fan-out 200/s × 3 subscribers | Brook memory topic, Kafka protocol |")
                .containsPattern("\\| Brook memory topic, WebSocket \\| [0-9,]+ \\| [0-9,]+ \\| [0-9,]+ \\| [0-9.]+ \\|");
    }
}
