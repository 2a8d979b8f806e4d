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
