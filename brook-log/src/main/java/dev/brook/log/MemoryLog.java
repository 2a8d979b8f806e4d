package dev.brook.log;

import java.nio.ByteBuffer;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * One in-memory partition ({@code brook.storage=memory}): record batches kept on the heap, never written to disk, gone
 * when the process stops. Appends are validated, de-duplicated and given offsets exactly as {@link Log} does; readers
 * get the very bytes appended, so a fetch waiting at the log end is answered from memory as soon as the append
 * publishes its end offset.
 *
 * <p>Each append is kept as one chunk: a copy of the request's batches, keyed by its base offset. The buffer is
 * bounded: after every append the oldest chunks go while the partition holds more than {@code retention.bytes}
 * ({@link #DEFAULT_MAX_BYTES} when the topic sets no limit, since memory always needs one), and chunks appended more
 * than {@code retention.ms} ago go on append and on the log manager's retention checks. (Time counts from the append,
 * by the broker's clock, not from the records' timestamps as on disk: a producer whose clock is behind would otherwise
 * see its records dropped as they arrive.) The newest
 * chunk is only ever dropped by time. Sizes count the batches plus {@link #CHUNK_OVERHEAD} bytes per chunk, about
 * what the heap spends on one.
 *
 * <p>Threads: appends, retention and DeleteRecords take the lock; reads never do and never see a chunk before the end
 * offset covering it is published. A read racing with retention either gets the chunk it found (still valid: it is
 * only unreferenced, never overwritten) or OFFSET_OUT_OF_RANGE.
 */
public final class MemoryLog implements PartitionLog {
    /** The bound of a memory partition whose topic sets {@code retention.bytes=-1} (or is compacted): 64 MiB. */
    public static final long DEFAULT_MAX_BYTES = 64L << 20;
    /** Heap bytes one chunk costs beyond its batches: the map entry, the chunk and its buffer objects. */
    static final int CHUNK_OVERHEAD = 160;

    /** One append's batches, with offsets assigned. */
    private record Chunk(long baseOffset, long lastOffset, long maxTimestamp, long appendedMs, ByteBuffer data) {
        int size() {
            return data.remaining();
        }

        MemoryRecords records() {
            return MemoryRecords.readableRecords(data.duplicate());
        }
    }

    private final String name;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final ConcurrentSkipListMap<Long, Chunk> chunks = new ConcurrentSkipListMap<>();
    private final ProducerStateTable producers = new ProducerStateTable();
    private volatile LogConfig config;
    private volatile long logStartOffset;
    private volatile long logEndOffset;
    /** Accounted heap size of the chunks; written under the lock. */
    private volatile long size;

    /** @param name what logs and errors call it, such as the partition's name */
    public MemoryLog(String name, LogConfig config, Clock clock) {
        this.name = name;
        this.config = config;
        this.clock = clock;
    }

    /** The most a partition with these settings holds, in accounted bytes. */
    public static long maxBytes(LogConfig config) {
        return config.retentionBytes() >= 0 && !config.compacted() ? config.retentionBytes() : DEFAULT_MAX_BYTES;
    }

    @Override
    public AppendResult append(MemoryRecords records) {
        return append(records, TransactionVerifier.ANY);
    }

    /**
     * In-memory topics deliver at most once and keep no transactions: a transactional batch is refused with
     * INVALID_RECORD, which the producer reports at once (and aborts its transaction).
     */
    @Override
    public AppendResult append(MemoryRecords records, TransactionVerifier verifier) {
        LogConfig cfg = config;
        int total = RecordValidator.checkAppend(records, cfg, clock.millis());
        lock.lock();
        try {
            for (MutableRecordBatch batch : records.batches()) {
                if (batch.isTransactional()) {
                    throw new LogException(Errors.INVALID_RECORD, "in-memory topic " + name + " does not take transactional writes");
                }
                if (batch.hasProducerId()) {
                    ProducerStateTable.Check check = producers.check(batch);
                    if (check instanceof ProducerStateTable.Duplicate d) {
                        return new AppendResult(d.firstOffset(), d.lastOffset(), -1, logStartOffset, true);
                    }
                }
            }
            long now = clock.millis();
            long first = logEndOffset;
            long next = first;
            long maxTimestamp = RecordBatch.NO_TIMESTAMP;
            boolean appendTime = cfg.timestampType() == TimestampType.LOG_APPEND_TIME;
            for (MutableRecordBatch batch : records.batches()) {
                long count = batch.lastOffset() - batch.baseOffset() + 1;
                batch.setLastOffset(next + count - 1);
                if (appendTime) {
                    batch.setMaxTimestamp(TimestampType.LOG_APPEND_TIME, now);
                }
                maxTimestamp = Math.max(maxTimestamp, batch.maxTimestamp());
                next += count;
            }
            ByteBuffer copy = ByteBuffer.allocate(total);
            copy.put(records.buffer().duplicate()).flip();
            chunks.put(first, new Chunk(first, next - 1, maxTimestamp, now, copy));
            size += total + CHUNK_OVERHEAD;
            for (MutableRecordBatch batch : records.batches()) {
                if (batch.hasProducerId()) {
                    producers.record(batch.producerId(), batch.producerEpoch(), batch.baseSequence(), batch.lastSequence(),
                            batch.baseOffset(), batch.lastOffset(), batch.maxTimestamp());
                }
            }
            logEndOffset = next;
            evict(cfg, now);
            return new AppendResult(first, next - 1, appendTime ? now : -1, logStartOffset, false);
        } finally {
            lock.unlock();
        }
    }

    /** Drops the oldest chunks beyond the size bound and those past {@code retention.ms}. Caller holds the lock. */
    private int evict(LogConfig cfg, long now) {
        int dropped = 0;
        long max = maxBytes(cfg);
        while (size > max && chunks.size() > 1) {
            dropOldest();
            dropped++;
        }
        if (cfg.retentionMs() >= 0) {
            Map.Entry<Long, Chunk> oldest;
            while ((oldest = chunks.firstEntry()) != null && now - oldest.getValue().appendedMs() > cfg.retentionMs()) {
                dropOldest();
                dropped++;
            }
        }
        return dropped;
    }

    private void dropOldest() {
        Chunk gone = chunks.pollFirstEntry().getValue();
        size -= gone.size() + CHUNK_OVERHEAD;
        logStartOffset = Math.max(logStartOffset, gone.lastOffset() + 1);
    }

    /** Forgets idempotent producers whose last batch is older than {@code expirationMs} ({@code producer.id.expiration.ms}). */
    public int expireProducers(long expirationMs) {
        lock.lock();
        try {
            return producers.expire(clock.millis(), expirationMs);
        } finally {
            lock.unlock();
        }
    }

    /** How many idempotent producers this partition remembers. */
    public int producerCount() {
        lock.lock();
        try {
            return producers.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public ReadResult read(long offset, int maxBytes, long maxOffset) {
        return read(offset, maxBytes); // no transactions here: the last stable offset is the end
    }

    @Override
    public java.util.List<ProducerState> producerStates() {
        lock.lock();
        try {
            return producers.states();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public ReadResult read(long offset, int maxBytes) {
        long end = logEndOffset;
        long start = logStartOffset;
        if (offset < start || offset > end) {
            throw outOfRange(offset, start, end);
        }
        if (offset == end) {
            return new ReadResult(MemoryRecords.EMPTY, start, end);
        }
        Map.Entry<Long, Chunk> entry = chunks.floorEntry(offset);
        if (entry == null || entry.getValue().lastOffset() < offset) {
            throw outOfRange(offset, logStartOffset, end); // retention dropped it since the check above
        }
        Chunk first = entry.getValue();
        Chunk next = chunks.get(first.lastOffset() + 1);
        if (next == null || next.baseOffset() >= end || (long) first.size() + next.size() > maxBytes) {
            return new ReadResult(first.records(), start, end);
        }
        int total = first.size();
        long at = first.lastOffset() + 1;
        for (Chunk c = next; c != null && c.baseOffset() < end && (long) total + c.size() <= maxBytes; c = chunks.get(at)) {
            total += c.size();
            at = c.lastOffset() + 1;
        }
        ByteBuffer joined = ByteBuffer.allocate(total);
        for (Chunk c = first; c != null && c.baseOffset() < at; c = chunks.get(c.lastOffset() + 1)) {
            if (joined.remaining() < c.size()) {
                break; // retention raced with the walk; serve what fits
            }
            joined.put(c.data().duplicate());
        }
        joined.flip();
        return new ReadResult(MemoryRecords.readableRecords(joined), start, end);
    }

    private LogException outOfRange(long offset, long start, long end) {
        return new LogException(Errors.OFFSET_OUT_OF_RANGE, "offset " + offset + " is outside " + start + ".." + end + " of " + name
                + " (in memory)");
    }

    @Override
    public long logStartOffset() {
        return logStartOffset;
    }

    @Override
    public long logEndOffset() {
        return logEndOffset;
    }

    /** Everything is as flushed as memory gets: nothing waits for an fsync. */
    @Override
    public long flushedOffset() {
        return logEndOffset;
    }

    @Override
    public void flush() {
        // nothing to do: the buffer is all there is
    }

    @Override
    public Optional<TimestampOffset> offsetForTimestamp(long timestamp) {
        long start = logStartOffset;
        long end = logEndOffset;
        for (Chunk c : chunks.values()) {
            if (c.baseOffset() >= end) {
                break;
            }
            if (c.maxTimestamp() < timestamp || c.lastOffset() < start) {
                continue;
            }
            for (RecordBatch batch : c.records().batches()) {
                if (batch.maxTimestamp() < timestamp) {
                    continue;
                }
                for (Record r : batch) {
                    if (r.offset() >= start && r.timestamp() >= timestamp) {
                        return Optional.of(new TimestampOffset(r.timestamp(), r.offset()));
                    }
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public Optional<TimestampOffset> maxTimestampOffset() {
        long start = logStartOffset;
        long end = logEndOffset;
        Chunk where = null;
        for (Chunk c : chunks.values()) {
            if (c.baseOffset() < end && c.lastOffset() >= start && c.maxTimestamp() >= 0
                    && (where == null || c.maxTimestamp() > where.maxTimestamp())) {
                where = c;
            }
        }
        if (where == null) {
            return Optional.empty();
        }
        for (RecordBatch batch : where.records().batches()) {
            if (batch.maxTimestamp() != where.maxTimestamp()) {
                continue;
            }
            if (batch.timestampType() == TimestampType.LOG_APPEND_TIME) {
                return Optional.of(new TimestampOffset(batch.maxTimestamp(), batch.lastOffset()));
            }
            for (Record r : batch) {
                if (r.timestamp() == where.maxTimestamp() && r.offset() >= start) {
                    return Optional.of(new TimestampOffset(r.timestamp(), r.offset()));
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public long deleteRecordsBefore(long offset) {
        lock.lock();
        try {
            if (offset > logEndOffset) {
                throw new LogException(Errors.OFFSET_OUT_OF_RANGE, "offset " + offset + " is beyond the log end " + logEndOffset);
            }
            if (offset > logStartOffset) {
                logStartOffset = offset;
                Map.Entry<Long, Chunk> oldest;
                while ((oldest = chunks.firstEntry()) != null && oldest.getValue().lastOffset() < offset) {
                    dropOldest();
                }
            }
            return logStartOffset;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int applyRetention() {
        lock.lock();
        try {
            return evict(config, clock.millis());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void updateConfig(LogConfig config) {
        this.config = config;
        applyRetention();
    }

    @Override
    public LogConfig config() {
        return config;
    }

    /** Accounted heap bytes: the batches plus {@link #CHUNK_OVERHEAD} per append kept. */
    @Override
    public long sizeInBytes() {
        return size;
    }

    /** Appends kept, for tests and operators. */
    public int chunkCount() {
        return chunks.size();
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public void delete() {
        clear();
    }

    /** Frees the buffer; the offsets stay where they were. */
    @Override
    public void close() {
        clear();
    }

    private void clear() {
        lock.lock();
        try {
            chunks.clear();
            size = 0;
            logStartOffset = logEndOffset;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "MemoryLog(" + name + ", " + logStartOffset + ".." + logEndOffset + ", " + chunks.size() + " appends, " + size + " bytes)";
    }
}
