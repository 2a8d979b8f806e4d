package dev.brook.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A short run of the queue harness: RabbitMQ and Brook start, each drains the throughput run, delivers every message
 * of the latency run and delivers the released ones again, and the table has a ratio for each figure. The real
 * comparison is {@code bin/brook-bench queues}; this keeps the harness working. Needs Debian's {@code rabbitmq-server}
 * ({@code .ci/run} installs it; in CI its absence fails the test) and the {@code brook.jar} the build has just packaged.
 */
@Timeout(300)
class QueueCompareSmokeTest {

    @Test
    void bothSystemsDrainTheQueueAndRedeliverWhatIsReleased() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        boolean ready = Files.isExecutable(Path.of("/usr/lib/rabbitmq/bin/rabbitmq-server"))
                && Files.isRegularFile(root.resolve("brook-server/target/brook.jar"));
        SmokePrerequisites.require(ready, "rabbitmq-server or brook.jar is missing; .ci/run installs rabbitmq-server before ./mvnw verify",
                "apt-get install rabbitmq-server to enable this test");
        QueueCompare c = new QueueCompare(root, 1, 2_000, 200, 1, 10);
        c.run();
        for (String system : new String[] {QueueCompare.BROOK, QueueCompare.RABBIT}) {
            assertThat(c.median(system, "throughput")).as("%s throughput", system).isPositive();
            assertThat(c.median(system, "delivery count")).as("%s: every message of the latency run", system).isEqualTo(200);
            assertThat(c.median(system, "redelivery count")).as("%s: every released message came back", system).isEqualTo(10);
            assertThat(c.median(system, "delivery p50")).isPositive();
        }
        assertThat(c.table()).containsPattern("\\| acknowledged throughput \\(msg/s\\) \\| [0-9,]+ \\| [0-9,]+ \\| [0-9.]+ \\|");
    }
}
