package dev.brook.broker.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brook.broker.BrokerConfigException;
import dev.brook.log.LogConfig;
import java.util.Map;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class TopicConfigsTest {
    private final LogConfig broker = LogConfig.defaults();

    @Test
    void unsetConfigsFollowTheBrokerDefaults() {
        LogConfig c = TopicConfigs.toLogConfig(broker, Map.of());
        assertThat(c).isEqualTo(broker);
    }

    @Test
    void overridesReachTheLogConfig() {
        LogConfig c = TopicConfigs.toLogConfig(broker, Map.of("retention.ms", "60000", "segment.bytes", "4096",
                "message.timestamp.type", "LogAppendTime", "max.message.bytes", "2048"));
        assertThat(c.retentionMs()).isEqualTo(60_000);
        assertThat(c.segmentBytes()).isEqualTo(4096);
        assertThat(c.maxMessageBytes()).isEqualTo(2048);
        assertThat(c.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
    }

    @Test
    void compactedTopicsAreNeverTrimmedByRetention() {
        LogConfig c = TopicConfigs.toLogConfig(broker, Map.of("cleanup.policy", "compact", "retention.ms", "1000"));
        assertThat(c.retentionMs()).isEqualTo(-1);
        assertThat(c.retentionBytes()).isEqualTo(-1);
    }

    @Test
    void rejectsUnknownNamesAndBadValues() {
        assertThatThrownBy(() -> TopicConfigs.validate("retention.msx", "1")).isInstanceOf(BrokerConfigException.class)
                .hasMessageContaining("unknown topic config");
        assertThatThrownBy(() -> TopicConfigs.validate("retention.ms", "-2")).hasMessageContaining("at least -1");
        assertThatThrownBy(() -> TopicConfigs.validate("cleanup.policy", "delete,shred")).hasMessageContaining("delete and compact");
        assertThatThrownBy(() -> TopicConfigs.validate("segment.bytes", "99999999999")).hasMessageContaining("32-bit");
        assertThatThrownBy(() -> TopicConfigs.validate("compression.type", "zstd")).hasMessageContaining("producer");
    }

    @Test
    void acceptsWhatKafkaStreamsSetsOnItsInternalTopics() {
        TopicConfigs.validateAll(Map.of("cleanup.policy", "compact,delete", "retention.ms", "-1",
                "segment.bytes", "52428800", "message.timestamp.type", "CreateTime", "min.compaction.lag.ms", "0"));
    }
}
