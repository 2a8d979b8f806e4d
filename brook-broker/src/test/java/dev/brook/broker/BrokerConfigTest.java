package dev.brook.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Paths;
import java.util.Map;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class BrokerConfigTest {

    @Test
    void defaultsListenOnLoopback9092WithDataInBrookData() {
        BrokerConfig c = BrokerConfig.defaults();
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.port()).isEqualTo(9092);
        assertThat(c.dataDir()).isEqualTo(Paths.get("brook-data"));
        assertThat(c.autoCreateTopics()).isTrue();
        assertThat(c.fsyncOnAcksAll()).isTrue();
    }

    @Test
    void appliesKafkaNamedOverrides() {
        BrokerConfig c = BrokerConfig.defaults().with(Map.of(
                "listeners", "PLAINTEXT://0.0.0.0:19092",
                "auto.create.topics.enable", "false",
                "num.partitions", "3",
                "log.retention.hours", "2",
                "log.segment.bytes", "1048576",
                "log.message.timestamp.type", "LogAppendTime"));
        assertThat(c.host()).isEqualTo("0.0.0.0");
        assertThat(c.port()).isEqualTo(19092);
        assertThat(c.autoCreateTopics()).isFalse();
        assertThat(c.defaultPartitions()).isEqualTo(3);
        assertThat(c.logDefaults().retentionMs()).isEqualTo(7_200_000L);
        assertThat(c.logDefaults().segmentBytes()).isEqualTo(1_048_576);
        assertThat(c.logDefaults().timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
    }

    /** The config/server.properties Kafka 4.4 ships for a single KRaft node, as a user brings it along. */
    private static final Map<String, String> KAFKA_SERVER_PROPERTIES = Map.ofEntries(
            Map.entry("process.roles", "broker,controller"), Map.entry("node.id", "1"),
            Map.entry("controller.quorum.bootstrap.servers", "localhost:9093"),
            Map.entry("listeners", "PLAINTEXT://:9092,CONTROLLER://:9093"),
            Map.entry("inter.broker.listener.name", "PLAINTEXT"),
            Map.entry("advertised.listeners", "PLAINTEXT://localhost:9092,CONTROLLER://localhost:9093"),
            Map.entry("controller.listener.names", "CONTROLLER"),
            Map.entry("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL"),
            Map.entry("num.network.threads", "3"), Map.entry("num.io.threads", "8"),
            Map.entry("socket.send.buffer.bytes", "102400"), Map.entry("socket.receive.buffer.bytes", "102400"),
            Map.entry("socket.request.max.bytes", "104857600"), Map.entry("log.dirs", "/tmp/kraft-combined-logs"),
            Map.entry("num.partitions", "1"), Map.entry("num.recovery.threads.per.data.dir", "1"),
            Map.entry("offsets.topic.replication.factor", "1"), Map.entry("share.coordinator.state.topic.replication.factor", "1"),
            Map.entry("share.coordinator.state.topic.min.isr", "1"), Map.entry("transaction.state.log.replication.factor", "1"),
            Map.entry("transaction.state.log.min.isr", "1"), Map.entry("log.retention.hours", "168"),
            Map.entry("log.segment.bytes", "1073741824"), Map.entry("log.retention.check.interval.ms", "300000"));

    @Test
    void takesKafkasOwnServerPropertiesServingItsPlaintextListenerAndAdvertisingWhatItSays() {
        BrokerConfig c = BrokerConfig.defaults().with(KAFKA_SERVER_PROPERTIES);
        assertThat(c.port()).as("the PLAINTEXT listener, not the controller's").isEqualTo(9092);
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.advertised()).isEqualTo(new Listeners.Endpoint("PLAINTEXT", "localhost", 9092));
        assertThat(c.dataDir()).isEqualTo(Paths.get("/tmp/kraft-combined-logs"));
        assertThat(c.logDefaults().retentionMs()).isEqualTo(168 * 3_600_000L);
        assertThat(c.describe()).containsEntry("advertised.listeners", "PLAINTEXT://localhost:9092");
    }

    @Test
    void refusesListenersAndReplicationItCannotServe() {
        assertThatThrownBy(() -> BrokerConfig.defaults().with(Map.of("listeners", "SSL://:9093")))
                .hasMessageContaining("listener SSL is SSL; Brook serves PLAINTEXT listeners only");
        assertThatThrownBy(() -> BrokerConfig.defaults().with(Map.of("listeners", "A://:9093,B://:9094",
                "listener.security.protocol.map", "A:PLAINTEXT,B:PLAINTEXT"))).hasMessageContaining("one listener, not 2");
        assertThatThrownBy(() -> BrokerConfig.defaults().with(Map.of("offsets.topic.replication.factor", "3")))
                .hasMessageContaining("offsets.topic.replication.factor=3").hasMessageContaining("must be 1");
        assertThatThrownBy(() -> BrokerConfig.defaults().with(Map.of("process.roles", "controller")))
                .hasMessageContaining("must include broker");
        assertThat(BrokerConfig.defaults().with(Map.of("listeners", "INTERNAL://127.0.0.1:9300",
                "listener.security.protocol.map", "INTERNAL:PLAINTEXT")).port()).isEqualTo(9300);
    }

    @Test
    void rejectsAnUnknownKeyNamingIt() {
        assertThatThrownBy(() -> BrokerConfig.defaults().with(Map.of("log.retention.mss", "5")))
                .isInstanceOf(BrokerConfigException.class)
                .hasMessageContaining("log.retention.mss")
                .hasMessageContaining("unknown");
    }

    @Test
    void rejectsMalformedValuesNamingTheKey() {
        assertThatThrownBy(() -> BrokerConfig.defaults().with(Map.of("num.partitions", "many")))
                .isInstanceOf(BrokerConfigException.class).hasMessageContaining("num.partitions=many");
        assertThatThrownBy(() -> BrokerConfig.defaults().with(Map.of("num.partitions", "0")))
                .isInstanceOf(BrokerConfigException.class).hasMessageContaining("at least 1");
        assertThatThrownBy(() -> BrokerConfig.defaults().with(Map.of("auto.create.topics.enable", "yes")))
                .isInstanceOf(BrokerConfigException.class).hasMessageContaining("true or false");
        assertThatThrownBy(() -> BrokerConfig.defaults().withListener("127.0.0.1", 70000))
                .isInstanceOf(BrokerConfigException.class).hasMessageContaining("65535");
    }

    @Test
    void memoryTopicsIsARegularExpressionOverWholeNamesThatNeverTakesInternalTopics() {
        BrokerConfig c = BrokerConfig.defaults().with(Map.of("brook.memory.topics", "quotes|replies\\..*"));
        assertThat(c.memoryByDefault("quotes")).isTrue();
        assertThat(c.memoryByDefault("replies.service-a")).isTrue();
        assertThat(c.memoryByDefault("quotes-archive")).as("the whole name must match").isFalse();
        assertThat(c.memoryByDefault("orders")).isFalse();
        assertThat(BrokerConfig.defaults().with(Map.of("brook.memory.topics", ".*")).memoryByDefault("__consumer_offsets")).isFalse();
        assertThat(BrokerConfig.defaults().memoryByDefault("quotes")).as("none by default").isFalse();
        assertThat(c.describe()).containsEntry("brook.memory.topics", "quotes|replies\\..*");
        assertThatThrownBy(() -> BrokerConfig.defaults().with(Map.of("brook.memory.topics", "quotes(")))
                .isInstanceOf(BrokerConfigException.class).hasMessageContaining("brook.memory.topics").hasMessageContaining("regular expression");
    }

    @Test
    void describesWhatItWasGivenUnderKafkaNames() {
        BrokerConfig c = BrokerConfig.defaults().with(Map.of("log.retention.ms", "1234"));
        assertThat(c.describe()).containsEntry("log.retention.ms", "1234").containsKey("listeners");
    }

    @Test
    void takesKafkasFlushPolicyAndRefusesCountsAndIntervalsBelowTheirMinimum() {
        BrokerConfig c = BrokerConfig.defaults().with(Map.of(
                "log.flush.interval.messages", "1000", "log.flush.interval.ms", "250", "log.flush.scheduler.interval.ms", "20"));
        assertThat(c.logDefaults().flushMessages()).isEqualTo(1000);
        assertThat(c.logDefaults().flushMs()).isEqualTo(250);
        assertThat(c.flushCheckIntervalMs()).isEqualTo(20);
        assertThat(BrokerConfig.defaults().logDefaults().flushMessages()).as("never, as in Kafka").isEqualTo(Long.MAX_VALUE);
        assertThat(c.describe()).containsEntry("log.flush.interval.messages", "1000").containsEntry("log.flush.interval.ms", "250");
        assertThatThrownBy(() -> BrokerConfig.defaults().with(Map.of("log.flush.interval.messages", "0")))
                .isInstanceOf(BrokerConfigException.class).hasMessageContaining("log.flush.interval.messages").hasMessageContaining("at least 1");
        assertThatThrownBy(() -> BrokerConfig.defaults().with(Map.of("log.flush.interval.ms", "-1")))
                .isInstanceOf(BrokerConfigException.class).hasMessageContaining("log.flush.interval.ms").hasMessageContaining("at least 0");
        assertThatThrownBy(() -> BrokerConfig.defaults().with(Map.of("log.flush.scheduler.interval.ms", "soon")))
                .isInstanceOf(BrokerConfigException.class).hasMessageContaining("not an integer");
    }

    @Test
    void groupCommitRoundsStartAtMostEveryMillisecondUnlessConfiguredOtherwise() {
        assertThat(BrokerConfig.defaults().groupCommitIntervalMicros()).isEqualTo(1_000);
        BrokerConfig c = BrokerConfig.defaults().with(Map.of("brook.group.commit.interval.us", "0"));
        assertThat(c.groupCommitIntervalMicros()).isZero();
        assertThat(c.describe()).containsEntry("brook.group.commit.interval.us", "0");
        assertThatThrownBy(() -> BrokerConfig.defaults().with(Map.of("brook.group.commit.interval.us", "-5")))
                .isInstanceOf(BrokerConfigException.class).hasMessageContaining("brook.group.commit.interval.us");
    }
}
