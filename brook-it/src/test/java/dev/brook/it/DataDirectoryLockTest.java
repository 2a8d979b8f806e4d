package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second {@code brook server} on a live broker's data directory exits at once with one line naming the directory
 * and the process holding it, and touches nothing: the live broker's files are unchanged and it goes on serving.
 * Before the lock, the second broker ran recovery on the live one's segments and once made 1.49 million
 * acknowledged records unreadable.
 */
@Timeout(180)
class DataDirectoryLockTest {

    @TempDir
    Path dataDir;

    @Test
    void aSecondBrokerOnALiveBrokersDirectoryExitsAtOnceWithoutTouchingIt() throws Exception {
        int port = BrookProcess.freePort();
        String bootstrap = "127.0.0.1:" + port;
        String topic = AdminClientTest.uniqueTopic();
        try (BrookProcess live = BrookProcess.start(port, dataDir, Duration.ofSeconds(60));
             KafkaProducer<String, String> producer = Clients.producer(bootstrap, Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            for (int i = 0; i < 100; i++) {
                producer.send(new ProducerRecord<>(topic, "k", "before-" + i)).get(10, TimeUnit.SECONDS);
            }
            Map<Path, String> filesBefore = snapshot(dataDir);

            ExternalCommand.Result second = ExternalCommand.run(BrookProcess.command(BrookProcess.freePort(), dataDir), null,
                    Duration.ofSeconds(60));

            assertThat(second.timedOut()).as(second.describe()).isFalse();
            assertThat(second.exitCode()).as(second.describe()).isEqualTo(1);
            List<String> lines = Stream.concat(second.stdout().lines(), second.stderr().lines())
                    .filter(l -> !l.isBlank()).collect(Collectors.toList());
            assertThat(lines).as(second.describe()).hasSize(1);
            assertThat(lines.get(0)).contains(dataDir.toAbsolutePath().toString(), "in use by process " + live.pid());
            assertThat(snapshot(dataDir)).as("the live broker's files, after the second broker tried").isEqualTo(filesBefore);

            for (int i = 0; i < 100; i++) {
                producer.send(new ProducerRecord<>(topic, "k", "after-" + i)).get(10, TimeUnit.SECONDS);
            }
            try (KafkaConsumer<String, String> consumer = Clients.consumer(bootstrap)) {
                List<String> values = Clients.readFromBeginningToEnd(consumer, ProduceConsumeTest.partitions(topic, 1),
                        Duration.ofSeconds(30)).stream().map(ConsumerRecord::value).collect(Collectors.toList());
                assertThat(values).containsExactlyElementsOf(Stream.concat(
                        IntStream.range(0, 100).mapToObj(i -> "before-" + i), IntStream.range(0, 100).mapToObj(i -> "after-" + i))
                        .collect(Collectors.toList()));
            }
        }
    }

    /**
     * Every file under {@code dir} with its size and modification time, but the recovery-point checkpoint, which the
     * live broker itself rewrites every minute.
     */
    private static Map<Path, String> snapshot(Path dir) throws IOException {
        Map<Path, String> files = new TreeMap<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                if (Files.isRegularFile(p) && !p.getFileName().toString().startsWith("recovery-point-offset-checkpoint")) {
                    files.put(dir.relativize(p), Files.size(p) + " bytes, modified " + Files.getLastModifiedTime(p));
                }
            }
        }
        return files;
    }
}
