package dev.brook.log;

import org.apache.kafka.common.record.TimestampType;

/**
 * Per-log settings, named after the Kafka topic configs they implement.
 *
 * @param segmentBytes       {@code segment.bytes}: roll the active segment once it would exceed this size
 * @param segmentMs          {@code segment.ms}: roll the active segment once its first batch is this old
 * @param retentionMs        {@code retention.ms}: delete whole segments whose newest timestamp is older; -1 keeps forever
 * @param retentionBytes     {@code retention.bytes}: delete oldest segments while the log is larger; -1 means no limit
 * @param indexIntervalBytes {@code index.interval.bytes}: bytes appended between two sparse index entries
 * @param segmentIndexBytes  {@code segment.index.bytes}: preallocated size of each offset index file
 * @param maxMessageBytes    {@code max.message.bytes}: largest record batch accepted
 * @param timestampType      {@code message.timestamp.type}: CreateTime keeps the producer's, LogAppendTime stamps the broker's
 * @param flushMessages      {@code flush.messages}: fsync once this many messages are appended but not yet fsynced; the
 *                           produce request that reaches it is answered after the fsync, whatever its acks
 * @param flushMs            {@code flush.ms}: fsync once the last fsync is this old and there is data to flush (checked
 *                           every {@code log.flush.scheduler.interval.ms})
 * @param compacted          {@code cleanup.policy} includes {@code compact}: records must have keys
 * @param timestampBeforeMaxMs {@code message.timestamp.before.max.ms}: a CreateTime record may be at most this much
 *                           older than the broker's clock
 * @param timestampAfterMaxMs {@code message.timestamp.after.max.ms}: and at most this much newer
 * @param compaction         how a compacted log is cleaned ({@link LogCleaner})
 */
public record LogConfig(
        int segmentBytes,
        long segmentMs,
        long retentionMs,
        long retentionBytes,
        int indexIntervalBytes,
        int segmentIndexBytes,
        int maxMessageBytes,
        TimestampType timestampType,
        long flushMessages,
        long flushMs,
        boolean compacted,
        long timestampBeforeMaxMs,
        long timestampAfterMaxMs,
        Compaction compaction) {

    /** Without compaction settings: Kafka's defaults for them. */
    public LogConfig(int segmentBytes, long segmentMs, long retentionMs, long retentionBytes, int indexIntervalBytes,
                     int segmentIndexBytes, int maxMessageBytes, TimestampType timestampType, long flushMessages, long flushMs,
                     boolean compacted, long timestampBeforeMaxMs, long timestampAfterMaxMs) {
        this(segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes, segmentIndexBytes, maxMessageBytes,
                timestampType, flushMessages, flushMs, compacted, timestampBeforeMaxMs, timestampAfterMaxMs, Compaction.DEFAULTS);
    }

    /** Kafka's defaults. */
    public static LogConfig defaults() {
        return new LogConfig(1 << 30, 7L * 24 * 3600 * 1000, 7L * 24 * 3600 * 1000, -1L,
                4096, 10 * 1024 * 1024, 1024 * 1024 + 12, TimestampType.CREATE_TIME, Long.MAX_VALUE, Long.MAX_VALUE,
                false, Long.MAX_VALUE, 3_600_000L, Compaction.DEFAULTS);
    }

    public LogConfig withSegmentBytes(int v) {
        return new LogConfig(v, segmentMs, retentionMs, retentionBytes, indexIntervalBytes, segmentIndexBytes, maxMessageBytes, timestampType, flushMessages, flushMs, compacted, timestampBeforeMaxMs, timestampAfterMaxMs, compaction);
    }

    public LogConfig withSegmentMs(long v) {
        return new LogConfig(segmentBytes, v, retentionMs, retentionBytes, indexIntervalBytes, segmentIndexBytes, maxMessageBytes, timestampType, flushMessages, flushMs, compacted, timestampBeforeMaxMs, timestampAfterMaxMs, compaction);
    }

    public LogConfig withRetentionMs(long v) {
        return new LogConfig(segmentBytes, segmentMs, v, retentionBytes, indexIntervalBytes, segmentIndexBytes, maxMessageBytes, timestampType, flushMessages, flushMs, compacted, timestampBeforeMaxMs, timestampAfterMaxMs, compaction);
    }

    public LogConfig withRetentionBytes(long v) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, v, indexIntervalBytes, segmentIndexBytes, maxMessageBytes, timestampType, flushMessages, flushMs, compacted, timestampBeforeMaxMs, timestampAfterMaxMs, compaction);
    }

    public LogConfig withIndexIntervalBytes(int v) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, v, segmentIndexBytes, maxMessageBytes, timestampType, flushMessages, flushMs, compacted, timestampBeforeMaxMs, timestampAfterMaxMs, compaction);
    }

    public LogConfig withSegmentIndexBytes(int v) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes, v, maxMessageBytes, timestampType, flushMessages, flushMs, compacted, timestampBeforeMaxMs, timestampAfterMaxMs, compaction);
    }

    public LogConfig withMaxMessageBytes(int v) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes, segmentIndexBytes, v, timestampType, flushMessages, flushMs, compacted, timestampBeforeMaxMs, timestampAfterMaxMs, compaction);
    }

    public LogConfig withTimestampType(TimestampType v) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes, segmentIndexBytes, maxMessageBytes, v, flushMessages, flushMs, compacted, timestampBeforeMaxMs, timestampAfterMaxMs, compaction);
    }

    public LogConfig withFlushMessages(long v) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes, segmentIndexBytes, maxMessageBytes, timestampType, v, flushMs, compacted, timestampBeforeMaxMs, timestampAfterMaxMs, compaction);
    }

    public LogConfig withFlushMs(long v) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes, segmentIndexBytes, maxMessageBytes, timestampType, flushMessages, v, compacted, timestampBeforeMaxMs, timestampAfterMaxMs, compaction);
    }

    public LogConfig withCompacted(boolean v) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes, segmentIndexBytes, maxMessageBytes, timestampType, flushMessages, flushMs, v, timestampBeforeMaxMs, timestampAfterMaxMs, compaction);
    }

    public LogConfig withTimestampBeforeMaxMs(long v) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes, segmentIndexBytes, maxMessageBytes, timestampType, flushMessages, flushMs, compacted, v, timestampAfterMaxMs, compaction);
    }

    public LogConfig withTimestampAfterMaxMs(long v) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes, segmentIndexBytes, maxMessageBytes, timestampType, flushMessages, flushMs, compacted, timestampBeforeMaxMs, v, compaction);
    }

    public LogConfig withCompaction(Compaction v) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes, segmentIndexBytes, maxMessageBytes, timestampType, flushMessages, flushMs, compacted, timestampBeforeMaxMs, timestampAfterMaxMs, v);
    }
}
