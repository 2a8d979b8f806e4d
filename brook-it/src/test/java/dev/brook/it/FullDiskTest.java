package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Brook on a disk that fills up, here a 24 MiB tmpfs (CI runs as root and may mount one; elsewhere the test is
 * skipped with a message): appends fail with KAFKA_STORAGE_ERROR, reads go on, the log says so a handful of times
 * instead of once per append, appends resume by themselves once space is freed, acknowledged records survive a
 * SIGKILL on the full disk, and Brook starts on the full disk so an operator can delete a topic to make room.
 */
@Timeout(300)
class FullDiskTest {
    private static final String VALUE = "x".repeat(1000);

    @TempDir
    Path scratch;
    private Path mount;
    private BrookProcess broker;

    @BeforeEach
    void mountSmallTmpfs() throws Exception {
        mount = scratch.resolve("disk");
        Files.createDirectories(mount);
        ExternalCommand.Result m = ExternalCommand.run(List.of("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", mount.toString()),
                null, Duration.ofSeconds(20));
        Assumptions.assumeTrue(m.exitCode() == 0, "cannot mount a tmpfs here (needs root); skipping: " + m.describe());
    }

    @AfterEach
    void unmount() throws Exception {
        if (broker != null) {
            broker.close();
        }
        if (mount != null) {
            ExternalCommand.run(List.of("umount", "-l", mount.toString()), null, Duration.ofSeconds(20));
        }
    }

    @Test
    void aFullDiskRefusesAppendsKeepsServingAndRecoversOnceSpaceIsFree() throws Exception {
        int port = BrookProcess.freePort();
        String bootstrap = "127.0.0.1:" + port;
        Path dataDir = mount.resolve("data");
        Path ballast = mount.resolve("ballast");
        Files.write(ballast, new byte[4 << 20]); // room an operator can free later
        broker = BrookProcess.start(port, dataDir, Duration.ofSeconds(60));
        try (Admin admin = Clients.admin(bootstrap)) {
            admin.createTopics(List.of(new NewTopic("fill", 1, (short) 1), new NewTopic("spare", 1, (short) 1)))
                    .all().get(30, TimeUnit.SECONDS);
        }
        Map<Long, String> acked = new TreeMap<>();

        try (KafkaProducer<String, String> producer = producer(bootstrap)) {
            for (int i = 0; i < 200; i++) {
                producer.send(new ProducerRecord<>("spare", "s", VALUE)).get(10, TimeUnit.SECONDS);
            }
            Throwable refused = fillUntilRefused(producer, "fill", acked, 0);
            assertThat(refused).as("what the producer got once the disk was full").isInstanceOf(KafkaStorageException.class);
            long linesWhenFull = broker.linesPrinted();
            for (int i = 0; i < 500; i++) {
                assertThat(sendAndWait(producer, "fill", "more-" + VALUE + VALUE + VALUE + VALUE + VALUE)).isInstanceOf(KafkaStorageException.class);
            }
            assertThat(broker.linesPrinted() - linesWhenFull).as("broker log lines for 500 refused appends:\n" + broker.outputTail())
                    .isLessThan(60);
            assertThat(readAll(bootstrap, "fill")).as("reads go on while the disk is full").isEqualTo(acked);

            Files.delete(ballast); // the operator frees space outside Brook
            Throwable resumed = fillUntilRefused(producer, "fill", acked, acked.size());
            assertThat(resumed).isInstanceOf(KafkaStorageException.class);
            assertThat(acked.size()).as("records acknowledged after space was freed").isGreaterThan(3_000);
        }

        broker.kill(); // SIGKILL with the disk full
        broker = BrookProcess.start(port, dataDir, Duration.ofSeconds(60));
        assertThat(readAll(bootstrap, "fill")).as("every acknowledged record, once, at its offset, after SIGKILL and a start on a full disk")
                .isEqualTo(acked);

        try (Admin admin = Clients.admin(bootstrap)) {
            admin.deleteTopics(List.of("fill")).all().get(30, TimeUnit.SECONDS);
        }
        try (KafkaProducer<String, String> producer = producer(bootstrap)) {
            RecordMetadata m = producer.send(new ProducerRecord<>("spare", "s", "after the delete")).get(30, TimeUnit.SECONDS);
            assertThat(m.offset()).isEqualTo(200);
        }
    }

    private static KafkaProducer<String, String> producer(String bootstrap) {
        return Clients.producer(bootstrap, Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.RETRIES_CONFIG, 0,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false, ProducerConfig.LINGER_MS_CONFIG, 0));
    }

    /** Sends one record at a time until one is refused, recording each acknowledgement; returns the refusal. */
    private static Throwable fillUntilRefused(KafkaProducer<String, String> producer, String topic, Map<Long, String> acked, int from)
            throws Exception {
        for (int i = from; i < from + 100_000; i++) {
            String value = i + "-" + VALUE;
            try {
                RecordMetadata m = producer.send(new ProducerRecord<>(topic, "k", value)).get(30, TimeUnit.SECONDS);
                acked.put(m.offset(), value);
            } catch (ExecutionException e) {
                return e.getCause();
            }
        }
        throw new AssertionError("the disk never filled");
    }

    private static Throwable sendAndWait(KafkaProducer<String, String> producer, String topic, String value) throws Exception {
        try {
            producer.send(new ProducerRecord<>(topic, "k", value)).get(30, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    private static Map<Long, String> readAll(String bootstrap, String topic) {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(bootstrap)) {
            List<ConsumerRecord<String, String>> records = Clients.readFromBeginningToEnd(consumer,
                    ProduceConsumeTest.partitions(topic, 1), Duration.ofSeconds(60));
            Map<Long, String> read = new TreeMap<>();
            for (ConsumerRecord<String, String> r : records) {
                assertThat(read.put(r.offset(), r.value())).as("offset %d read twice", r.offset()).isNull();
            }
            return read;
        }
    }
}
