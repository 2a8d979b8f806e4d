package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.brook.log.Log;
import dev.brook.testkit.BrookExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Kafka's flush policy, {@code flush.messages} and {@code flush.ms} per topic and {@code log.flush.interval.*} as
 * the broker's defaults: Brook fsyncs on count and on time whatever the producer's acks, and a produce that reaches
 * the count is answered only after its fsync. Each test also checks a topic without the setting, which stays
 * unflushed under acks=1: that is what shows the fsync came from the policy.
 */
@Timeout(120)
class FlushPolicyTest {

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension().withConfig("log.flush.scheduler.interval.ms", "50");

    private static Admin admin;
    private static KafkaProducer<String, String> producer;

    @BeforeAll
    static void connect() {
        admin = Clients.admin(brook.bootstrapServers());
        producer = Clients.producer(brook.bootstrapServers(), Map.of(
                ProducerConfig.ACKS_CONFIG, "1",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                ProducerConfig.LINGER_MS_CONFIG, 0));
    }

    @AfterAll
    static void disconnect() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
    }

    @Test
    void flushMessagesOfOneFsyncsEveryAcks1ProduceBeforeItIsAnswered() throws Exception {
        String each = createTopic(Map.of("flush.messages", "1"));
        String plain = createTopic(Map.of());
        for (int i = 1; i <= 20; i++) {
            send(each, i);
            assertThat(log(each).flushedOffset()).as("fsynced when record %d is acknowledged", i).isEqualTo(i);
            send(plain, i);
        }
        assertThat(log(plain).logEndOffset()).isEqualTo(20);
        assertThat(log(plain).flushedOffset()).as("acks=1 without a flush policy is not fsynced").isZero();
    }

    @Test
    void flushMessagesOfThreeFsyncsWhenTheThirdUnflushedMessageArrives() throws Exception {
        String topic = createTopic(Map.of("flush.messages", "3"));
        long[] flushedAfter = new long[7];
        for (int i = 1; i <= 7; i++) {
            send(topic, i);
            flushedAfter[i - 1] = log(topic).flushedOffset();
        }
        assertThat(flushedAfter).containsExactly(0, 0, 3, 3, 3, 6, 6);
    }

    @Test
    void flushMsFsyncsATopicOnATimerWithoutAnyProduceToTriggerIt() throws Exception {
        String timed = createTopic(Map.of("flush.ms", "200"));
        String plain = createTopic(Map.of());
        for (int i = 1; i <= 3; i++) {
            send(timed, i);
            send(plain, i);
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(log(timed).flushedOffset()).isEqualTo(3));
        assertThat(log(plain).flushedOffset()).as("no flush.ms: never on a timer").isZero();
    }

    @Test
    void theBrokerDefaultAppliesToTopicsWithoutAnOverrideAndChangesAtRunTime() throws Exception {
        String topic = createTopic(Map.of());
        ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, "");
        send(topic, 1);
        assertThat(log(topic).flushedOffset()).isZero();
        admin.incrementalAlterConfigs(Map.of(broker, List.of(new AlterConfigOp(
                new ConfigEntry("log.flush.interval.messages", "1"), AlterConfigOp.OpType.SET)))).all().get();
        try {
            send(topic, 2);
            assertThat(log(topic).flushedOffset()).as("log.flush.interval.messages=1 set while running").isEqualTo(2);
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            ConfigEntry entry = admin.describeConfigs(List.of(resource)).all().get().get(resource).get("flush.messages");
            assertThat(entry.value()).as("the topic reports the broker default it follows").isEqualTo("1");
        } finally {
            admin.incrementalAlterConfigs(Map.of(broker, List.of(new AlterConfigOp(
                    new ConfigEntry("log.flush.interval.messages", ""), AlterConfigOp.OpType.DELETE)))).all().get();
        }
        send(topic, 3);
        assertThat(log(topic).flushedOffset()).as("back to no flush policy").isEqualTo(2);
    }

    private static String createTopic(Map<String, String> configs) throws Exception {
        String topic = "flush-" + UUID.randomUUID();
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(configs))).all().get();
        return topic;
    }

    private static void send(String topic, int i) throws Exception {
        producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i)).get();
    }

    private static Log log(String topic) {
        return (Log) brook.broker().topics().partition(new TopicPartition(topic, 0)).storage();
    }
}
