package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brook.testkit.BrookExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What Brook was told before a clean restart — topics, their ids, configs and records — it still knows after. */
@Timeout(120)
class RestartTest {

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension();

    @Test
    void topicsTheirIdsConfigsAndRecordsSurviveARestart() throws Exception {
        String topic = AdminClientTest.uniqueTopic();
        Uuid idBefore;
        try (Admin admin = Clients.admin(brook.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1).configs(Map.of("retention.ms", "86400000")))).all().get();
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            admin.incrementalAlterConfigs(Map.of(resource, List.of(
                    new AlterConfigOp(new ConfigEntry("max.message.bytes", "3000000"), AlterConfigOp.OpType.SET)))).all().get();
            idBefore = describe(admin, topic).topicId();
        }
        try (KafkaProducer<String, String> producer = Clients.producer(brook.bootstrapServers())) {
            for (int i = 0; i < 3_000; i++) {
                producer.send(new ProducerRecord<>(topic, "key-" + i, "before-restart-" + i));
            }
            producer.flush();
        }

        brook.restart();

        try (Admin admin = Clients.admin(brook.bootstrapServers())) {
            assertThat(admin.listTopics().names().get()).contains(topic);
            TopicDescription after = describe(admin, topic);
            assertThat(after.topicId()).as("topic id after restart").isEqualTo(idBefore);
            assertThat(after.partitions()).hasSize(3);

            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Map<String, ConfigEntry> config = admin.describeConfigs(Set.of(resource)).all().get().get(resource)
                    .entries().stream().collect(Collectors.toMap(ConfigEntry::name, e -> e));
            assertThat(config.get("retention.ms").value()).isEqualTo("86400000");
            assertThat(config.get("retention.ms").source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
            assertThat(config.get("max.message.bytes").value()).isEqualTo("3000000");
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(brook.bootstrapServers())) {
            List<String> values = Clients.readFromBeginningToEnd(consumer, ProduceConsumeTest.partitions(topic, 3), Duration.ofSeconds(30))
                    .stream().map(ConsumerRecord::value).collect(Collectors.toList());
            assertThat(values).containsExactlyInAnyOrderElementsOf(
                    IntStream.range(0, 3_000).mapToObj(i -> "before-restart-" + i).collect(Collectors.toList()));
        }
        try (KafkaProducer<String, String> producer = Clients.producer(brook.bootstrapServers())) {
            long offset = producer.send(new ProducerRecord<>(topic, 0, "k", "after-restart")).get().offset();
            assertThat(offset).as("appends continue after the records already there").isPositive();
        }
    }

    private static TopicDescription describe(Admin admin, String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
    }
}
