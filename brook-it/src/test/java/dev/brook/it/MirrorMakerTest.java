package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.brook.testkit.BrookExtension;
import dev.brook.testkit.KafkaExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The way out when one machine is not enough: MirrorMaker 2 (dedicated mode, the 4.3.1 Connect stack) copies a topic,
 * its configs and a consumer group's committed offsets from Brook to a real Kafka 4.4, and the group, moved to Kafka,
 * resumes exactly where it stopped on Brook: every record not yet consumed is read, none consumed before is read again.
 * Brook answers MirrorMaker's ACL sync with SECURITY_DISABLED, as a Kafka without an authorizer does, so it skips it.
 * Topic names are kept ({@code IdentityReplicationPolicy}), as a user moving applications wants.
 */
@Timeout(300)
class MirrorMakerTest {
    private static final int PARTITIONS = 2;
    private static final int RECORDS = 1_000;
    private static final int CONSUMED_ON_BROOK = 600;

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension();
    private static KafkaExtension kafka;

    @TempDir
    Path work;

    @BeforeAll
    static void start() throws Exception {
        boolean present = KafkaExtension.available() && Files.exists(KafkaConnectTest.connectLib().resolve("connect-mirror-4.3.1.jar"));
        if (!present && "true".equals(System.getenv("CI"))) {
            fail("Kafka's or Connect's jars are missing; .ci/run fetches them before ./mvnw verify");
        }
        Assumptions.assumeTrue(present, "Kafka's and Connect's jars are not fetched (.ci/run fetches them)");
        kafka = new KafkaExtension();
        kafka.start();
    }

    @AfterAll
    static void stop() {
        if (kafka != null) {
            kafka.close();
        }
    }

    /**
     * The order a migration takes (the README's): MirrorMaker runs while the application still uses Brook; its consumers
     * stop, having committed what they processed; once MirrorMaker has translated the group's offsets to Kafka, the
     * producers go on writing to Brook and the consumers start again on Kafka. (MirrorMaker translates a committed offset
     * exactly while it holds an offset sync at it: with {@code offset.lag.max=0}, for the last record it replicated
     * before a pause. It only ever moves a group's offsets forward, so later, coarser translations do not undo that. A
     * group that lags far behind what MirrorMaker copied is translated to an earlier offset and re-reads some records,
     * whatever the source cluster.)
     */
    @Test
    void aGroupMovedFromBrookToKafkaResumesWhereItStopped() throws Exception {
        String topic = "orders";
        try (Admin admin = Clients.admin(brook.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1).configs(Map.of("retention.ms", "987654321")))).all().get();
        }
        Process mm2 = startMirrorMaker();
        List<String> consumedOnBrook = new ArrayList<>();
        Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
        Map<TopicPartition, OffsetAndMetadata> translated = new HashMap<>();
        try {
            produce(topic, 0, CONSUMED_ON_BROOK);
            awaitOrExplain("the first records on Kafka", topic, committed, () -> {
                checkAlive(mm2);
                return endOffsets(kafka.bootstrapServers(), topic) == CONSUMED_ON_BROOK;
            });
            try (KafkaConsumer<String, String> consumer = Clients.consumer(brook.bootstrapServers(), Map.of(ConsumerConfig.GROUP_ID_CONFIG, "app",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"))) {
                consumer.subscribe(List.of(topic));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (consumedOnBrook.size() < CONSUMED_ON_BROOK && System.nanoTime() < deadline) {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                        consumedOnBrook.add(r.value());
                        committed.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                    }
                }
                consumer.commitSync(committed);
            }
            assertThat(consumedOnBrook).hasSize(CONSUMED_ON_BROOK);
            // the consumers are stopped: MirrorMaker translates their offsets while it has an offset sync at each
            awaitOrExplain("the group's offsets on Kafka", topic, committed, () -> {
                checkAlive(mm2);
                return committedOnKafka().equals(committed);
            });
            produce(topic, CONSUMED_ON_BROOK, RECORDS); // the producers are still on Brook
            awaitOrExplain("the last records on Kafka", topic, committed, () -> {
                checkAlive(mm2);
                return endOffsets(kafka.bootstrapServers(), topic) == RECORDS;
            });
            try (Admin admin = Clients.admin(kafka.bootstrapServers())) {
                ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
                Config config = admin.describeConfigs(List.of(resource)).all().get().get(resource);
                assertThat(config.get("retention.ms").value()).isEqualTo("987654321");
                assertThat(admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()).hasSize(PARTITIONS);
            }
        } finally {
            mm2.destroy();
            if (!mm2.waitFor(60, TimeUnit.SECONDS)) {
                mm2.destroyForcibly().waitFor();
            }
        }

        translated.putAll(committedOnKafka());
        assertThat(translated).as("the group's offsets on Kafka once MirrorMaker stopped").isEqualTo(committed);
        Map<Integer, List<Long>> readOnKafka = new HashMap<>();
        int expectedReads = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            expectedReads += RECORDS / PARTITIONS - (int) translated.get(new TopicPartition(topic, p)).offset();
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(kafka.bootstrapServers(), Map.of(ConsumerConfig.GROUP_ID_CONFIG, "app",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int reads = 0;
            while (reads < expectedReads && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    readOnKafka.computeIfAbsent(r.partition(), k -> new ArrayList<>()).add(r.offset());
                    reads++;
                }
            }
            consumer.poll(Duration.ofSeconds(1)).forEach(r -> readOnKafka.computeIfAbsent(r.partition(), k -> new ArrayList<>()).add(r.offset()));
        }
        long reread = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            long from = translated.get(new TopicPartition(topic, p)).offset();
            List<Long> expected = new ArrayList<>();
            for (long o = from; o < RECORDS / PARTITIONS; o++) {
                expected.add(o);
            }
            assertThat(readOnKafka.get(p)).as("offsets of partition %d read on Kafka", p).containsExactlyElementsOf(expected);
            reread += committed.get(new TopicPartition(topic, p)).offset() - from;
        }
        System.out.println("MirrorMakerTest: committed on Brook " + committed + ", translated on Kafka " + translated
                + ": " + reread + " records read again");
    }

    private void awaitOrExplain(String what, String topic, Map<TopicPartition, OffsetAndMetadata> committed,
                                java.util.concurrent.Callable<Boolean> condition) throws Exception {
        try {
            Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).until(condition);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            List<String> log = Files.readAllLines(work.resolve("mm2.log"));
            throw new AssertionError("waiting for " + what + ": Kafka holds " + endOffsets(kafka.bootstrapServers(), topic)
                    + " records; the group on Brook committed " + committed + ", on Kafka " + committedOnKafka()
                    + "\nMirrorMaker's log, last lines:\n" + String.join("\n", log.subList(Math.max(0, log.size() - 60), log.size())), e);
        }
    }

    private static void produce(String topic, int from, int to) {
        try (KafkaProducer<String, String> producer = Clients.producer(brook.bootstrapServers())) {
            for (int i = from; i < to; i++) {
                producer.send(new ProducerRecord<>(topic, i % PARTITIONS, "k" + i, "order-" + i));
            }
            producer.flush();
        }
    }

    private static long endOffsets(String bootstrap, String topic) {
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            tps.add(new TopicPartition(topic, p));
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(bootstrap)) {
            return consumer.endOffsets(tps).values().stream().mapToLong(Long::longValue).sum();
        } catch (RuntimeException topicNotThereYet) {
            return -1;
        }
    }

    private void checkAlive(Process mm2) throws java.io.IOException {
        if (!mm2.isAlive()) {
            throw new IllegalStateException("MirrorMaker exited:\n" + Files.readString(work.resolve("mm2.log")));
        }
    }

    private Map<TopicPartition, OffsetAndMetadata> committedOnKafka() throws Exception {
        try (Admin admin = Clients.admin(kafka.bootstrapServers())) {
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            admin.listConsumerGroupOffsets("app").partitionsToOffsetAndMetadata().get()
                    .forEach((tp, om) -> offsets.put(tp, new OffsetAndMetadata(om.offset())));
            return offsets;
        }
    }

    private Process startMirrorMaker() throws Exception {
        Path props = work.resolve("mm2.properties");
        Files.writeString(props, String.join("\n",
                "clusters=brook,kafka",
                "brook.bootstrap.servers=" + brook.bootstrapServers(),
                "kafka.bootstrap.servers=" + kafka.bootstrapServers(),
                "brook->kafka.enabled=true", "kafka->brook.enabled=false",
                "brook->kafka.topics=orders", "brook->kafka.groups=app",
                "replication.policy.class=org.apache.kafka.connect.mirror.IdentityReplicationPolicy",
                "replication.factor=1", "checkpoints.topic.replication.factor=1", "heartbeats.topic.replication.factor=1",
                "offset-syncs.topic.replication.factor=1", "offset.storage.replication.factor=1",
                "status.storage.replication.factor=1", "config.storage.replication.factor=1",
                "sync.group.offsets.enabled=true", "sync.group.offsets.interval.seconds=1", "emit.checkpoints.interval.seconds=1",
                "refresh.topics.interval.seconds=1", "refresh.groups.interval.seconds=1", "sync.topic.configs.interval.seconds=1",
                "offset.lag.max=0", "offset.flush.interval.ms=500", "emit.heartbeats.interval.seconds=1", ""), StandardCharsets.UTF_8);
        Path log4j = work.resolve("log4j2.properties");
        Files.writeString(log4j, String.join("\n", "rootLogger.level = INFO", "rootLogger.appenderRef.stdout.ref = STDOUT",
                "appender.stdout.type = Console", "appender.stdout.name = STDOUT", "appender.stdout.layout.type = PatternLayout",
                "appender.stdout.layout.pattern = [%d] %p %m (%c)%n", "logger.clients.name = org.apache.kafka.clients",
                "logger.clients.level = WARN", "logger.config.name = org.apache.kafka.common.config", "logger.config.level = WARN", ""));
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-Dlog4j2.configurationFile=" + log4j, "-cp", KafkaConnectTest.connectLib() + "/*", "org.apache.kafka.connect.mirror.MirrorMaker", props.toString());
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(work.resolve("mm2.log").toFile()).start();
    }
}
