package dev.brook.log;

import java.io.Closeable;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * The storage behind one partition: an append-only sequence of Kafka v2 record batches with contiguous offsets. Two
 * kinds: {@link Log}, durable on disk, and {@link MemoryLog}, a bounded buffer in memory that never touches the disk.
 *
 * <p>Both validate and de-duplicate appends the same way and assign offsets the same way; they differ in what
 * survives a restart (everything below {@link #flushedOffset()}, or nothing) and in what retention bounds.
 */
public interface PartitionLog extends Closeable {

    /**
     * Validates the batches, de-duplicates idempotent producers, assigns offsets and stores them.
     *
     * @throws LogException with the Kafka error for the client; nothing is stored then
     */
    AppendResult append(MemoryRecords records);

    /**
     * As {@link #append(MemoryRecords)}, putting a transactional batch that would open its producer's transaction here
     * to {@code verifier} first (under the log's lock; see {@link TransactionVerifier}).
     */
    AppendResult append(MemoryRecords records, TransactionVerifier verifier);

    /**
     * Writes a transaction's commit or abort marker (see {@link Log#appendMarker}).
     *
     * @throws LogException where the storage keeps no transactions
     */
    default AppendResult appendMarker(long producerId, short producerEpoch, boolean commit, int coordinatorEpoch) {
        throw new LogException(Errors.INVALID_TXN_STATE, "this partition's storage does not take transactions");
    }

    /** Batches starting below {@code maxOffset} only; see {@link Log#read(long, int, long)}. */
    ReadResult read(long offset, int maxBytes, long maxOffset);

    /** Where read_committed consumers stop: the first offset of the oldest open transaction, or the log end. */
    default long lastStableOffset() {
        return logEndOffset();
    }

    /** The aborted transactions with records in {@code [from, upTo)}; see {@link Log#abortedTransactions}. */
    default List<AbortedTransaction> abortedTransactions(long from, long upTo) {
        return List.of();
    }

    /** The producers this log remembers (DescribeProducers). */
    List<ProducerState> producerStates();

    /**
     * Whole batches from the one containing {@code offset}, up to {@code maxBytes} but at least one batch.
     *
     * @throws LogException OFFSET_OUT_OF_RANGE below the log start or above the log end
     */
    ReadResult read(long offset, int maxBytes);

    long logStartOffset();

    long logEndOffset();

    /** Offsets below this survive a crash of the process: on disk, fsynced; for memory, every offset is as flushed as it gets. */
    long flushedOffset();

    /** Messages appended and not yet fsynced; {@code flush.messages} compares against this. */
    default long unflushedMessages() {
        return logEndOffset() - flushedOffset();
    }

    /** Makes everything appended so far as durable as this storage makes anything. */
    void flush();

    /** The first record whose timestamp is at or after {@code timestamp}. */
    Optional<TimestampOffset> offsetForTimestamp(long timestamp);

    /** The record with the largest timestamp (ListOffsets MAX_TIMESTAMP). */
    Optional<TimestampOffset> maxTimestampOffset();

    /**
     * DeleteRecords: moves the log start offset up to {@code offset}.
     *
     * @return the new log start offset
     * @throws LogException OFFSET_OUT_OF_RANGE when {@code offset} is beyond the log end
     */
    long deleteRecordsBefore(long offset);

    /** Applies {@code retention.ms} and {@code retention.bytes}; returns how many units (segments, batches) it dropped. */
    int applyRetention();

    void updateConfig(LogConfig config);

    LogConfig config();

    long sizeInBytes();

    /** Whether what is stored survives a restart. */
    boolean persistent();

    /** Drops everything stored (and on disk, the files). */
    void delete();

    @Override
    void close();
}
