package dev.brook.log;

import java.io.Closeable;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * One partition's durable, segmented, append-only log of Kafka v2 record batches.
 * (Contract only; the storage engine fills it in.)
 */
public final class Log implements Closeable {

    /** Opens (creating if absent) the log in {@code dir}; when {@code recover} is true, re-validates from {@code recoveryPoint}. */
    public static Log open(Path dir, LogConfig config, Clock clock, boolean recover, long recoveryPoint) {
        throw new UnsupportedOperationException("storage engine pending");
    }

    /** Validates the batches, de-duplicates idempotent producers, assigns offsets and writes them. Thread-safe. */
    public AppendResult append(MemoryRecords records) {
        throw new UnsupportedOperationException("storage engine pending");
    }

    /** Reads whole batches from the one containing {@code offset}, up to {@code maxBytes} but always at least one batch. */
    public ReadResult read(long offset, int maxBytes) {
        throw new UnsupportedOperationException("storage engine pending");
    }

    public long logStartOffset() { throw new UnsupportedOperationException(); }

    public long logEndOffset() { throw new UnsupportedOperationException(); }

    /** Offsets below this are fsynced. */
    public long flushedOffset() { throw new UnsupportedOperationException(); }

    /** The first record whose timestamp is at or after {@code timestamp}. */
    public Optional<TimestampOffset> offsetForTimestamp(long timestamp) { throw new UnsupportedOperationException(); }

    /** The record with the largest timestamp (ListOffsets MAX_TIMESTAMP). */
    public Optional<TimestampOffset> maxTimestampOffset() { throw new UnsupportedOperationException(); }

    /** fsyncs everything appended so far. */
    public void flush() { throw new UnsupportedOperationException(); }

    /** DeleteRecords: moves the log start offset up to {@code offset} (durably) and drops whole segments below it. */
    public long deleteRecordsBefore(long offset) { throw new UnsupportedOperationException(); }

    /** Applies retention by time and size; returns the number of segments deleted. */
    public int applyRetention() { throw new UnsupportedOperationException(); }

    public void updateConfig(LogConfig config) { throw new UnsupportedOperationException(); }

    public LogConfig config() { throw new UnsupportedOperationException(); }

    public long sizeInBytes() { throw new UnsupportedOperationException(); }

    public Path dir() { throw new UnsupportedOperationException(); }

    /** Closes and removes the log's directory. */
    public void delete() { throw new UnsupportedOperationException(); }

    @Override
    public void close() { throw new UnsupportedOperationException(); }
}
