package dev.brook.log;

/**
 * What {@link Log#append} did with a set of batches.
 *
 * @param firstOffset   offset assigned to the first record
 * @param lastOffset    offset assigned to the last record
 * @param logAppendTime the broker time stamped on the batches, or -1 when the log keeps CreateTime
 * @param logStartOffset the log start offset after the append
 * @param duplicate     true when the batch repeated one of the producer's last five and nothing was written;
 *                      the offsets are then those of the original append
 */
public record AppendResult(long firstOffset, long lastOffset, long logAppendTime, long logStartOffset,
                           boolean duplicate) {
}
