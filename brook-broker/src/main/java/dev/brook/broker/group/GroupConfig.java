package dev.brook.broker.group;

/**
 * Group coordinator settings, named after Kafka's broker configs.
 *
 * @param minSessionTimeoutMs             {@code group.min.session.timeout.ms}
 * @param maxSessionTimeoutMs             {@code group.max.session.timeout.ms}
 * @param initialRebalanceDelayMs         {@code group.initial.rebalance.delay.ms}: how long a new classic group waits for
 *                                   more members before its first rebalance (Brook's default is short: 300 ms)
 * @param maxGroupSize                    {@code group.max.size}
 * @param offsetsRetentionMs              {@code offsets.retention.ms}: offsets of an empty group expire this long after it emptied
 * @param offsetMetadataMaxBytes          {@code offset.metadata.max.bytes}
 * @param consumerSessionTimeoutMs        {@code group.consumer.session.timeout.ms} (KIP-848 groups)
 * @param consumerHeartbeatIntervalMs     {@code group.consumer.heartbeat.interval.ms} (KIP-848 groups)
 * @param consumerMinSessionTimeoutMs     {@code group.consumer.min.session.timeout.ms}: the least a group's own
 *                                   {@code consumer.session.timeout.ms} may be
 * @param consumerMaxSessionTimeoutMs     {@code group.consumer.max.session.timeout.ms}
 * @param consumerMinHeartbeatIntervalMs  {@code group.consumer.min.heartbeat.interval.ms}
 * @param consumerMaxHeartbeatIntervalMs  {@code group.consumer.max.heartbeat.interval.ms}
 */
public record GroupConfig(int minSessionTimeoutMs, int maxSessionTimeoutMs, int initialRebalanceDelayMs, int maxGroupSize, long offsetsRetentionMs, int offsetMetadataMaxBytes, int consumerSessionTimeoutMs, int consumerHeartbeatIntervalMs, int consumerMinSessionTimeoutMs, int consumerMaxSessionTimeoutMs, int consumerMinHeartbeatIntervalMs, int consumerMaxHeartbeatIntervalMs) {

    public static GroupConfig defaults() {
        return new GroupConfig(6_000, 1_800_000, 300, Integer.MAX_VALUE, 7L * 24 * 3600 * 1000, 4096, 45_000, 5_000,
                45_000, 60_000, 5_000, 15_000);
    }

    public GroupConfig withMinSessionTimeoutMs(int v) {
        return new GroupConfig(v, maxSessionTimeoutMs, initialRebalanceDelayMs, maxGroupSize, offsetsRetentionMs, offsetMetadataMaxBytes, consumerSessionTimeoutMs, consumerHeartbeatIntervalMs, consumerMinSessionTimeoutMs, consumerMaxSessionTimeoutMs, consumerMinHeartbeatIntervalMs, consumerMaxHeartbeatIntervalMs);
    }

    public GroupConfig withMaxSessionTimeoutMs(int v) {
        return new GroupConfig(minSessionTimeoutMs, v, initialRebalanceDelayMs, maxGroupSize, offsetsRetentionMs, offsetMetadataMaxBytes, consumerSessionTimeoutMs, consumerHeartbeatIntervalMs, consumerMinSessionTimeoutMs, consumerMaxSessionTimeoutMs, consumerMinHeartbeatIntervalMs, consumerMaxHeartbeatIntervalMs);
    }

    public GroupConfig withInitialRebalanceDelayMs(int v) {
        return new GroupConfig(minSessionTimeoutMs, maxSessionTimeoutMs, v, maxGroupSize, offsetsRetentionMs, offsetMetadataMaxBytes, consumerSessionTimeoutMs, consumerHeartbeatIntervalMs, consumerMinSessionTimeoutMs, consumerMaxSessionTimeoutMs, consumerMinHeartbeatIntervalMs, consumerMaxHeartbeatIntervalMs);
    }

    public GroupConfig withMaxGroupSize(int v) {
        return new GroupConfig(minSessionTimeoutMs, maxSessionTimeoutMs, initialRebalanceDelayMs, v, offsetsRetentionMs, offsetMetadataMaxBytes, consumerSessionTimeoutMs, consumerHeartbeatIntervalMs, consumerMinSessionTimeoutMs, consumerMaxSessionTimeoutMs, consumerMinHeartbeatIntervalMs, consumerMaxHeartbeatIntervalMs);
    }

    public GroupConfig withOffsetsRetentionMs(long v) {
        return new GroupConfig(minSessionTimeoutMs, maxSessionTimeoutMs, initialRebalanceDelayMs, maxGroupSize, v, offsetMetadataMaxBytes, consumerSessionTimeoutMs, consumerHeartbeatIntervalMs, consumerMinSessionTimeoutMs, consumerMaxSessionTimeoutMs, consumerMinHeartbeatIntervalMs, consumerMaxHeartbeatIntervalMs);
    }

    public GroupConfig withOffsetMetadataMaxBytes(int v) {
        return new GroupConfig(minSessionTimeoutMs, maxSessionTimeoutMs, initialRebalanceDelayMs, maxGroupSize, offsetsRetentionMs, v, consumerSessionTimeoutMs, consumerHeartbeatIntervalMs, consumerMinSessionTimeoutMs, consumerMaxSessionTimeoutMs, consumerMinHeartbeatIntervalMs, consumerMaxHeartbeatIntervalMs);
    }

    public GroupConfig withConsumerSessionTimeoutMs(int v) {
        return new GroupConfig(minSessionTimeoutMs, maxSessionTimeoutMs, initialRebalanceDelayMs, maxGroupSize, offsetsRetentionMs, offsetMetadataMaxBytes, v, consumerHeartbeatIntervalMs, consumerMinSessionTimeoutMs, consumerMaxSessionTimeoutMs, consumerMinHeartbeatIntervalMs, consumerMaxHeartbeatIntervalMs);
    }

    public GroupConfig withConsumerHeartbeatIntervalMs(int v) {
        return new GroupConfig(minSessionTimeoutMs, maxSessionTimeoutMs, initialRebalanceDelayMs, maxGroupSize, offsetsRetentionMs, offsetMetadataMaxBytes, consumerSessionTimeoutMs, v, consumerMinSessionTimeoutMs, consumerMaxSessionTimeoutMs, consumerMinHeartbeatIntervalMs, consumerMaxHeartbeatIntervalMs);
    }

    public GroupConfig withConsumerMinSessionTimeoutMs(int v) {
        return new GroupConfig(minSessionTimeoutMs, maxSessionTimeoutMs, initialRebalanceDelayMs, maxGroupSize, offsetsRetentionMs, offsetMetadataMaxBytes, consumerSessionTimeoutMs, consumerHeartbeatIntervalMs, v, consumerMaxSessionTimeoutMs, consumerMinHeartbeatIntervalMs, consumerMaxHeartbeatIntervalMs);
    }

    public GroupConfig withConsumerMaxSessionTimeoutMs(int v) {
        return new GroupConfig(minSessionTimeoutMs, maxSessionTimeoutMs, initialRebalanceDelayMs, maxGroupSize, offsetsRetentionMs, offsetMetadataMaxBytes, consumerSessionTimeoutMs, consumerHeartbeatIntervalMs, consumerMinSessionTimeoutMs, v, consumerMinHeartbeatIntervalMs, consumerMaxHeartbeatIntervalMs);
    }

    public GroupConfig withConsumerMinHeartbeatIntervalMs(int v) {
        return new GroupConfig(minSessionTimeoutMs, maxSessionTimeoutMs, initialRebalanceDelayMs, maxGroupSize, offsetsRetentionMs, offsetMetadataMaxBytes, consumerSessionTimeoutMs, consumerHeartbeatIntervalMs, consumerMinSessionTimeoutMs, consumerMaxSessionTimeoutMs, v, consumerMaxHeartbeatIntervalMs);
    }

    public GroupConfig withConsumerMaxHeartbeatIntervalMs(int v) {
        return new GroupConfig(minSessionTimeoutMs, maxSessionTimeoutMs, initialRebalanceDelayMs, maxGroupSize, offsetsRetentionMs, offsetMetadataMaxBytes, consumerSessionTimeoutMs, consumerHeartbeatIntervalMs, consumerMinSessionTimeoutMs, consumerMaxSessionTimeoutMs, consumerMinHeartbeatIntervalMs, v);
    }
}
