package dev.brook.broker.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brook.broker.BrokerConfig;
import dev.brook.broker.cluster.ClientMetricsSubscriptions;
import dev.brook.broker.cluster.GroupConfigs;
import dev.brook.broker.cluster.TopicRegistry;
import dev.brook.log.Flusher;
import dev.brook.log.LogConfig;
import dev.brook.log.LogManager;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-group dynamic configs and client-metrics subscriptions: validated with Kafka's bounds and wording, durable across a
 * restart, and a consumer group follows its own session timeout and heartbeat interval from the next heartbeat on.
 */
class GroupDynamicConfigTest {
    @TempDir
    Path dir;

    private final ManualGroupTimer timer = new ManualGroupTimer();
    private LogManager logs;
    private TopicRegistry topics;

    private TopicRegistry open() {
        if (logs != null) {
            logs.close();
        }
        logs = LogManager.open(dir, Clock.systemUTC(), 300_000, 100);
        topics = new TopicRegistry(logs, LogConfig.defaults(), tp -> { });
        return topics;
    }

    @AfterEach
    void tearDown() {
        if (logs != null) {
            logs.close();
        }
    }

    @Test
    void groupConfigsAreValidatedAgainstKafkasBoundsAndSurviveARestart() {
        GroupConfigs configs = new GroupConfigs(open(), BrokerConfig::defaults);
        assertThatThrownBy(() -> configs.alter("g", Map.of("consumer.session.timeout.ms", "1000"), false))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("consumer.session.timeout.ms must be in the range 45000 to 60000 inclusive.");
        assertThatThrownBy(() -> configs.alter("g", Map.of("no.such", "1"), false))
                .hasMessage("Unknown group config name: no.such");
        assertThatThrownBy(() -> configs.alter("g", Map.of("share.delivery.count.limit", "x"), false))
                .hasMessage("Invalid value x for configuration share.delivery.count.limit: Not a number of type INT");
        assertThatThrownBy(() -> configs.alter("g", Map.of("share.auto.offset.reset", "by_duration:-PT1H"), false))
                .hasMessageContaining("'by_duration:<PnDTnHnMn.nS>'");
        assertThatThrownBy(() -> configs.alter("g", Map.of("errors.deadletterqueue.topic.name", "__dlq"), false))
                .hasMessage("errors.deadletterqueue.topic.name: DLQ topic name must not start with '__'");
        configs.alter("g", Map.of("consumer.session.timeout.ms", "50000", "share.auto.offset.reset", "by_duration:PT1H"), true);
        assertThat(configs.overrides("g")).as("validate_only changes nothing").isEmpty();

        configs.alter("g", Map.of("consumer.session.timeout.ms", "50000", "share.auto.offset.reset", "by_duration:PT1H"), false);
        configs.alter("other group@with=odd chars", Map.of("share.isolation.level", "read_committed"), false);

        GroupConfigs reopened = new GroupConfigs(open(), BrokerConfig::defaults);
        assertThat(reopened.overrides("g")).isEqualTo(Map.of("consumer.session.timeout.ms", "50000", "share.auto.offset.reset", "by_duration:PT1H"));
        assertThat(reopened.overrides("other group@with=odd chars")).isEqualTo(Map.of("share.isolation.level", "read_committed"));
        reopened.alter("g", Map.of(), false);
        assertThat(new GroupConfigs(open(), BrokerConfig::defaults).all()).containsOnlyKeys("other group@with=odd chars");
    }

    @Test
    void theBrokersOwnBoundsApply() {
        BrokerConfig broker = BrokerConfig.defaults().with(Map.of("group.consumer.min.session.timeout.ms", "1000"));
        GroupConfigs configs = new GroupConfigs(open(), () -> broker);
        configs.alter("g", Map.of("consumer.session.timeout.ms", "1000"), false);
        assertThat(configs.forGroup("g", broker.groups()).consumerSessionTimeoutMs()).isEqualTo(1000);
        assertThat(configs.forGroup("h", broker.groups())).isSameAs(broker.groups());
    }

    @Test
    void aConsumerGroupFollowsItsOwnHeartbeatIntervalAndSessionTimeout() throws Exception {
        TopicRegistry registry = open();
        GroupConfigs configs = new GroupConfigs(registry, BrokerConfig::defaults);
        var offsets = registry.createInternal(GroupCoordinator.OFFSETS_TOPIC, 1, Map.of("cleanup.policy", "compact"));
        registry.create("orders", 1, Map.of());
        try (Flusher flusher = new Flusher("test-flusher", 0)) {
            GroupCoordinator coordinator = GroupCoordinator.start(BrokerConfig.defaults().groups(), configs, timer,
                    new GroupLog(offsets.partition(0), flusher), registry);
            String member = Uuid.randomUuid().toString();
            ConsumerGroupHeartbeatResponseData joined = heartbeat(coordinator, member, 0);
            assertThat(joined.heartbeatIntervalMs()).isEqualTo(5_000);

            configs.alter("g", Map.of("consumer.heartbeat.interval.ms", "12000", "consumer.session.timeout.ms", "60000"), false);
            ConsumerGroupHeartbeatResponseData next = heartbeat(coordinator, member, joined.memberEpoch());
            assertThat(next.heartbeatIntervalMs()).as("the group's own interval, at the next heartbeat").isEqualTo(12_000);

            timer.advance(50_000);
            assertThat(heartbeat(coordinator, member, next.memberEpoch()).errorCode())
                    .as("still a member 50 s on: its session is the group's 60 s, not the broker's 45 s").isZero();
            timer.advance(61_000);
            assertThat(heartbeat(coordinator, member, next.memberEpoch()).errorCode())
                    .as("fenced once 60 s pass without a heartbeat").isNotZero();
        }
    }

    private static ConsumerGroupHeartbeatResponseData heartbeat(GroupCoordinator coordinator, String member, int epoch) throws Exception {
        ConsumerGroupHeartbeatRequestData req = new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId(member)
                .setMemberEpoch(epoch).setRebalanceTimeoutMs(30_000);
        if (epoch == 0) {
            req.setSubscribedTopicNames(List.of("orders"));
        }
        return coordinator.consumerGroupHeartbeat(req, (short) 1, "client", "/127.0.0.1").get();
    }

    @Test
    void clientMetricsSubscriptionsAreValidatedKeptAndDeleted() {
        ClientMetricsSubscriptions subs = new ClientMetricsSubscriptions(open());
        assertThatThrownBy(() -> subs.alter("s", Map.of("interval.ms", "10"), false))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("Invalid value 10 for interval.ms, interval must be between 100 and 3600000 (1 hour)");
        assertThatThrownBy(() -> subs.alter("s", Map.of("match", "client_id=["), false))
                .hasMessage("Illegal client matching pattern: client_id=[");
        assertThatThrownBy(() -> subs.alter("s", Map.of("match", "foo=bar"), false))
                .hasMessage("Illegal client matching pattern: foo=bar");
        assertThatThrownBy(() -> subs.alter("s", Map.of("foo", "1"), false))
                .hasMessage("Unknown client metrics configuration: foo");
        subs.alter("s2", Map.of("metrics", "org.apache.kafka.producer.", "interval.ms", "1000",
                "match", "client_id=app.*,client_software_name=apache-kafka-java"), false);
        subs.alter("s1", Map.of("metrics", "*"), false);

        ClientMetricsSubscriptions reopened = new ClientMetricsSubscriptions(open());
        assertThat(reopened.names()).containsExactly("s1", "s2");
        assertThat(reopened.configs("s2")).containsEntry("match", "client_id=app.*,client_software_name=apache-kafka-java");
        reopened.alter("s2", Map.of(), false);
        assertThat(new ClientMetricsSubscriptions(open()).names()).containsExactly("s1");
    }
}
