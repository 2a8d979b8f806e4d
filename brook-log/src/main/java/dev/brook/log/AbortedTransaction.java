package dev.brook.log;

/**
 * A transaction that was aborted in a log: its producer, the offsets from its first batch to its abort marker, and
 * the log's last stable offset once the marker was written. What a read_committed fetch returns beside the batches it
 * reads, so the consumer can drop the aborted ones; what the cleaner drops from a compacted log.
 */
public record AbortedTransaction(long producerId, long firstOffset, long lastOffset, long lastStableOffset) {

    /** Whether a transactional batch of {@code producerId} starting at {@code baseOffset} belongs to this transaction. */
    public boolean covers(long producerId, long baseOffset) {
        return this.producerId == producerId && firstOffset <= baseOffset && baseOffset <= lastOffset;
    }

    /** Whether one of {@code aborted} holds the transactional batch of {@code producerId} at {@code baseOffset}. */
    public static boolean anyCovers(java.util.List<AbortedTransaction> aborted, long producerId, long baseOffset) {
        for (AbortedTransaction t : aborted) {
            if (t.covers(producerId, baseOffset)) {
                return true;
            }
        }
        return false;
    }
}
