package dev.brook.log;

/**
 * A transaction that was aborted in a log: its producer, the offsets from its first batch to its abort marker, and
 * the log's last stable offset once the marker was written. What a read_committed fetch returns beside the batches it
 * reads, so the consumer can drop the aborted ones; what the cleaner drops from a compacted log.
 */
public record AbortedTransaction(long producerId, long firstOffset, long lastOffset, long lastStableOffset) {
}
