package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brook.testkit.BrookExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code cleanup.policy=compact} topics, cleaned by the broker's log cleaner while clients use them: consumers that read
 * from the beginning get each key's latest value at its original offset (offset gaps and the empty batches cleaning
 * leaves are skipped by the Java client and by librdkafka), the log shrinks, and a restart keeps the cleaned log.
 */
@Timeout(180)
class CompactedTopicTest {
    private static final int KEYS = 200;
    private static final int ROUNDS = 15;

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension().withConfig("log.cleaner.backoff.ms", "100");

    private static String createCompactedTopic(Map<String, String> more) throws Exception {
        String topic = AdminClientTest.uniqueTopic();
        Map<String, String> configs = new HashMap<>(Map.of("cleanup.policy", "compact", "segment.bytes", "16384",
                "min.cleanable.dirty.ratio", "0.01", "segment.ms", "300"));
        configs.putAll(more);
        try (Admin admin = Clients.admin(brook.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(configs))).all().get();
        }
        return topic;
    }

    /** Writes ROUNDS values of each key, then, once segment.ms has passed, one more record that rolls the segment. */
    private static void overwrite(String topic) throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(brook.bootstrapServers())) {
            for (int round = 0; round < ROUNDS; round++) {
                for (int k = 0; k < KEYS; k++) {
                    producer.send(new ProducerRecord<>(topic, "key-" + k, "round-" + round + "-of-key-" + k));
                }
                producer.flush();
            }
            Thread.sleep(400);
            producer.send(new ProducerRecord<>(topic, "marker", "rolls the segment")).get();
        }
    }

    private static List<ConsumerRecord<String, String>> readAll(String topic) {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(brook.bootstrapServers())) {
            return Clients.readFromBeginningToEnd(consumer, List.of(new TopicPartition(topic, 0)), Duration.ofSeconds(20));
        }
    }

    private static long logBytes(String topic) throws Exception {
        try (Stream<Path> files = Files.list(brook.dataDir().resolve(topic + "-0"))) {
            return files.filter(p -> p.toString().endsWith(".log")).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    @Test
    void consumersReadingFromTheBeginningGetEachKeysLatestValueAtItsOffset() throws Exception {
        String topic = createCompactedTopic(Map.of());
        overwrite(topic);
        long written = (long) KEYS * ROUNDS + 1;
        long valueBytesWritten = (long) KEYS * ROUNDS * ("round-" + (ROUNDS - 1) + "-of-key-" + KEYS).length();

        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> readAll(topic).size() == KEYS + 1);

        List<ConsumerRecord<String, String>> records = readAll(topic);
        Map<String, ConsumerRecord<String, String>> byKey = new LinkedHashMap<>();
        records.forEach(r -> byKey.put(r.key(), r));
        assertThat(byKey).hasSize(KEYS + 1);
        for (int k = 0; k < KEYS; k++) {
            ConsumerRecord<String, String> r = byKey.get("key-" + k);
            assertThat(r.value()).isEqualTo("round-" + (ROUNDS - 1) + "-of-key-" + k);
            assertThat(r.offset()).isEqualTo((long) (ROUNDS - 1) * KEYS + k);
        }
        assertThat(byKey.get("marker").offset()).isEqualTo(written - 1);
        assertThat(logBytes(topic)).as("the log's bytes, against the value bytes written").isLessThan(valueBytesWritten / 5);

        brook.restart();
        assertThat(readAll(topic)).extracting(ConsumerRecord::offset).containsExactlyElementsOf(
                records.stream().map(ConsumerRecord::offset).toList());
    }

    @Test
    void kcatReadsACleanedTopicWithItsGapsAndEmptyBatches() throws Exception {
        boolean present = ExternalCommand.onPath("kcat");
        Assumptions.assumeTrue(present || ExternalCommand.inCi(), "kcat is not installed");
        String topic = createCompactedTopic(Map.of());
        overwrite(topic);
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> readAll(topic).size() == KEYS + 1);

        ExternalCommand.Result consumed = ExternalCommand.run(List.of("kcat", "-b", brook.bootstrapServers(), "-C", "-t", topic,
                "-o", "beginning", "-e", "-q", "-f", "%o %k:%s\\n"), null, Duration.ofSeconds(30));

        assertThat(consumed.exitCode()).as(consumed.describe()).isZero();
        List<String> expected = new java.util.ArrayList<>();
        for (int k = 0; k < KEYS; k++) {
            expected.add(((long) (ROUNDS - 1) * KEYS + k) + " key-" + k + ":round-" + (ROUNDS - 1) + "-of-key-" + k);
        }
        expected.add(((long) KEYS * ROUNDS) + " marker:rolls the segment");
        assertThat(consumed.stdout().split("\n")).as(consumed.describe()).containsExactlyElementsOf(expected);
    }

    @Test
    void kafkajsReadsACleanedTopicWithItsGapsAndEmptyBatches() throws Exception {
        Path scripts = KafkajsTest.locateScriptDir();
        boolean present = ExternalCommand.onPath("node") && Files.isDirectory(scripts.resolve("node_modules/kafkajs"));
        Assumptions.assumeTrue(present || ExternalCommand.inCi(), "node or kafkajs is not installed");
        String topic = createCompactedTopic(Map.of());
        overwrite(topic);
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> readAll(topic).size() == KEYS + 1);

        ExternalCommand.Result run = ExternalCommand.run(List.of("node", "kafkajs-compacted.js", brook.bootstrapServers(), topic,
                String.valueOf(KEYS + 1)), null, Duration.ofSeconds(90), scripts);

        assertThat(run.exitCode()).as(run.describe()).isZero();
        StringBuilder expected = new StringBuilder("{\"messages\":[");
        for (int k = 0; k < KEYS; k++) {
            expected.append('[').append((long) (ROUNDS - 1) * KEYS + k).append(",\"key-").append(k).append("\",\"round-")
                    .append(ROUNDS - 1).append("-of-key-").append(k).append("\"],");
        }
        expected.append('[').append((long) KEYS * ROUNDS).append(",\"marker\",\"rolls the segment\"]]}");
        assertThat(run.stdout().trim()).as(run.describe()).isEqualTo(expected.toString());
    }

    @Test
    void tombstonesAreReadUntilDeleteRetentionThenTheKeyIsGone() throws Exception {
        String topic = createCompactedTopic(Map.of("delete.retention.ms", "1000"));
        try (KafkaProducer<String, String> producer = Clients.producer(brook.bootstrapServers())) {
            producer.send(new ProducerRecord<>(topic, "kept", "value")).get();
            producer.send(new ProducerRecord<>(topic, "deleted", "value")).get();
            producer.send(new ProducerRecord<>(topic, "deleted", null)).get();
            Thread.sleep(400);
            producer.send(new ProducerRecord<>(topic, "marker", "rolls the segment")).get();
        }
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> readAll(topic).stream().map(ConsumerRecord::key).toList(), keys -> keys.equals(List.of("kept", "marker")));
    }

    @Test
    void describeConfigsReportsTheCompactionSettingsAndTheirBrokerDefaults() throws Exception {
        String topic = createCompactedTopic(Map.of("delete.retention.ms", "1000"));
        try (Admin admin = Clients.admin(brook.bootstrapServers())) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
            assertThat(config.get("delete.retention.ms").value()).isEqualTo("1000");
            assertThat(config.get("min.compaction.lag.ms").value()).isEqualTo("0");
            assertThat(config.get("min.cleanable.dirty.ratio").value()).isEqualTo("0.01");
            ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "1");
            Config brokerConfig = admin.describeConfigs(List.of(broker)).all().get().get(broker);
            assertThat(brokerConfig.get("log.cleaner.backoff.ms").value()).isEqualTo("100");
            assertThat(brokerConfig.get("log.cleaner.delete.retention.ms").value()).isEqualTo("86400000");
        }
    }
}
