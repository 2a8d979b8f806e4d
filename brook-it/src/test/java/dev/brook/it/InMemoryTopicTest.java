package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brook.broker.cluster.Partition;
import dev.brook.log.MemoryLog;
import dev.brook.testkit.BrookExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Topics with {@code brook.storage=memory}: the Kafka clients use them as any other topic, their records never reach
 * the data directory, a restart empties them (the topic itself stays), and their retention bounds the memory they take.
 */
@Timeout(120)
class InMemoryTopicTest {

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension();

    private static String createMemoryTopic(int partitions, Map<String, String> more) throws Exception {
        String topic = AdminClientTest.uniqueTopic();
        Map<String, String> configs = new java.util.HashMap<>(more);
        configs.put("brook.storage", "memory");
        try (Admin admin = Clients.admin(brook.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(configs))).all().get();
        }
        return topic;
    }

    @Test
    void kafkaClientsProduceAndConsumeAndNothingReachesTheDataDirectory() throws Exception {
        String topic = createMemoryTopic(3, Map.of());
        List<String> sent = IntStream.range(0, 5_000).mapToObj(i -> "ephemeral-" + i).toList();
        try (KafkaProducer<String, String> producer = Clients.producer(brook.bootstrapServers(), Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
            for (String v : sent) {
                producer.send(new ProducerRecord<>(topic, v, v));
            }
            RecordMetadata last = producer.send(new ProducerRecord<>(topic, 1, "k", "ephemeral-last")).get();
            assertThat(last.offset()).isPositive();
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(brook.bootstrapServers(),
                Map.of(ConsumerConfig.GROUP_ID_CONFIG, "memory-readers", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"))) {
            consumer.subscribe(List.of(topic));
            List<String> got = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (got.size() < sent.size() + 1 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> got.add(r.value()));
            }
            consumer.commitSync();
            assertThat(got).hasSize(sent.size() + 1).containsAll(sent).contains("ephemeral-last");
        }
        for (int p = 0; p < 3; p++) {
            Partition partition = brook.broker().topics().partition(new TopicPartition(topic, p));
            assertThat(partition.inMemory()).isTrue();
            assertThat(partition.storage()).isInstanceOf(MemoryLog.class);
        }
        try (Stream<Path> files = Files.walk(brook.dataDir())) {
            for (Path f : files.toList()) {
                assertThat(f.getFileName().toString()).as("no directory or file for the memory topic").doesNotStartWith(topic + "-");
                if (Files.isRegularFile(f)) {
                    assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).as("%s holds no record", f)
                            .doesNotContain("ephemeral-");
                }
            }
        }
        try (Admin admin = Clients.admin(brook.bootstrapServers())) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            ConfigEntry storage = admin.describeConfigs(Set.of(resource)).all().get().get(resource).get("brook.storage");
            assertThat(storage.value()).isEqualTo("memory");
            assertThat(storage.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        }
    }

    @Test
    void aWaitingConsumerGetsARecordAsSoonAsItIsAppended() throws Exception {
        String topic = createMemoryTopic(1, Map.of());
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, String> consumer = Clients.consumer(brook.bootstrapServers(), Map.of(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 30_000));
             KafkaProducer<String, String> producer = Clients.producer(brook.bootstrapServers())) {
            consumer.assign(List.of(tp));
            consumer.seekToEnd(List.of(tp));
            consumer.position(tp);
            consumer.poll(Duration.ofMillis(100)); // a fetch is now parked at the log end for up to 30 s
            producer.send(new ProducerRecord<>(topic, "k", "wake-up")).get();
            List<String> got = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (got.isEmpty() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> got.add(r.value()));
            }
            assertThat(got).containsExactly("wake-up");
        }
    }

    @Test
    void aRestartEmptiesTheTopicButKeepsItAndItsConfigs() throws Exception {
        String topic = createMemoryTopic(2, Map.of("retention.ms", "3600000"));
        String disk = AdminClientTest.uniqueTopic();
        try (Admin admin = Clients.admin(brook.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(disk, 1, (short) 1))).all().get();
        }
        try (KafkaProducer<String, String> producer = Clients.producer(brook.bootstrapServers())) {
            for (int i = 0; i < 100; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "before-" + i));
                producer.send(new ProducerRecord<>(disk, "k" + i, "before-" + i));
            }
            producer.flush();
        }
        assertThat(endOffsets(topic, 2).values().stream().mapToLong(Long::longValue).sum()).isEqualTo(100);

        brook.restart();

        try (Admin admin = Clients.admin(brook.bootstrapServers())) {
            assertThat(admin.listTopics().names().get()).contains(topic, disk);
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Map<String, ConfigEntry> config = admin.describeConfigs(Set.of(resource)).all().get().get(resource).entries().stream()
                    .collect(Collectors.toMap(ConfigEntry::name, e -> e));
            assertThat(config.get("brook.storage").value()).isEqualTo("memory");
            assertThat(config.get("retention.ms").value()).isEqualTo("3600000");
        }
        assertThat(endOffsets(topic, 2)).as("the memory topic starts again from nothing").containsOnly(
                Map.entry(new TopicPartition(topic, 0), 0L), Map.entry(new TopicPartition(topic, 1), 0L));
        assertThat(endOffsets(disk, 1).get(new TopicPartition(disk, 0))).as("a disk topic keeps its records").isEqualTo(100);
        try (KafkaProducer<String, String> producer = Clients.producer(brook.bootstrapServers());
             KafkaConsumer<String, String> consumer = Clients.consumer(brook.bootstrapServers())) {
            producer.send(new ProducerRecord<>(topic, 0, "k", "after")).get();
            List<ConsumerRecord<String, String>> read = Clients.readFromBeginningToEnd(consumer, ProduceConsumeTest.partitions(topic, 2),
                    Duration.ofSeconds(20));
            assertThat(read).extracting(ConsumerRecord::value).containsExactly("after");
        }
    }

    @Test
    void retentionBytesBoundsTheMemoryAPartitionTakes() throws Exception {
        long bound = 1 << 20;
        String topic = createMemoryTopic(1, Map.of("retention.bytes", String.valueOf(bound)));
        String value = "v".repeat(10_000);
        try (KafkaProducer<String, String> producer = Clients.producer(brook.bootstrapServers(),
                Map.of(ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.COMPRESSION_TYPE_CONFIG, "none"))) {
            for (int i = 0; i < 2_000; i++) { // 20 MB
                producer.send(new ProducerRecord<>(topic, "k" + i, value + i));
            }
            producer.flush();
        }
        Partition partition = brook.broker().topics().partition(new TopicPartition(topic, 0));
        assertThat(partition.storage().sizeInBytes()).isLessThanOrEqualTo(bound);
        assertThat(partition.logEndOffset()).isEqualTo(2_000);
        assertThat(partition.logStartOffset()).as("the oldest records made room").isGreaterThan(1_800);
        try (KafkaConsumer<String, String> consumer = Clients.consumer(brook.bootstrapServers())) {
            List<ConsumerRecord<String, String>> read = Clients.readFromBeginningToEnd(consumer, ProduceConsumeTest.partitions(topic, 1),
                    Duration.ofSeconds(20));
            assertThat(read).isNotEmpty();
            assertThat(read.get(0).offset()).isEqualTo(partition.logStartOffset());
            assertThat(read.get(read.size() - 1).value()).isEqualTo(value + 1_999);
        }
    }

    @Test
    void theStorageIsChosenAtCreationAndCannotBeChanged() throws Exception {
        String topic = createMemoryTopic(1, Map.of());
        String disk = AdminClientTest.uniqueTopic();
        try (Admin admin = Clients.admin(brook.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(disk, 1, (short) 1))).all().get();
            for (String t : List.of(topic, disk)) {
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, t);
                String other = t.equals(topic) ? "disk" : "memory";
                assertThatThrownBy(() -> admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
                        new ConfigEntry("brook.storage", other), AlterConfigOp.OpType.SET)))).all().get())
                        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(InvalidConfigurationException.class)
                        .hasMessageContaining("brook.storage");
            }
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
                    new ConfigEntry("retention.bytes", "500000"), AlterConfigOp.OpType.SET)))).all().get();
            assertThat(brook.broker().topics().partition(new TopicPartition(topic, 0)).storage().config().retentionBytes()).isEqualTo(500_000);
            assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic(AdminClientTest.uniqueTopic(), 1, (short) 1)
                    .configs(Map.of("brook.storage", "tape")))).all().get())
                    .cause().isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("disk or memory");
        }
    }

    private static Map<TopicPartition, Long> endOffsets(String topic, int partitions) throws Exception {
        try (Admin admin = Clients.admin(brook.bootstrapServers())) {
            Map<TopicPartition, OffsetSpec> specs = IntStream.range(0, partitions).boxed()
                    .collect(Collectors.toMap(p -> new TopicPartition(topic, p), p -> OffsetSpec.latest()));
            return admin.listOffsets(specs).all().get().entrySet().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
        }
    }
}
