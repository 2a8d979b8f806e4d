package dev.brook.streams;

/**
 * Where a task's records go: result topics, repartition topics, changelogs and the late side output. The Kafka
 * runner sends them with a producer; the {@link TestDriver} keeps them in memory.
 */
interface TaskOutput {
    /** {@code partition} -1 lets the producer's partitioner choose. */
    void send(String topic, int partition, byte[] key, byte[] value, long timestamp);

    /**
     * A record for a repartition topic with the upstream task's {@code sequence} (see {@link Task#sequence}), which the
     * downstream task uses to drop what a restarted upstream task writes a second time; {@code null}: none.
     */
    default void send(String topic, int partition, byte[] key, byte[] value, long timestamp, byte[] sequence) {
        send(topic, partition, key, value, timestamp);
    }

    /** A watermark marker from upstream task {@code origin} on a repartition topic; {@code idle} when it has no input. */
    void sendWatermark(String topic, int partition, int origin, long watermark, boolean idle);

    int partitionsOf(String topic);

    /**
     * Whether the reader knows it has read everything that partition {@code partition} of {@code topic} holds. A quiet
     * input partition only counts as idle when this is true as well: records that exist but have not been fetched yet
     * (a slow first fetch, a partition the broker has only just made ready) must not arrive behind a watermark that
     * moved on without them, where they would be late.
     */
    boolean caughtUp(String topic, int partition);
}
