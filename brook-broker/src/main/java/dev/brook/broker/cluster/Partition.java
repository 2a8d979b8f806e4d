package dev.brook.broker.cluster;

import dev.brook.log.AppendResult;
import dev.brook.log.PartitionLog;
import dev.brook.log.ReadResult;
import dev.brook.log.TimestampOffset;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * One partition of a topic on this broker: what handlers read and append through, whatever stores it (the disk
 * {@link dev.brook.log.Log} or, for {@code brook.storage=memory} topics, a {@link dev.brook.log.MemoryLog}), and the
 * hook that wakes fetches waiting for data. On a single node this broker is always the leader, at leader epoch 0, and
 * the high watermark is the log end offset. Safe to use from any thread; the storage serializes appends.
 */
public final class Partition {
    /** The leader epoch Brook reports: one broker, never re-elected. */
    public static final int LEADER_EPOCH = 0;

    private final TopicPartition topicPartition;
    private final Uuid topicId;
    private final PartitionLog storage;
    private final AppendListener listener;

    Partition(TopicPartition topicPartition, Uuid topicId, PartitionLog storage, AppendListener listener) {
        this.topicPartition = topicPartition;
        this.topicId = topicId;
        this.storage = storage;
        this.listener = listener;
    }

    /** Appends the batches and wakes fetches waiting on this partition. */
    public AppendResult append(MemoryRecords records) {
        AppendResult result = storage.append(records);
        if (!result.duplicate()) {
            listener.onAppend(topicPartition);
        }
        return result;
    }

    /**
     * Appends the batches, a transactional one that would open its producer's transaction here only if {@code verifier}
     * agrees (under the log's lock), and wakes fetches waiting on this partition.
     */
    public AppendResult append(MemoryRecords records, dev.brook.log.TransactionVerifier verifier) {
        AppendResult result = storage.append(records, verifier);
        if (!result.duplicate()) {
            listener.onAppend(topicPartition);
        }
        return result;
    }

    /** Writes a transaction's commit or abort marker and wakes fetches (read_committed ones wait for it). */
    public AppendResult appendMarker(long producerId, short producerEpoch, boolean commit, int coordinatorEpoch) {
        AppendResult result = storage.appendMarker(producerId, producerEpoch, commit, coordinatorEpoch);
        listener.onAppend(topicPartition);
        return result;
    }

    /**
     * Hands every data record from the log start to the log end (as of each read) to {@code action}, in offset order,
     * skipping transaction markers: how the coordinators replay their internal topics at startup.
     */
    public void forEachRecord(java.util.function.Consumer<org.apache.kafka.common.record.internal.Record> action) {
        long next = logStartOffset();
        while (next < logEndOffset()) {
            ReadResult read = read(next, 1 << 20);
            long before = next;
            for (org.apache.kafka.common.record.internal.RecordBatch batch : read.records().batches()) {
                if (!batch.isControlBatch()) {
                    for (org.apache.kafka.common.record.internal.Record r : batch) {
                        if (r.offset() >= next) {
                            action.accept(r);
                        }
                    }
                }
                next = batch.nextOffset();
            }
            if (next == before) {
                break;
            }
        }
    }

    /** Batches starting below {@code maxOffset} (a read_committed fetch passes the last stable offset). */
    public ReadResult read(long offset, int maxBytes, long maxOffset) {
        return storage.read(offset, maxBytes, maxOffset);
    }

    /** Where read_committed consumers stop: below it every transaction is decided. */
    public long lastStableOffset() {
        return storage.lastStableOffset();
    }

    /** The aborted transactions with records in {@code [from, upTo)}. */
    public java.util.List<dev.brook.log.AbortedTransaction> abortedTransactions(long from, long upTo) {
        return storage.abortedTransactions(from, upTo);
    }

    /** Whole batches from the one holding {@code offset}, up to {@code maxBytes} but at least one; see {@link PartitionLog#read}. */
    public ReadResult read(long offset, int maxBytes) {
        return storage.read(offset, maxBytes);
    }

    public long logStartOffset() {
        return storage.logStartOffset();
    }

    public long logEndOffset() {
        return storage.logEndOffset();
    }

    /** The offset up to which consumers may read; the log end on a single node. */
    public long highWatermark() {
        return storage.logEndOffset();
    }

    /** The first record at or after {@code timestamp} (ListOffsets by time). */
    public Optional<TimestampOffset> offsetForTimestamp(long timestamp) {
        return storage.offsetForTimestamp(timestamp);
    }

    /** The record with the largest timestamp (ListOffsets MAX_TIMESTAMP). */
    public Optional<TimestampOffset> maxTimestampOffset() {
        return storage.maxTimestampOffset();
    }

    /** DeleteRecords: the new log start offset. */
    public long deleteRecordsBefore(long offset) {
        return storage.deleteRecordsBefore(offset);
    }

    /**
     * Whether a produce that appended up to here must wait for an fsync before it is answered: on disk when the
     * producer asked for it ({@code acks=all} with fsync on) or {@code flush.messages} is reached; in memory, never.
     */
    public boolean fsyncBeforeAnswer(boolean requested) {
        return storage.persistent() && (requested || storage.unflushedMessages() >= storage.config().flushMessages());
    }

    /** Whether records here live in memory only ({@code brook.storage=memory}): lost on restart. */
    public boolean inMemory() {
        return !storage.persistent();
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }

    public Uuid topicId() {
        return topicId;
    }

    /** The storage itself, for what manages it (the flusher, config changes, the group log's snapshots) rather than uses it. */
    public PartitionLog storage() {
        return storage;
    }
}
