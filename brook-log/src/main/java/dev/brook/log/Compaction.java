package dev.brook.log;

/**
 * How a compacted log ({@code cleanup.policy} includes {@code compact}) is cleaned, named after Kafka's topic configs.
 *
 * @param minCleanableDirtyRatio {@code min.cleanable.dirty.ratio}: clean once the not-yet-cleaned bytes are this share of
 *                               the cleanable bytes
 * @param minCompactionLagMs     {@code min.compaction.lag.ms}: a record stays uncompacted at least this long (a segment
 *                               is cleanable once its newest timestamp is this old)
 * @param maxCompactionLagMs     {@code max.compaction.lag.ms}: a record is eligible for cleaning at most this long after
 *                               it was written, whatever the dirty ratio (the active segment rolls by then too)
 * @param deleteRetentionMs      {@code delete.retention.ms}: a tombstone survives this long after the cleaning that
 *                               first kept it as the latest value of its key, so consumers that are behind see it
 */
public record Compaction(double minCleanableDirtyRatio, long minCompactionLagMs, long maxCompactionLagMs, long deleteRetentionMs) {
    /** Kafka's defaults. */
    public static final Compaction DEFAULTS = new Compaction(0.5, 0, Long.MAX_VALUE, 24L * 3600 * 1000);
}
