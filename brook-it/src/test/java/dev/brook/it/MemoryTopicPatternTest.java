package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brook.testkit.BrookExtension;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The broker's {@code brook.memory.topics}: topics whose names match are created in memory without saying so, which
 * is how tools that refuse topic configs they do not know (Kafka's {@code kafka-topics.sh}) and auto-creation by a
 * producer make in-memory topics.
 */
@Timeout(60)
class MemoryTopicPatternTest {

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension().withConfig("brook.memory.topics", "live\\..*");

    private static ConfigEntry storage(Admin admin, String topic) throws Exception {
        ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(Set.of(r)).all().get().get(r).get("brook.storage");
    }

    private static boolean inMemory(String topic) {
        return brook.broker().topics().partition(new TopicPartition(topic, 0)).inMemory();
    }

    @Test
    void matchingTopicsAreCreatedInMemoryUnlessTheySayOtherwise() throws Exception {
        try (Admin admin = Clients.admin(brook.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic("live.quotes", 1, (short) 1), new NewTopic("orders", 1, (short) 1),
                    new NewTopic("live.audit", 1, (short) 1).configs(Map.of("brook.storage", "disk")))).all().get();
            assertThat(inMemory("live.quotes")).isTrue();
            assertThat(storage(admin, "live.quotes").value()).isEqualTo("memory");
            assertThat(storage(admin, "live.quotes").source()).as("stored with the topic, as if asked for")
                    .isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
            assertThat(inMemory("orders")).isFalse();
            assertThat(storage(admin, "orders").value()).isEqualTo("disk");
            assertThat(inMemory("live.audit")).as("an explicit brook.storage wins").isFalse();
            var validated = admin.createTopics(List.of(new NewTopic("live.later", 1, (short) 1)),
                    new org.apache.kafka.clients.admin.CreateTopicsOptions().validateOnly(true));
            assertThat(validated.config("live.later").get().get("brook.storage").value()).as("validate_only says what it would create")
                    .isEqualTo("memory");
        }
    }

    @Test
    void aTopicAProducerAutoCreatesIsInMemoryWhenItsNameMatches() throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(brook.bootstrapServers())) {
            producer.send(new ProducerRecord<>("live.auto", "k", "v")).get();
            producer.send(new ProducerRecord<>("kept.auto", "k", "v")).get();
        }
        assertThat(inMemory("live.auto")).isTrue();
        assertThat(inMemory("kept.auto")).isFalse();
        assertThat(brook.dataDir().resolve("live.auto-0")).doesNotExist();
        assertThat(brook.dataDir().resolve("kept.auto-0")).isDirectory();
    }
}
