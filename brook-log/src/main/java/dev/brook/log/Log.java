package dev.brook.log;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * One partition's durable, segmented, append-only log of Kafka v2 record batches.
 *
 * <p>Directory layout: {@code <topic>-<partition>/} holding {@link Segment}s (a {@code .log} file with its
 * {@code .index} and {@code .timeindex}, named by base offset) and {@code log-start-offset}, a text file with the
 * log start offset set by DeleteRecords (written to a temporary file, fsynced, renamed).
 *
 * <p>Guarantees: offsets are contiguous and assigned here; a batch is visible to readers only once it is fully
 * written (the end offset is published last); {@link #flushedOffset()} only moves forward and everything below it
 * is on disk. After an unclean shutdown, {@link #open} with {@code recover} re-validates every batch from the
 * recovery point; {@link LogLoader} cuts a torn tail off the active segment and moves any other damage to the
 * {@link Quarantine}, keeping every whole batch. Offsets are contiguous within a segment; between segments there is
 * a gap only where a damaged batch was quarantined.
 *
 * <p>Threads: appends, rolls, retention and DeleteRecords take the log's lock; reads and the offset getters never
 * do; {@link #flush} takes a separate flush lock so fsync never blocks appends.
 */
public final class Log implements PartitionLog {
    private static final Logger log = LoggerFactory.getLogger(Log.class);
    private static final ThrottledLogger CORRUPTION = new ThrottledLogger(log, Level.ERROR);
    private static final String LOG_START_FILE = "log-start-offset";
    /** Where the cleaner has cleaned up to: the first offset not yet through a cleaning pass (text, like the log start). */
    static final String CLEANER_FILE = "cleaner-offset-checkpoint";
    /** Deleted segments stay readable this long for reads already holding a slice of them. */
    static final long DELETE_DELAY_MS = 60_000;
    private static final ScheduledExecutorService DELETER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "brook-segment-deleter");
        t.setDaemon(true);
        return t;
    });

    private final Path dir;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    private final ReentrantLock flushLock = new ReentrantLock();
    private final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();
    private final ProducerStateTable producers = new ProducerStateTable();
    private volatile LogConfig config;
    private volatile long logEndOffset;
    private volatile long logStartOffset;
    private volatile long flushedOffset;
    /** The first offset of the oldest open transaction, or -1: what bounds the last stable offset. */
    private volatile long firstUnstableOffset = -1;
    /** When the last fsync (or the open) happened, by {@link #clock}: what {@code flush.ms} counts from. */
    private volatile long lastFlushMs;
    /** The first offset the cleaner has not yet mapped ({@link LogCleaner}); below it, each key's latest value is known. */
    private volatile long firstDirtyOffset;
    /**
     * The earliest delete horizon of a tombstone a cleaning kept, or MAX: once it passes, a pass is due to drop it even
     * with nothing dirty. Not kept across restarts (then the next dirty pass finds the tombstones again).
     */
    private volatile long nextDeleteHorizon = Long.MAX_VALUE;
    /** Set by {@link #delete} and {@link #close}: a cleaning that finishes later swaps nothing in. */
    private volatile boolean gone;
    /** A read found damage: the clean-shutdown snapshot is not written, so the next open finds and repairs it. */
    private volatile boolean damageSeen;
    /** Held by a cleaning pass for its whole run; {@link #delete} and {@link #close} wait for it after setting gone. */
    final ReentrantLock cleaningLock = new ReentrantLock();
    /** For tests: how many fsyncs this log has done. */
    volatile int flushCount;

    private Log(Path dir, LogConfig config, Clock clock) {
        this.dir = dir;
        this.config = config;
        this.clock = clock;
    }

    /**
     * Opens (creating if absent) the log in {@code dir}.
     *
     * @param recover       re-validate batches from the segment containing {@code recoveryPoint} on (after an unclean
     *                      shutdown; see {@link LogLoader})
     * @param recoveryPoint everything below it was flushed before the crash
     */
    public static Log open(Path dir, LogConfig config, Clock clock, boolean recover, long recoveryPoint) {
        Log l = new Log(dir, config, clock);
        try {
            Files.createDirectories(dir);
            l.load(recover, recoveryPoint);
        } catch (IOException e) {
            throw new LogException(Errors.KAFKA_STORAGE_ERROR, "cannot open log " + dir, e);
        }
        return l;
    }

    private void load(boolean recover, long recoveryPoint) throws IOException {
        LogSnapshot snapshot = LogSnapshot.takeFrom(dir);
        if (recover || snapshot == null || !loadFrom(snapshot, recoveryPoint)) {
            // the newest roll snapshot whose segments were flushed: their headers need no walking, nor their producers
            LogSnapshot roll = LogSnapshot.latestRoll(dir, recover ? recoveryPoint : Long.MAX_VALUE);
            if (roll != null) {
                producers.copyFrom(roll.producers);
            }
            new LogLoader(dir, config, clock, producers).load(segments, recover, recoveryPoint, roll);
        }
        if (segments.isEmpty()) {
            segments.put(0L, Segment.open(dir, 0, config, false));
        }
        Segment active = segments.lastEntry().getValue();
        active.offsetIndex.expand();
        active.timeIndex.expand();
        if (!active.isEmpty()) {
            active.firstAppendMs = clock.millis();
        }
        logEndOffset = active.nextOffset;
        long start = Math.max(segments.firstKey(), readOffsetFile(LOG_START_FILE, 0));
        logStartOffset = Math.min(start, logEndOffset);
        firstDirtyOffset = Math.min(readOffsetFile(CLEANER_FILE, 0), logEndOffset);
        flushedOffset = logEndOffset;
        firstUnstableOffset = producers.firstUnstableOffset();
        lastFlushMs = clock.millis();
    }

    /**
     * A clean open from the snapshot the last close wrote: true if the segments and the log end found are the ones it
     * names (then producer state is the snapshot's); false, with nothing loaded, if not.
     */
    private boolean loadFrom(LogSnapshot snapshot, long recoveryPoint) throws IOException {
        ProducerStateTable scratch = new ProducerStateTable();
        new LogLoader(dir, config, clock, scratch).load(segments, false, recoveryPoint, snapshot);
        boolean matches = !segments.isEmpty() && segments.keySet().equals(snapshot.segments.keySet())
                && segments.lastEntry().getValue().nextOffset == snapshot.logEndOffset;
        if (matches) {
            producers.copyFrom(snapshot.producers);
            return true;
        }
        for (Segment s : segments.values()) {
            s.records.close();
        }
        segments.clear();
        log.info("The clean-shutdown snapshot of {} does not match its segments; loading it from its batch headers", dir);
        return false;
    }

    /** The offset in one of the log's small text files ({@code log-start-offset}, the cleaner's), or {@code absent}. */
    private long readOffsetFile(String name, long absent) throws IOException {
        Path file = dir.resolve(name);
        if (!Files.exists(file)) {
            return absent;
        }
        try {
            return Long.parseLong(Files.readString(file, StandardCharsets.UTF_8).trim());
        } catch (NumberFormatException e) {
            log.warn("Ignoring unreadable {}", file);
            return absent;
        }
    }

    // ------------------------------------------------------------------ append

    /**
     * Validates the batches, de-duplicates idempotent producers, assigns offsets and writes them. The batches are
     * modified in place (base offsets, and timestamps on LogAppendTime topics).
     *
     * <p>Every record of every batch is checked first ({@link RecordValidator}); on CreateTime topics a batch's max
     * timestamp is set to its records' largest, which is what the time index then holds.
     *
     * @throws LogException CORRUPT_MESSAGE, INVALID_RECORD and INVALID_TIMESTAMP ({@link RecordValidationException}
     *                      when one record is at fault), MESSAGE_TOO_LARGE, OUT_OF_ORDER_SEQUENCE_NUMBER,
     *                      INVALID_PRODUCER_EPOCH or KAFKA_STORAGE_ERROR; nothing is written then
     */
    public AppendResult append(MemoryRecords records) {
        return append(records, TransactionVerifier.ANY);
    }

    /**
     * As {@link #append(MemoryRecords)}; a transactional batch that would open its producer's transaction here is first
     * put to {@code verifier}, under the lock.
     *
     * @throws LogException also with the verifier's error; nothing is written then
     */
    public AppendResult append(MemoryRecords records, TransactionVerifier verifier) {
        LogConfig cfg = config;
        int total = RecordValidator.checkAppend(records, cfg, clock.millis());
        lock.lock();
        try {
            for (MutableRecordBatch batch : records.batches()) {
                if (batch.hasProducerId()) {
                    ProducerStateTable.Check check = producers.check(batch);
                    if (check instanceof ProducerStateTable.Duplicate d) {
                        return new AppendResult(d.firstOffset(), d.lastOffset(), -1, logStartOffset, true);
                    }
                    if (batch.isTransactional() && producers.opensTransaction(batch.producerId())) {
                        Errors refused = verifier.verify(batch.producerId(), batch.producerEpoch());
                        if (refused != Errors.NONE) {
                            throw new LogException(refused, "producer " + batch.producerId() + " at epoch " + batch.producerEpoch()
                                    + " has no open transaction holding " + dir.getFileName());
                        }
                    }
                }
            }
            long now = clock.millis();
            long first = logEndOffset;
            boolean appendTime = cfg.timestampType() == TimestampType.LOG_APPEND_TIME;
            long next = write(records, total, cfg, appendTime ? now : -1);
            for (MutableRecordBatch batch : records.batches()) {
                if (batch.hasProducerId()) {
                    producers.record(batch.producerId(), batch.producerEpoch(), batch.baseSequence(), batch.lastSequence(),
                            batch.baseOffset(), batch.lastOffset(), batch.maxTimestamp(), batch.isTransactional());
                }
            }
            firstUnstableOffset = producers.firstUnstableOffset(); // before the end moves: see lastStableOffset
            logEndOffset = next;
            return new AppendResult(first, next - 1, appendTime ? now : -1, logStartOffset, false);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes a commit or abort marker (a control batch) for {@code producerId}'s open transaction, as the transaction
     * coordinator does at the end of a transaction (or an operator's WriteTxnMarkers for a hanging one). The producer's
     * transaction is closed; an abort adds the transaction to the active segment's {@link TransactionIndex}. A marker
     * with no open transaction is written all the same (a coordinator repeating one after a restart) and changes nothing.
     *
     * @throws LogException INVALID_PRODUCER_EPOCH for an epoch older than the producer's, KAFKA_STORAGE_ERROR
     */
    public AppendResult appendMarker(long producerId, short producerEpoch, boolean commit, int coordinatorEpoch) {
        lock.lock();
        try {
            producers.checkMarker(producerId, producerEpoch);
            long now = clock.millis();
            long offset = logEndOffset;
            MemoryRecords marker = MemoryRecords.withEndTransactionMarker(offset, now, 0, producerId, producerEpoch,
                    new EndTransactionMarker(commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT, coordinatorEpoch));
            long next = write(marker, marker.sizeInBytes(), config, -1);
            long firstOffset = producers.complete(producerId, producerEpoch, coordinatorEpoch, offset, now);
            long unstable = producers.firstUnstableOffset();
            if (!commit && firstOffset >= 0) {
                long lso = unstable < 0 ? next : Math.min(unstable, next);
                try {
                    segments.lastEntry().getValue().txnIndex.append(new AbortedTransaction(producerId, firstOffset, offset, lso));
                } catch (IOException e) {
                    throw new LogException(Errors.KAFKA_STORAGE_ERROR, "cannot write the transaction index of " + dir + ": " + e.getMessage(), e);
                }
            }
            firstUnstableOffset = unstable;
            logEndOffset = next;
            return new AppendResult(offset, offset, -1, logStartOffset, false);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes validated batches at the log end (rolling first if due), assigning their offsets, and indexes them; returns
     * the next offset. Publishes nothing: the caller moves the log end. Caller holds the lock.
     */
    private long write(MemoryRecords records, int total, LogConfig cfg, long appendTime) {
        Segment active = maybeRoll(total, cfg);
        long now = clock.millis();
        long next = logEndOffset;
        for (MutableRecordBatch batch : records.batches()) {
            long count = batch.lastOffset() - batch.baseOffset() + 1;
            batch.setLastOffset(next + count - 1);
            if (appendTime >= 0) {
                batch.setMaxTimestamp(TimestampType.LOG_APPEND_TIME, appendTime);
            }
            next += count;
        }
        int position = active.size();
        try {
            active.records.append(records);
        } catch (IOException e) {
            truncateAfterFailedWrite(active, position);
            throw new LogException(Errors.KAFKA_STORAGE_ERROR, "write to " + dir + " failed: " + e.getMessage(), e);
        }
        if (active.firstAppendMs < 0) {
            active.firstAppendMs = now;
        }
        int pos = position;
        for (MutableRecordBatch batch : records.batches()) {
            active.indexBatch(batch.baseOffset(), batch.lastOffset(), batch.maxTimestamp(), pos, batch.sizeInBytes());
            pos += batch.sizeInBytes();
        }
        return next;
    }

    private void truncateAfterFailedWrite(Segment active, int position) {
        try {
            active.records.truncateTo(position);
        } catch (IOException | RuntimeException ignored) {
            // the file may be unwritable; the next open recovers it
        }
    }

    private Segment maybeRoll(int incoming, LogConfig cfg) {
        Segment active = segments.lastEntry().getValue();
        boolean full = !active.isEmpty() && (long) active.size() + incoming > cfg.segmentBytes();
        long rollMs = cfg.compacted() ? Math.min(cfg.segmentMs(), cfg.compaction().maxCompactionLagMs()) : cfg.segmentMs();
        boolean old = !active.isEmpty() && active.firstAppendMs >= 0 && clock.millis() - active.firstAppendMs >= rollMs;
        boolean indexFull = active.offsetIndex.isFull() || active.timeIndex.isFull();
        if (!full && !old && !indexFull) {
            return active;
        }
        return roll();
    }

    /** Starts a new segment at the log end. Caller holds the lock. */
    private Segment roll() {
        Segment active = segments.lastEntry().getValue();
        if (active.isEmpty()) {
            return active;
        }
        appendLastTimeIndexEntry(active);
        active.trimIndexes();
        Segment next = Segment.open(dir, logEndOffset, config, false);
        try {
            if (!damageSeen) {
                LogSnapshot.writeAtRoll(dir, logEndOffset, segments.values(), producers);
            }
        } catch (IOException e) {
            log.warn("Cannot write the roll snapshot of {} at {}: an open after a crash walks more batch headers", dir, logEndOffset, e);
        }
        segments.put(logEndOffset, next);
        return next;
    }

    /** The time index's entry for a segment's largest timestamp, written when it stops being active. */
    private static void appendLastTimeIndexEntry(Segment s) {
        if (s.maxTimestamp < 0) {
            return;
        }
        s.timeIndex.maybeAppend(s.maxTimestamp, s.offsetOfMaxTimestamp); // skipped on a full disk: see IndexFile.reserve
    }

    // ------------------------------------------------------------------ read

    /**
     * Reads whole batches from the one containing {@code offset}, up to {@code maxBytes}, but always at least one
     * batch. Never blocks on writers.
     *
     * @throws LogException OFFSET_OUT_OF_RANGE below the log start or above the log end
     */
    public ReadResult read(long offset, int maxBytes) {
        return read(offset, maxBytes, Long.MAX_VALUE);
    }

    /**
     * As {@link #read(long, int)}, but only batches that start below {@code maxOffset} (a read_committed fetch passes
     * the last stable offset, which is always where a batch starts).
     */
    public ReadResult read(long offset, int maxBytes, long maxOffset) {
        long logEnd = logEndOffset;
        long start = logStartOffset;
        if (offset < start || offset > logEnd) {
            throw new LogException(Errors.OFFSET_OUT_OF_RANGE, "offset " + offset + " is outside " + start + ".." + logEnd + " of " + dir);
        }
        long end = Math.min(logEnd, maxOffset);
        if (offset >= end) {
            return new ReadResult(MemoryRecords.EMPTY, start, logEnd);
        }
        Map.Entry<Long, Segment> entry = segments.floorEntry(offset);
        while (entry != null) {
            Segment s = entry.getValue();
            FileRecords.LogOffsetPosition found = find(s, offset);
            if (found != null) {
                int from = found.position;
                int size = 0;
                long expected = -1;
                try {
                    for (FileChannelRecordBatch batch : s.records.batchesFrom(from)) {
                        if (batch.baseOffset() >= end || (size > 0 && (long) size + batch.sizeInBytes() > maxBytes)) {
                            break;
                        }
                        if (expected >= 0 && batch.baseOffset() != expected) {
                            break; // the next read starts here, and find() reports it
                        }
                        size += batch.sizeInBytes();
                        expected = batch.lastOffset() + 1;
                    }
                } catch (CorruptRecordException e) {
                    if (size == 0) {
                        throw corrupt("a batch header at byte " + from + " is unreadable: " + e.getMessage());
                    } // else: serve what came before it; the next read starts there and reports it
                }
                if (size == 0) {
                    throw corrupt("offset " + offset + " is below the log end " + end + ", but the batch holding it says it"
                            + " starts beyond the end (its base offset was damaged on disk)");
                }
                return new ReadResult(s.records.slice(from, size), start, logEnd);
            }
            entry = segments.higherEntry(entry.getKey());
        }
        return new ReadResult(MemoryRecords.EMPTY, start, logEnd);
    }

    private FileRecords.LogOffsetPosition find(Segment s, long offset) {
        try {
            return s.find(offset);
        } catch (LogException e) {
            throw corrupt(e.getMessage());
        }
    }

    /**
     * A read found a damaged batch: logged (the first in full, then counted), and answered with CORRUPT_MESSAGE, which
     * the Java consumer raises from {@code poll} instead of waiting on a partition that never makes progress.
     */
    private LogException corrupt(String what) {
        damageSeen = true; // no snapshot at close: the next open walks the headers and repairs the segment
        try {
            LogSnapshot.deleteRollSnapshots(dir); // nor one of a roll (none is written from now on), after a crash
        } catch (IOException e) {
            log.warn("Cannot delete the roll snapshots of {}: {}", dir, e.getMessage());
        }
        CORRUPTION.log("corrupt batch on read", "Log {} is damaged: {}. Fetches there get CORRUPT_MESSAGE; restart the broker "
                + "to have the segment repaired or quarantined", dir, what);
        return new LogException(Errors.CORRUPT_MESSAGE, "log " + dir.getFileName() + " is damaged on disk: " + what);
    }

    public long logStartOffset() {
        return logStartOffset;
    }

    /**
     * The last stable offset: below it every transaction is decided, so read_committed consumers may read up to it. The
     * first offset of the oldest open transaction, or the log end when none is open. (The end is read first: an append
     * publishes the transaction it opens before the end that includes it.)
     */
    @Override
    public long lastStableOffset() {
        long end = logEndOffset;
        long unstable = firstUnstableOffset;
        return unstable < 0 ? end : Math.min(unstable, end);
    }

    /**
     * The aborted transactions with records in {@code [from, upTo)}, oldest marker first: from the transaction indexes of
     * the segment holding {@code from} on, until an entry's last stable offset reaches {@code upTo} (no transaction
     * aborted after it can hold records below {@code upTo}).
     */
    @Override
    public List<AbortedTransaction> abortedTransactions(long from, long upTo) {
        List<AbortedTransaction> found = new ArrayList<>();
        Map.Entry<Long, Segment> first = segments.floorEntry(from);
        for (Segment s : (first == null ? segments : segments.tailMap(first.getKey(), true)).values()) {
            for (AbortedTransaction t : s.txnIndex.entries()) {
                if (t.lastOffset() >= from && t.firstOffset() < upTo) {
                    found.add(t);
                }
                if (t.lastStableOffset() >= upTo) {
                    return found;
                }
            }
        }
        return found;
    }

    /** Every producer this log remembers (DescribeProducers). */
    @Override
    public List<ProducerState> producerStates() {
        lock.lock();
        try {
            return producers.states();
        } finally {
            lock.unlock();
        }
    }

    public long logEndOffset() {
        return logEndOffset;
    }

    /** Offsets below this are fsynced. */
    public long flushedOffset() {
        return flushedOffset;
    }

    /** Messages appended and not yet fsynced; {@code flush.messages} compares against this. */
    public long unflushedMessages() {
        return logEndOffset - flushedOffset;
    }

    /** Whether {@code flush.ms} asks for an fsync now: there is unflushed data and the last fsync is that old. */
    public boolean flushDue() {
        return logEndOffset > flushedOffset && clock.millis() - lastFlushMs >= config.flushMs();
    }

    /** The first record whose timestamp is at or after {@code timestamp}. */
    public Optional<TimestampOffset> offsetForTimestamp(long timestamp) {
        long start = logStartOffset;
        long end = logEndOffset;
        for (Segment s : segments.values()) {
            if (s.maxTimestamp < timestamp || s.nextOffset <= start) {
                continue;
            }
            long from = Math.max(start, s.timeIndex.lookup(timestamp));
            FileRecords.LogOffsetPosition pos = s.find(from);
            if (pos == null) {
                continue;
            }
            for (FileChannelRecordBatch batch : s.records.batchesFrom(pos.position)) {
                if (batch.baseOffset() >= end) {
                    break;
                }
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

    /** The record with the largest timestamp (ListOffsets MAX_TIMESTAMP). */
    public Optional<TimestampOffset> maxTimestampOffset() {
        long best = RecordBatch.NO_TIMESTAMP;
        Segment where = null;
        for (Segment s : segments.values()) {
            if (s.maxTimestamp > best && s.nextOffset > logStartOffset) {
                best = s.maxTimestamp;
                where = s;
            }
        }
        if (where == null) {
            return Optional.empty();
        }
        FileRecords.LogOffsetPosition pos = where.find(Math.max(where.offsetOfMaxTimestamp, logStartOffset));
        if (pos == null) {
            return Optional.empty();
        }
        for (FileChannelRecordBatch batch : where.records.batchesFrom(pos.position)) {
            if (batch.maxTimestamp() == best) {
                for (Record r : batch) {
                    if (r.timestamp() == best || batch.timestampType() == TimestampType.LOG_APPEND_TIME) {
                        return Optional.of(new TimestampOffset(best, batch.timestampType() == TimestampType.LOG_APPEND_TIME
                                ? batch.lastOffset() : r.offset()));
                    }
                }
            }
        }
        return Optional.empty();
    }

    // ------------------------------------------------------------------ flush, retention, delete

    /** fsyncs everything appended so far; {@link #flushedOffset()} then covers it. */
    public void flush() {
        flushLock.lock();
        try {
            long target = logEndOffset;
            if (target <= flushedOffset) {
                return;
            }
            Map.Entry<Long, Segment> from = segments.floorEntry(flushedOffset);
            Iterator<Segment> it = (from == null ? segments : segments.tailMap(from.getKey(), true)).values().iterator();
            while (it.hasNext()) {
                it.next().flush();
            }
            flushCount++;
            lastFlushMs = clock.millis();
            flushedOffset = target;
        } catch (IOException e) {
            throw new LogException(Errors.KAFKA_STORAGE_ERROR, "fsync of " + dir + " failed: " + e.getMessage(), e);
        } finally {
            flushLock.unlock();
        }
    }

    /**
     * DeleteRecords: moves the log start offset up to {@code offset} (durably) and deletes whole segments below it.
     *
     * @return the new log start offset
     * @throws LogException OFFSET_OUT_OF_RANGE when {@code offset} is beyond the log end
     */
    public long deleteRecordsBefore(long offset) {
        lock.lock();
        try {
            if (offset > logEndOffset) {
                throw new LogException(Errors.OFFSET_OUT_OF_RANGE, "offset " + offset + " is beyond the log end " + logEndOffset);
            }
            if (offset > logStartOffset) {
                writeOffsetFile(LOG_START_FILE, offset);
                logStartOffset = offset;
                deleteSegmentsBelow(offset);
            }
            return logStartOffset;
        } finally {
            lock.unlock();
        }
    }

    private void writeOffsetFile(String name, long offset) {
        try {
            AtomicFile.write(dir.resolve(name), Long.toString(offset).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new LogException(Errors.KAFKA_STORAGE_ERROR, "cannot write " + name + " of " + dir, e);
        }
    }

    /** Deletes segments wholly below {@code offset}, keeping the active one. Caller holds the lock. */
    private int deleteSegmentsBelow(long offset) {
        int deleted = 0;
        while (segments.size() > 1) {
            Map.Entry<Long, Segment> first = segments.firstEntry();
            Long nextBase = segments.higherKey(first.getKey());
            if (nextBase == null || nextBase > offset) {
                break;
            }
            removeSegment(first.getValue());
            deleted++;
        }
        return deleted;
    }

    private void removeSegment(Segment s) {
        segments.remove(s.baseOffset);
        try {
            s.deleteFiles(dir);
        } catch (IOException e) {
            log.warn("Could not delete segment files of {} in {}", s.baseOffset, dir, e);
        }
        closeLater(s);
    }

    /** Closes a segment's file once reads already holding a slice of it are done with it. */
    private static void closeLater(Segment s) {
        DELETER.schedule(() -> {
            try {
                s.records.close();
            } catch (IOException ignored) {
                // already closed
            }
        }, DELETE_DELAY_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Applies {@code retention.ms} (segments whose newest record is older) and {@code retention.bytes} (oldest
     * segments while the log is larger). An expired active segment is rolled first, so an idle log empties while
     * keeping its end offset.
     *
     * @return the number of segments deleted
     */
    public int applyRetention() {
        lock.lock();
        try {
            LogConfig cfg = config;
            int deleted = 0;
            long now = clock.millis();
            if (cfg.retentionMs() >= 0) {
                while (true) {
                    Segment oldest = segments.firstEntry().getValue();
                    if (oldest.isEmpty() || oldest.maxTimestamp < 0 || now - oldest.maxTimestamp <= cfg.retentionMs()) {
                        break;
                    }
                    if (segments.size() == 1) {
                        roll();
                        if (segments.size() == 1) {
                            break;
                        }
                    }
                    removeSegment(oldest);
                    deleted++;
                }
            }
            if (cfg.retentionBytes() >= 0) {
                long size = sizeInBytes();
                while (segments.size() > 1) {
                    Segment oldest = segments.firstEntry().getValue();
                    if (size - oldest.size() < cfg.retentionBytes()) {
                        break;
                    }
                    size -= oldest.size();
                    removeSegment(oldest);
                    deleted++;
                }
            }
            long newStart = segments.firstKey();
            if (newStart > logStartOffset) {
                logStartOffset = newStart;
            }
            return deleted;
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ cleaning (LogCleaner, Cleaning)

    /** Whether the log was deleted or closed. */
    boolean isGone() {
        return gone;
    }

    /** The segments, oldest first, the active one last: what a cleaning pass plans over. */
    List<Segment> segmentList() {
        return new ArrayList<>(segments.values());
    }

    /** Each idempotent producer's last batch, as its last offset: the batch a cleaning keeps (perhaps empty). */
    Map<Long, Long> producerLastOffsets() {
        lock.lock();
        try {
            return producers.lastOffsets();
        } finally {
            lock.unlock();
        }
    }

    long nextDeleteHorizon() {
        return nextDeleteHorizon;
    }

    void nextDeleteHorizon(long horizon) {
        nextDeleteHorizon = horizon;
    }

    /** The first offset not yet through a cleaning pass. */
    public long firstDirtyOffset() {
        return Math.max(firstDirtyOffset, logStartOffset);
    }

    /** Records (durably) that every offset below {@code offset} has been through a cleaning pass. */
    void cleanedUpTo(long offset) {
        lock.lock();
        try {
            if (gone || offset <= firstDirtyOffset) {
                return;
            }
            writeOffsetFile(CLEANER_FILE, offset);
            firstDirtyOffset = offset;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Swaps {@code cleaned} (a fsynced file of the group's batches, cleaned) in for the segments of {@code group}, which
     * must still be consecutive segments of this log. The swap survives a crash at any point ({@link SegmentSwap}), and
     * readers never see half of it: they find either the old segments (whose files stay open for reads already under
     * way) or the new one, which holds the same offsets.
     *
     * @return false, deleting {@code cleaned}, when the group changed meanwhile (retention, DeleteRecords, deletion)
     */
    boolean replace(List<Segment> group, Path cleaned) {
        lock.lock();
        try {
            boolean current = !gone && !group.isEmpty() && segments.lastEntry().getValue() != group.get(group.size() - 1);
            for (Segment s : group) {
                current &= segments.get(s.baseOffset) == s;
            }
            if (!current) {
                Files.deleteIfExists(cleaned);
                return false;
            }
            Segment first = group.get(0);
            Segment last = group.get(group.size() - 1);
            LogSnapshot.deleteRollSnapshots(dir); // they describe the segments being replaced
            SegmentSwap.commitAndComplete(dir, cleaned, first.baseOffset, last.nextOffset);
            Segment fresh = Segment.open(dir, first.baseOffset, config, false);
            if (!fresh.rebuild(new ProducerStateTable(), false) || fresh.nextOffset != last.nextOffset) {
                throw new LogException(Errors.KAFKA_STORAGE_ERROR, "the cleaned segment " + first.baseOffset + " of " + dir
                        + " does not hold offsets " + first.baseOffset + ".." + (last.nextOffset - 1));
            }
            fresh.trimIndexes();
            fresh.firstAppendMs = first.firstAppendMs;
            segments.put(first.baseOffset, fresh);
            for (Segment s : group) {
                if (s != first) {
                    segments.remove(s.baseOffset);
                }
                closeLater(s);
            }
            return true;
        } catch (IOException e) {
            throw new LogException(Errors.KAFKA_STORAGE_ERROR, "cannot swap a cleaned segment into " + dir + ": " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
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

    /** How many idempotent producers this log remembers. */
    public int producerCount() {
        lock.lock();
        try {
            return producers.size();
        } finally {
            lock.unlock();
        }
    }

    public void updateConfig(LogConfig config) {
        this.config = config;
    }

    public LogConfig config() {
        return config;
    }

    public long sizeInBytes() {
        long size = 0;
        for (Segment s : segments.values()) {
            size += s.size();
        }
        return size;
    }

    public Path dir() {
        return dir;
    }

    /** On disk: everything below {@link #flushedOffset()} survives a crash. */
    @Override
    public boolean persistent() {
        return true;
    }

    /** Where the active segment starts: the cleaner never goes past it. */
    public long activeSegmentBaseOffset() {
        return segments.lastKey();
    }

    /** Number of segments, for tests and operators. */
    public int segmentCount() {
        return segments.size();
    }

    /**
     * Closes and removes the log's directory. The segments are truncated to nothing first: their unflushed pages would
     * otherwise stay dirty until the delayed close and the kernel would write the deleted data back, stalling every
     * other log's fsync behind it. A read still holding a slice of a deleted log fails instead of returning data.
     */
    public void delete() {
        gone = true; // a pass under way stops at its next batch
        cleaningLock.lock();
        lock.lock();
        try {
            for (Segment s : new ArrayList<>(segments.values())) {
                removeSegment(s);
                s.discardData();
            }
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
                for (Path f : files) {
                    Files.deleteIfExists(f);
                }
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new LogException(Errors.KAFKA_STORAGE_ERROR, "cannot delete " + dir, e);
        } finally {
            lock.unlock();
            cleaningLock.unlock();
        }
    }

    /**
     * Flushes, writes the final time-index entry, the clean-shutdown {@link LogSnapshot} (segment ends and timestamps,
     * producer state) and trims the index files.
     */
    @Override
    public void close() {
        gone = true;
        cleaningLock.lock();
        lock.lock();
        try {
            flush();
            appendLastTimeIndexEntry(segments.lastEntry().getValue());
            try {
                if (!damageSeen) {
                    LogSnapshot.write(dir, logEndOffset, segments.values(), producers);
                } else {
                    LogSnapshot.deleteRollSnapshots(dir); // nor may a roll snapshot stand in for the damaged segment's headers
                }
            } catch (IOException e) {
                log.warn("Could not write the clean-shutdown snapshot of {} ({}); its next open reads its batch headers", dir, e.getMessage());
            }
            for (Segment s : segments.values()) {
                s.close();
            }
        } catch (IOException e) {
            throw new LogException(Errors.KAFKA_STORAGE_ERROR, "cannot close " + dir, e);
        } finally {
            lock.unlock();
            cleaningLock.unlock();
        }
    }

    @Override
    public String toString() {
        return "Log(" + dir + ", " + logStartOffset + ".." + logEndOffset + ", " + segments.size() + " segments)";
    }
}
