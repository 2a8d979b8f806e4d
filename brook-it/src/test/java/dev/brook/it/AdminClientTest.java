package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.brook.testkit.BrookExtension;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicCollection;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Apache Kafka's AdminClient manages Brook's topics and configs the way it manages a Kafka cluster's. */
@Timeout(120)
class AdminClientTest {

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension();

    private static Admin admin;

    @BeforeAll
    static void connect() {
        admin = Clients.admin(brook.bootstrapServers());
    }

    @AfterAll
    static void disconnect() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
    }

    @Test
    void createdTopicIsListedAndDescribedWithItsPartitionsAndAStableTopicId() throws Exception {
        String topic = uniqueTopic();
        CreateTopicsResult created = admin.createTopics(List.of(
                new NewTopic(topic, 4, (short) 1).configs(Map.of("retention.ms", "3600000"))));
        created.all().get();

        assertThat(created.numPartitions(topic).get()).isEqualTo(4);
        assertThat(admin.listTopics().names().get()).contains(topic);

        TopicDescription first = describe(topic);
        Node broker = onlyNode();
        assertThat(first.name()).isEqualTo(topic);
        assertThat(first.isInternal()).isFalse();
        assertThat(first.partitions()).extracting(TopicPartitionInfo::partition).containsExactly(0, 1, 2, 3);
        assertThat(first.partitions()).allSatisfy(p -> {
            assertThat(p.leader()).as("leader of partition %d", p.partition()).isEqualTo(broker);
            assertThat(p.replicas()).containsExactly(broker);
            assertThat(p.isr()).containsExactly(broker);
        });
        assertThat(first.topicId()).isNotNull().isNotEqualTo(Uuid.ZERO_UUID);
        assertThat(created.topicId(topic).get()).isEqualTo(first.topicId());

        TopicDescription second = describe(topic);
        assertThat(second.topicId()).as("topic id on a second describe").isEqualTo(first.topicId());

        TopicDescription byId = admin.describeTopics(TopicCollection.ofTopicIds(List.of(first.topicId())))
                .allTopicIds().get().get(first.topicId());
        assertThat(byId.name()).isEqualTo(topic);

        ConfigEntry retention = topicConfig(topic).get("retention.ms");
        assertThat(retention.value()).isEqualTo("3600000");
        assertThat(retention.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
    }

    @Test
    void creatingATopicThatExistsFailsWithTopicExists() throws Exception {
        String topic = uniqueTopic();
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();

        assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get())
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(TopicExistsException.class);
        assertThat(describe(topic).partitions()).as("the existing topic is left as it was").hasSize(1);
    }

    @Test
    void incrementallyAlteredTopicConfigIsDescribedWithItsNewValueAsADynamicTopicConfig() throws Exception {
        String topic = uniqueTopic();
        admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);

        admin.incrementalAlterConfigs(Map.of(resource, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", "7200000"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("max.message.bytes", "2000000"), AlterConfigOp.OpType.SET))))
                .all().get();

        Map<String, ConfigEntry> altered = topicConfig(topic);
        assertThat(altered.get("retention.ms").value()).isEqualTo("7200000");
        assertThat(altered.get("retention.ms").source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(altered.get("max.message.bytes").value()).isEqualTo("2000000");
        assertThat(altered.get("max.message.bytes").source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);

        admin.incrementalAlterConfigs(Map.of(resource, List.of(
                new AlterConfigOp(new ConfigEntry("retention.ms", ""), AlterConfigOp.OpType.DELETE))))
                .all().get();

        ConfigEntry reverted = topicConfig(topic).get("retention.ms");
        assertThat(reverted.value()).as("retention.ms back at the broker default (7 days)").isEqualTo("604800000");
        assertThat(reverted.source()).isNotEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
    }

    @Test
    void createPartitionsGrowsATopicAndTheNewPartitionsTakeRecords() throws Exception {
        String topic = uniqueTopic();
        admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();

        admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(5))).all().get();

        assertThat(describe(topic).partitions()).extracting(TopicPartitionInfo::partition).containsExactly(0, 1, 2, 3, 4);
        try (KafkaProducer<String, String> producer = Clients.producer(brook.bootstrapServers())) {
            RecordMetadata sent = producer.send(new ProducerRecord<>(topic, 4, "k", "into a new partition")).get();
            assertThat(sent.partition()).isEqualTo(4);
            assertThat(sent.offset()).isZero();
        }
    }

    @Test
    void deletedTopicDisappearsFromTheListAndCannotBeDescribed() throws Exception {
        String topic = uniqueTopic();
        admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
        assertThat(admin.listTopics().names().get()).contains(topic);

        admin.deleteTopics(List.of(topic)).all().get();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(admin.listTopics().names().get()).doesNotContain(topic));
        assertThatThrownBy(() -> describe(topic))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
    }

    @Test
    void describeClusterReturnsTheOneBrokerAtTheAddressClientsConnectTo() throws Exception {
        DescribeClusterResult cluster = admin.describeCluster();
        Collection<Node> nodes = cluster.nodes().get();

        assertThat(nodes).hasSize(1);
        Node node = nodes.iterator().next();
        assertThat(node.host() + ":" + node.port()).isEqualTo(brook.bootstrapServers());
        assertThat(cluster.clusterId().get()).isNotBlank();
        assertThat(cluster.controller().get()).isEqualTo(node);
    }

    @Test
    void brokerConfigsCanBeDescribed() throws Exception {
        Node node = onlyNode();
        ConfigResource resource = new ConfigResource(ConfigResource.Type.BROKER, node.idString());

        Config config = admin.describeConfigs(Set.of(resource)).all().get().get(resource);

        assertThat(config.get("auto.create.topics.enable")).isNotNull()
                .extracting(ConfigEntry::value).isEqualTo("true");
        assertThat(config.get("num.partitions")).isNotNull()
                .extracting(ConfigEntry::value).isEqualTo("1");
        assertThat(config.get("log.retention.ms")).isNotNull();
    }

    private static TopicDescription describe(String topic) throws Exception {
        return admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
    }

    private static Map<String, ConfigEntry> topicConfig(String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        Config config = admin.describeConfigs(Set.of(resource)).all().get().get(resource);
        return config.entries().stream().collect(java.util.stream.Collectors.toMap(ConfigEntry::name, e -> e));
    }

    private static Node onlyNode() throws Exception {
        Collection<Node> nodes = admin.describeCluster().nodes().get();
        assertThat(nodes).hasSize(1);
        return nodes.iterator().next();
    }

    static String uniqueTopic() {
        return "t-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
