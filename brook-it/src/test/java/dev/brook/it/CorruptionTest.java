package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brook.log.DiskDamage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a damaged disk does to a real broker and its consumers: a flipped payload byte in an older segment costs that
 * batch only (the rest of the log, later segments included, is kept and the damaged file is quarantined), a flipped
 * base-offset byte is repaired at restart so every record stays reachable, a torn tail is cut, and damage that
 * appears while the broker runs gets the consumer a CORRUPT_MESSAGE error from {@code poll} instead of a silent stall.
 */
@Timeout(300)
class CorruptionTest {
    private static final int RECORDS = 200;

    @TempDir
    Path dataDir;

    /** A broker, a topic of 4 KiB segments holding {@link #RECORDS} records of one batch each, and their values. */
    private record Setup(BrookProcess broker, String bootstrap, String topic, Map<Long, String> values) {
        Path logDir(Path dataDir) {
            return dataDir.resolve(topic + "-0");
        }

        int port() {
            return Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
        }
    }

    private Setup fill() throws Exception {
        int port = BrookProcess.freePort();
        String bootstrap = "127.0.0.1:" + port;
        BrookProcess broker = BrookProcess.start(port, dataDir, Duration.ofSeconds(60));
        String topic = AdminClientTest.uniqueTopic();
        try (Admin admin = Clients.admin(bootstrap)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of("segment.bytes", "4096"))))
                    .all().get(30, TimeUnit.SECONDS);
        }
        Map<Long, String> values = new TreeMap<>();
        try (KafkaProducer<String, String> producer = Clients.producer(bootstrap, Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            for (int i = 0; i < RECORDS; i++) {
                String v = "value-" + i + "-" + "p".repeat(100);
                values.put(producer.send(new ProducerRecord<>(topic, "k" + i, v)).get(10, TimeUnit.SECONDS).offset(), v);
            }
        }
        return new Setup(broker, bootstrap, topic, values);
    }

    private static List<Path> segments(Path logDir) throws Exception {
        try (Stream<Path> files = Files.list(logDir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList();
        }
    }


    private static Map<Long, String> readAll(String bootstrap, String topic) {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(bootstrap)) {
            Map<Long, String> read = new TreeMap<>();
            for (ConsumerRecord<String, String> r : Clients.readFromBeginningToEnd(consumer, List.of(new TopicPartition(topic, 0)),
                    Duration.ofSeconds(60))) {
                assertThat(read.put(r.offset(), r.value())).as("offset %d read twice", r.offset()).isNull();
            }
            return read;
        }
    }

    @Test
    void aFlippedPayloadByteInAnOlderSegmentCostsOnlyItsBatchAndTheSegmentIsQuarantined() throws Exception {
        Setup s = fill();
        s.broker().kill();
        List<Path> segments = segments(s.logDir(dataDir));
        assertThat(segments).hasSizeGreaterThan(4);
        Path second = segments.get(1);
        long firstOfThird = Long.parseLong(segments.get(2).getFileName().toString().replace(".log", ""));
        DiskDamage.flip(second, -20, 0x5a); // inside the last batch of the second segment

        try (BrookProcess broker = BrookProcess.start(s.port(), dataDir, Duration.ofSeconds(60))) {
            Map<Long, String> expected = new TreeMap<>(s.values());
            expected.remove(firstOfThird - 1);
            assertThat(readAll(s.bootstrap(), s.topic())).as("every record but the damaged one, at its offset, later segments included")
                    .isEqualTo(expected);
            assertThat(dataDir.resolve("quarantine").resolve(s.topic() + "-0").resolve(second.getFileName())).exists();
            assertThat(broker.awaitOutput("quarantine", Duration.ofSeconds(5))).as(broker.outputTail()).isTrue();
            try (KafkaProducer<String, String> producer = Clients.producer(s.bootstrap())) {
                assertThat(producer.send(new ProducerRecord<>(s.topic(), "k", "next")).get(10, TimeUnit.SECONDS).offset()).isEqualTo(RECORDS);
            }
        }
    }

    @Test
    void aFlippedBaseOffsetByteFoundAfterACleanRestartIsRepairedAtTheNextAndNoRecordBecomesUnreachable() throws Exception {
        Setup s = fill();
        assertThat(s.broker().terminate(Duration.ofSeconds(30))).as("clean shutdown").isTrue();
        Path third = segments(s.logDir(dataDir)).get(2);
        DiskDamage.flip(third, 0, 0x01); // the high byte of the first batch's base offset, outside the CRC

        // a clean start trusts the log's snapshot and reads no old segment's headers: the consumer is told of the damage
        BrookProcess first = BrookProcess.start(s.port(), dataDir, Duration.ofSeconds(60));
        try {
            assertThatThrownBy(() -> readAll(s.bootstrap(), s.topic())).hasMessageContaining("corrupt");
        } finally {
            assertThat(first.terminate(Duration.ofSeconds(30))).as("clean shutdown").isTrue();
        }
        try (BrookProcess broker = BrookProcess.start(s.port(), dataDir, Duration.ofSeconds(60))) {
            assertThat(readAll(s.bootstrap(), s.topic())).isEqualTo(s.values());
        }
    }

    @Test
    void garbageAfterTheLastBatchIsATornTailThatIsCut() throws Exception {
        Setup s = fill();
        s.broker().kill();
        List<Path> segments = segments(s.logDir(dataDir));
        byte[] garbage = new byte[777];
        new java.util.Random(7).nextBytes(garbage);
        Files.write(segments.get(segments.size() - 1), garbage, StandardOpenOption.APPEND);

        try (BrookProcess broker = BrookProcess.start(s.port(), dataDir, Duration.ofSeconds(60))) {
            assertThat(readAll(s.bootstrap(), s.topic())).isEqualTo(s.values());
            try (KafkaProducer<String, String> producer = Clients.producer(s.bootstrap())) {
                assertThat(producer.send(new ProducerRecord<>(s.topic(), "k", "next")).get(10, TimeUnit.SECONDS).offset()).isEqualTo(RECORDS);
            }
        }
    }

    @Test
    void aLastBatchCutShortIsATornTailThatIsCutAndTheLogContinuesAtItsOffset() throws Exception {
        Setup s = fill();
        s.broker().kill();
        List<Path> segments = segments(s.logDir(dataDir));
        Path active = segments.get(segments.size() - 1);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(active, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 30); // as a write torn by a crash leaves it
        }

        try (BrookProcess broker = BrookProcess.start(s.port(), dataDir, Duration.ofSeconds(60))) {
            Map<Long, String> expected = new TreeMap<>(s.values());
            expected.remove((long) RECORDS - 1);
            assertThat(readAll(s.bootstrap(), s.topic())).isEqualTo(expected);
            try (KafkaProducer<String, String> producer = Clients.producer(s.bootstrap())) {
                assertThat(producer.send(new ProducerRecord<>(s.topic(), "k", "next")).get(10, TimeUnit.SECONDS).offset())
                        .isEqualTo(RECORDS - 1);
            }
        }
    }

    @Test
    void aBaseOffsetDamagedWhileTheBrokerRunsIsReportedToTheConsumerInsteadOfStallingIt() throws Exception {
        Setup s = fill();
        try (BrookProcess broker = s.broker()) {
            List<Path> segments = segments(s.logDir(dataDir));
            Path active = segments.get(segments.size() - 1);
            long base = Long.parseLong(active.getFileName().toString().replace(".log", ""));
            DiskDamage.flip(active, 0, 0x01); // the first batch of the active segment now claims an offset 2^56 higher

            try (KafkaConsumer<String, String> consumer = Clients.consumer(s.bootstrap())) {
                TopicPartition tp = new TopicPartition(s.topic(), 0);
                consumer.assign(List.of(tp));
                consumer.seek(tp, base);
                KafkaException reported = null;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (reported == null && System.nanoTime() < deadline) {
                    try {
                        consumer.poll(Duration.ofMillis(200));
                    } catch (KafkaException e) {
                        reported = e;
                    }
                }
                assertThat(reported).as("what poll raised for the damaged offset").isNotNull();
                assertThat(reported.getMessage()).contains("corrupt");
            }
            assertThat(broker.awaitOutput("is damaged", Duration.ofSeconds(5))).as(broker.outputTail()).isTrue();
        }
    }
}
