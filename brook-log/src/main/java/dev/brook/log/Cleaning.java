package dev.brook.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.utils.internals.BufferSupplier;

/**
 * One cleaning pass over one compacted log: what {@link LogCleaner} runs.
 *
 * <pre>
 *  log start          first dirty                 map end      first uncleanable      log end
 *     |── cleaned before ──|──── dirty, mapped ──────|── dirty ──|── too new / active ───|
 *                          └─ 1. every key's latest offset here goes into the OffsetMap (until it is full)
 *  └─ 2. every segment that starts below the map end is rewritten, a group of small ones into one:
 *        a record stays if it is its key's latest (or its key is not in the map), and a tombstone stays until its
 *        batch's delete horizon ({@code delete.retention.ms} after the pass that first kept it) has passed
 *     3. the next pass starts mapping at the map end
 * </pre>
 *
 * <p>What a cleaned segment looks like: records keep their offsets; a batch that lost some records keeps its base
 * and last offsets (and its producer id, epoch and base sequence), so its last sequence is unchanged; a batch that
 * lost all of them is kept as an empty batch if it is its producer's last (so idempotent de-duplication still works
 * after a restart, which rebuilds producer state from batch headers); runs of other emptied batches become one
 * empty batch with no producer spanning their offsets. So offsets stay contiguous batch to batch, as in every Brook
 * segment, and a log's damage checks ({@link Segment#rebuild}, {@link SegmentScan}) keep working on cleaned
 * segments. Consumers skip empty batches by their last offset, as they do those Kafka's cleaner leaves.
 *
 * <p>Transactions: the segment holding the last stable offset and every later one are never mapped nor rewritten, so
 * every transaction with records in what a pass sees is decided. The records of aborted transactions (found through the
 * transaction indexes) are neither mapped nor kept, so an aborted value never shadows a committed one; a cleaned
 * segment therefore needs no transaction index, and has none. Commit and abort markers are kept.
 *
 * <p>A segment with a newest timestamp within {@code min.compaction.lag.ms}, and the active segment, are never mapped
 * nor rewritten. Runs on one cleaner thread; reads the log without its lock, and takes it only to swap a cleaned
 * group in ({@link Log#replace}).
 */
final class Cleaning {
    private static final int READ_CHUNK = 1 << 20;

    /** What a pass did. */
    record Result(long mappedFrom, long mappedTo, long bytesRead, long bytesWritten, int segmentsCleaned, int recordsRead,
                  int recordsKept) {
        static final Result NOTHING = new Result(-1, -1, 0, 0, 0, 0, 0);
    }

    /** The part of a log a pass would map, and its share of the cleanable bytes. */
    record Range(long firstDirty, long firstUncleanable, long dirtyBytes, long cleanableBytes, long firstDirtyTimestamp) {
        double dirtyRatio() {
            return cleanableBytes == 0 ? 0 : (double) dirtyBytes / cleanableBytes;
        }

        boolean isEmpty() {
            return firstDirty >= firstUncleanable;
        }
    }

    private final Log log;
    private final OffsetMap map;
    private final Throttle throttle;
    private final java.util.function.BooleanSupplier stopped;
    private final long now;
    private ByteBuffer readBuffer = ByteBuffer.allocate(READ_CHUNK);
    private ByteBuffer writeBuffer = ByteBuffer.allocate(READ_CHUNK);
    private final RecordWalk walk = new RecordWalk();
    private final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    /** Per record of the batch {@link #filterInPlace} is on: whether it is kept. */
    private boolean[] keep = new boolean[1024];
    private long bytesRead;
    private long bytesWritten;
    private int recordsRead;
    private int recordsKept;
    private long nextDeleteHorizon = Long.MAX_VALUE;
    /** The aborted transactions in what this pass reads, by producer id. */
    private final Map<Long, List<AbortedTransaction>> aborted = new java.util.HashMap<>();

    /** Paces the cleaner's reads and writes ({@code log.cleaner.io.max.bytes.per.second}). */
    interface Throttle {
        void bytes(long n) throws InterruptedException;

        Throttle NONE = n -> { };
    }

    /**
     * @param stopped asked between batches; true ends the pass with an {@link InterruptedException}, leaving the log as it
     *                was (never a thread interrupt: that would close the segment's channel under every reader)
     */
    Cleaning(Log log, OffsetMap map, Throttle throttle, java.util.function.BooleanSupplier stopped, long now) {
        this.log = log;
        this.map = map;
        this.throttle = throttle;
        this.stopped = stopped;
        this.now = now;
    }

    /** The dirty part of {@code log} as of {@code now}: where a pass would map from and to. */
    static Range range(Log log, long now) {
        LogConfig cfg = log.config();
        List<Segment> segments = log.segmentList();
        long firstDirty = log.firstDirtyOffset();
        long firstUncleanable = segments.get(segments.size() - 1).baseOffset;
        long stable = log.lastStableOffset();
        for (Segment s : segments) {
            if (s.nextOffset > stable || s.baseOffset >= firstUncleanable) {
                firstUncleanable = Math.min(firstUncleanable, s.baseOffset); // the segment an open transaction is in
                break;
            }
        }
        long lag = cfg.compaction().minCompactionLagMs();
        for (Segment s : segments) {
            if (s.nextOffset > firstDirty && lag > 0 && s.maxTimestamp > now - lag) {
                firstUncleanable = Math.min(firstUncleanable, s.baseOffset);
                break;
            }
        }
        long dirty = 0;
        long clean = 0;
        long firstDirtyTimestamp = Long.MAX_VALUE;
        for (Segment s : segments) {
            if (s.baseOffset >= firstUncleanable) {
                break;
            }
            if (s.nextOffset <= firstDirty) {
                clean += s.size();
            } else {
                dirty += s.size();
                if (firstDirtyTimestamp == Long.MAX_VALUE) {
                    firstDirtyTimestamp = firstTimestamp(s);
                }
            }
        }
        return new Range(firstDirty, Math.max(firstDirty, firstUncleanable), dirty, dirty + clean, firstDirtyTimestamp);
    }

    /** The first batch's max timestamp of a segment (what {@code max.compaction.lag.ms} counts from), or MAX if none. */
    private static long firstTimestamp(Segment s) {
        for (FileChannelRecordBatch b : s.records.batches()) {
            return b.maxTimestamp() < 0 ? Long.MAX_VALUE : b.maxTimestamp();
        }
        return Long.MAX_VALUE;
    }

    /**
     * Whether a pass has anything to do: dirty records to map, or tombstones past their delete horizon (then the pass
     * rewrites the cleaned segments with an empty map, which drops those tombstones and merges small segments).
     */
    static boolean due(Log log, Range range, long now) {
        return !range.isEmpty() || log.nextDeleteHorizon() <= now;
    }

    /** Runs the pass (nothing if the log is closed or deleted meanwhile). */
    Result run() throws IOException, InterruptedException {
        log.cleaningLock.lock();
        try {
            return log.isGone() ? Result.NOTHING : runLocked();
        } finally {
            log.cleaningLock.unlock();
        }
    }

    private Result runLocked() throws IOException, InterruptedException {
        Range range = range(log, now);
        if (!due(log, range, now)) {
            return Result.NOTHING;
        }
        List<Segment> segments = log.segmentList();
        segments.remove(segments.size() - 1); // never the active one
        for (AbortedTransaction t : log.abortedTransactions(log.logStartOffset(), range.firstUncleanable())) {
            aborted.computeIfAbsent(t.producerId(), id -> new ArrayList<>()).add(t);
        }
        long mapEnd = range.isEmpty() ? range.firstDirty() : buildMap(segments, range.firstDirty(), range.firstUncleanable());
        if (range.isEmpty()) {
            map.clear();
        } else if (mapEnd <= range.firstDirty()) {
            return Result.NOTHING;
        }
        Map<Long, Long> producerLast = log.producerLastOffsets();
        int cleaned = 0;
        for (List<Segment> group : groups(segments, mapEnd, log.config())) {
            checkStopped();
            Path file = SegmentSwap.cleanedFile(log.dir(), group.get(0).baseOffset);
            try {
                write(group, file, producerLast);
                if (log.replace(group, file)) {
                    cleaned += group.size();
                }
            } finally {
                Files.deleteIfExists(file);
            }
        }
        log.cleanedUpTo(mapEnd);
        log.nextDeleteHorizon(nextDeleteHorizon);
        return new Result(range.firstDirty(), mapEnd, bytesRead, bytesWritten, cleaned, recordsRead, recordsKept);
    }

    private void checkStopped() throws InterruptedException {
        if (stopped.getAsBoolean() || log.isGone()) {
            throw new InterruptedException("the cleaner is stopping");
        }
    }

    /**
     * Maps every key in {@code [from, to)} to its latest offset, stopping after the last whole batch that fits.
     * Returns the offset it mapped up to.
     */
    private long buildMap(List<Segment> segments, long from, long to) throws InterruptedException, IOException {
        map.clear();
        long mapped = from;
        for (Segment s : segments) {
            if (s.nextOffset <= from) {
                continue;
            }
            if (s.baseOffset >= to) {
                break;
            }
            int position = 0;
            for (FileChannelRecordBatch b : s.records.batches()) { // headers only, to the first batch at or past from
                if (b.lastOffset() >= from) {
                    break;
                }
                position = b.position() + b.sizeInBytes();
            }
            int size = s.size();
            while (position < size) {
                // whole batches through the one read buffer: no allocation per batch, whatever the log's size
                int chunk = readChunk(s, position, size);
                throttle.bytes(chunk);
                checkStopped();
                for (int p = 0; p < chunk; p += RecordWalk.batchSize(readBuffer, p)) {
                    if (RecordWalk.walkable(readBuffer, p)) {
                        long baseOffset = readBuffer.getLong(p);
                        if (baseOffset >= to) {
                            return mapped;
                        }
                        walk.start(readBuffer, p); // checks the count against the batch's size first
                        if (!roomFor(readBuffer.getInt(p + RecordWalk.COUNT_OFFSET), mapped > from)) {
                            return mapped;
                        }
                        while (!abortedAt(readBuffer, p) && walk.next()) {
                            long offset = baseOffset + walk.offsetDelta;
                            if (offset >= from && walk.keyLength >= 0) {
                                map.put(walk.array(), walk.keyStart, walk.keyLength, offset);
                            }
                        }
                        mapped = baseOffset + readBuffer.getInt(p + RecordWalk.LAST_OFFSET_DELTA_OFFSET) + 1;
                        continue;
                    }
                    MutableRecordBatch batch = batchAt(readBuffer, p); // compressed, control or old-format: kafka-clients reads it
                    if (batch.baseOffset() >= to) {
                        return mapped;
                    }
                    Integer count = batch.countOrNull(); // records, not offsets: a cleaned batch spans more offsets than it holds
                    if (!roomFor(count == null ? batch.lastOffset() - batch.baseOffset() + 1 : count, mapped > from)) {
                        return mapped;
                    }
                    if (!batch.isControlBatch() && !isAborted(batch)) {
                        for (Record r : batch) {
                            if (r.offset() >= from && r.hasKey()) {
                                map.put(r.key(), r.offset());
                            }
                        }
                    }
                    mapped = batch.lastOffset() + 1;
                }
                position += chunk;
            }
        }
        return Math.min(mapped, to);
    }

    /**
     * Whether the map has room for a batch of {@code records} more keys; false when full after mapping some (the next
     * pass maps the rest).
     *
     * @throws LogException when not even one batch fits
     */
    private boolean roomFor(long records, boolean mappedSome) {
        if (map.size() + records <= map.capacity()) {
            return true;
        }
        if (mappedSome) {
            return false;
        }
        throw new LogException(org.apache.kafka.common.protocol.Errors.KAFKA_STORAGE_ERROR, "the cleaner's offset map"
                + " holds " + map.capacity() + " keys, fewer than one batch of " + log.dir().getFileName()
                + " has records: raise log.cleaner.dedupe.buffer.size");
    }

    /** The one batch at {@code position} of {@code buffer}, as kafka-clients reads it. */
    private static MutableRecordBatch batchAt(ByteBuffer buffer, int position) {
        int size = RecordWalk.batchSize(buffer, position);
        return MemoryRecords.readableRecords(buffer.duplicate().position(position).limit(position + size).slice())
                .batches().iterator().next();
    }

    /**
     * The segments starting below {@code mapEnd}, in groups to be rewritten as one segment each: consecutive ones whose
     * sizes add up to at most {@code segment.bytes} and whose offsets fit one index (relative offsets are 32-bit).
     */
    static List<List<Segment>> groups(List<Segment> segments, long mapEnd, LogConfig cfg) {
        List<List<Segment>> groups = new ArrayList<>();
        List<Segment> current = new ArrayList<>();
        long size = 0;
        for (Segment s : segments) {
            if (s.baseOffset >= mapEnd) {
                break;
            }
            boolean fits = !current.isEmpty() && size + s.size() <= cfg.segmentBytes()
                    && s.nextOffset - 1 - current.get(0).baseOffset <= Integer.MAX_VALUE;
            if (!current.isEmpty() && !fits) {
                groups.add(current);
                current = new ArrayList<>();
                size = 0;
            }
            current.add(s);
            size += s.size();
        }
        if (!current.isEmpty()) {
            groups.add(current);
        }
        return groups;
    }

    /** Writes the kept batches of {@code group} into {@code file}, fsynced. */
    private void write(List<Segment> group, Path file, Map<Long, Long> producerLast) throws IOException, InterruptedException {
        Filter filter = new Filter();
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            Gap gap = new Gap();
            for (Segment s : group) {
                int position = 0;
                int size = s.size();
                while (position < size) {
                    int chunk = readChunk(s, position, size);
                    throttle.bytes(chunk);
                    checkStopped();
                    ByteBuffer filtered = filterChunk(chunk, filter);
                    emit(MemoryRecords.readableRecords(filtered), producerLast, gap, out);
                    position += chunk;
                    bytesRead += chunk;
                }
            }
            gap.flush(out);
            out.force(true);
            bytesWritten += out.size();
        }
    }

    /**
     * The kept part of the {@code chunk} bytes of batches in the read buffer, as batches in the write buffer (flipped).
     * Uncompressed batches are filtered where they lie ({@link #filterInPlace}); the rest, and batches whose kept
     * tombstones need a delete horizon set, through kafka-clients' {@code filterTo}.
     */
    private ByteBuffer filterChunk(int chunk, Filter filter) {
        ByteBuffer out = writeBuffer.capacity() >= chunk ? writeBuffer.clear() : ByteBuffer.allocate(chunk);
        for (int p = 0; p < chunk; ) {
            int size = RecordWalk.batchSize(readBuffer, p);
            if (out.remaining() < size) { // only after a filterTo that wrote more than it read
                out = ByteBuffer.allocate(out.position() + chunk).put(out.flip());
            }
            if (!RecordWalk.walkable(readBuffer, p) || !filterInPlace(p, out)) {
                MemoryRecords one = MemoryRecords.readableRecords(readBuffer.duplicate().position(p).limit(p + size).slice());
                out = one.filterTo(filter, out, BufferSupplier.NO_CACHING, Math.max(log.config().maxMessageBytes(), size)).outputBuffer();
            }
            p += size;
        }
        writeBuffer = out;
        return out.flip();
    }

    /**
     * Filters the walkable batch at {@code p} of the read buffer into {@code out}, as {@code filterTo} with
     * {@link Filter} would, but copying the kept records' bytes as they are: all kept, the batch as it is; none kept, an
     * empty batch with its header fields (what {@code RETAIN_EMPTY} writes); some kept, the batch's header with its
     * length, count, max timestamp and CRC made right for the records kept (offsets and timestamps are deltas from the
     * header's base, which stays, and so does the last offset, as {@code filterTo} keeps it for the producer's
     * sequence). Returns false, writing nothing, for a batch holding a tombstone but no delete horizon yet:
     * {@code filterTo} sets the horizon there.
     */
    private boolean filterInPlace(int p, ByteBuffer out) {
        ByteBuffer in = readBuffer;
        int attributes = in.getShort(p + RecordWalk.ATTRIBUTES_OFFSET);
        boolean hasHorizon = (attributes & RecordWalk.DELETE_HORIZON_FLAG) != 0;
        long baseOffset = in.getLong(p);
        long baseTimestamp = in.getLong(p + RecordWalk.BASE_TIMESTAMP_OFFSET);
        int count = in.getInt(p + RecordWalk.COUNT_OFFSET);
        walk.start(in, p); // checks the count against the batch's size first
        if (keep.length < count) {
            keep = new boolean[Math.max(count, keep.length * 2)];
        }
        int kept = 0;
        long maxDelta = Long.MIN_VALUE;
        boolean abortedBatch = abortedAt(in, p);
        for (int i = 0; walk.next(); i++) {
            if (walk.valueLength < 0 && !hasHorizon && !abortedBatch) {
                return false;
            }
            keep[i] = !abortedBatch && walk.keyLength >= 0 && retained(baseOffset + walk.offsetDelta, hasHorizon, baseTimestamp);
            if (keep[i]) {
                kept++;
                maxDelta = Math.max(maxDelta, walk.timestampDelta);
            }
        }
        recordsRead += count;
        int size = RecordWalk.batchSize(in, p);
        if (kept == count) {
            out.put(in.duplicate().position(p).limit(p + size));
        } else if (kept == 0) {
            long lastOffset = baseOffset + in.getInt(p + RecordWalk.LAST_OFFSET_DELTA_OFFSET);
            DefaultRecordBatch.writeEmptyHeader(out, RecordBatch.MAGIC_VALUE_V2, in.getLong(p + RecordWalk.PRODUCER_ID_OFFSET),
                    in.getShort(p + RecordWalk.PRODUCER_EPOCH_OFFSET), in.getInt(p + RecordWalk.BASE_SEQUENCE_OFFSET), baseOffset, lastOffset,
                    in.getInt(p + RecordWalk.PARTITION_LEADER_EPOCH_OFFSET),
                    (attributes & RecordWalk.LOG_APPEND_TIME_FLAG) != 0 ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME,
                    in.getLong(p + RecordWalk.MAX_TIMESTAMP_OFFSET), (attributes & RecordWalk.TRANSACTIONAL_FLAG) != 0, false);
        } else {
            int start = out.position();
            out.put(in.duplicate().position(p).limit(p + RecordWalk.HEADER_BYTES));
            walk.start(in, p);
            for (int i = 0; walk.next(); i++) {
                if (keep[i]) {
                    out.put(walk.array(), walk.start, walk.size);
                }
            }
            int total = out.position() - start;
            out.putInt(start + RecordWalk.LENGTH_OFFSET, total - Records.LOG_OVERHEAD);
            if ((attributes & RecordWalk.LOG_APPEND_TIME_FLAG) == 0) {
                out.putLong(start + RecordWalk.MAX_TIMESTAMP_OFFSET, baseTimestamp + maxDelta);
            }
            out.putInt(start + RecordWalk.COUNT_OFFSET, kept);
            crc.reset();
            crc.update(out.array(), out.arrayOffset() + start + RecordWalk.ATTRIBUTES_OFFSET, total - RecordWalk.ATTRIBUTES_OFFSET);
            out.putInt(start + RecordWalk.CRC_OFFSET, (int) crc.getValue());
        }
        return true;
    }

    /** {@link Filter#shouldRetainRecord} for the keyed record {@link #walk} is on, at {@code offset}. */
    private boolean retained(long offset, boolean hasHorizon, long horizon) {
        long latest = map.get(walk.array(), walk.keyStart, walk.keyLength);
        if (latest >= 0 && offset < latest) {
            return false;
        }
        if (walk.valueLength < 0) {
            return hasHorizon && now < horizon; // no horizon yet: filterTo's case, never here
        }
        return true;
    }

    /** Whether the walkable batch at {@code p} of {@code buffer} belongs to an aborted transaction. */
    private boolean abortedAt(ByteBuffer buffer, int p) {
        return (buffer.getShort(p + RecordWalk.ATTRIBUTES_OFFSET) & RecordWalk.TRANSACTIONAL_FLAG) != 0
                && aborted(buffer.getLong(p + RecordWalk.PRODUCER_ID_OFFSET), buffer.getLong(p));
    }

    private boolean isAborted(RecordBatch batch) {
        return batch.isTransactional() && aborted(batch.producerId(), batch.baseOffset());
    }

    /** Whether producer {@code producerId}'s batch at {@code baseOffset} is in one of its aborted transactions. */
    private boolean aborted(long producerId, long baseOffset) {
        if (aborted.isEmpty()) {
            return false;
        }
        List<AbortedTransaction> list = aborted.get(producerId);
        return list != null && AbortedTransaction.anyCovers(list, producerId, baseOffset);
    }

    /** Reads whole batches from {@code position} into the read buffer (grown for a batch larger than it); returns their size. */
    private int readChunk(Segment s, int position, int size) throws IOException {
        int chunk = 0;
        for (FileChannelRecordBatch batch : s.records.batchesFrom(position)) {
            int next = chunk + batch.sizeInBytes();
            if (chunk > 0 && next > readBuffer.capacity()) {
                break;
            }
            chunk = next;
            if (chunk >= readBuffer.capacity()) {
                break;
            }
        }
        if (chunk > readBuffer.capacity()) {
            readBuffer = ByteBuffer.allocate(chunk);
        }
        readBuffer.clear().limit(chunk);
        s.records.readInto(readBuffer, position);
        if (readBuffer.position() != 0 || readBuffer.limit() != chunk) {
            readBuffer.position(0).limit(chunk);
        }
        return chunk;
    }

    /** Writes filtered batches, folding emptied batches no producer needs into gap fillers. */
    private void emit(MemoryRecords filtered, Map<Long, Long> producerLast, Gap gap, FileChannel out) throws IOException {
        ByteBuffer bytes = filtered.buffer();
        int position = bytes.position();
        for (MutableRecordBatch batch : filtered.batches()) {
            int start = position;
            position += batch.sizeInBytes();
            Integer count = batch.countOrNull();
            boolean empty = count != null && count == 0 && !batch.isControlBatch();
            boolean producerNeedsIt = batch.hasProducerId() && Long.valueOf(batch.lastOffset()).equals(producerLast.get(batch.producerId()));
            if (empty && !producerNeedsIt && gap.extend(batch)) {
                continue;
            }
            gap.flush(out);
            if (empty && !producerNeedsIt) {
                gap.extend(batch); // a gap at its span limit was flushed: this batch starts the next one
                continue;
            }
            OptionalLong horizon = batch.deleteHorizonMs();
            if (horizon.isPresent()) {
                nextDeleteHorizon = Math.min(nextDeleteHorizon, horizon.getAsLong());
            }
            writeFully(out, bytes.duplicate().position(start).limit(position)); // the batch's bytes, not a copy
            recordsKept += count == null ? 0 : count;
        }
    }

    private static void writeFully(FileChannel out, ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            out.write(bytes);
        }
    }

    /** A run of offsets whose batches lost every record, written as one empty batch with no producer. */
    private static final class Gap {
        private long first = -1;
        private long last;
        private long maxTimestamp = RecordBatch.NO_TIMESTAMP;
        private TimestampType timestampType = TimestampType.CREATE_TIME;

        /** Adds the batch's offsets if they follow on and the run stays within one batch's 32-bit span. */
        boolean extend(RecordBatch batch) {
            if (first >= 0 && (batch.baseOffset() != last + 1 || batch.lastOffset() - first > Integer.MAX_VALUE)) {
                return false;
            }
            if (first < 0) {
                first = batch.baseOffset();
                timestampType = batch.timestampType();
            }
            last = batch.lastOffset();
            maxTimestamp = Math.max(maxTimestamp, batch.maxTimestamp());
            return true;
        }

        void flush(FileChannel out) throws IOException {
            if (first < 0) {
                return;
            }
            ByteBuffer header = ByteBuffer.allocate(DefaultRecordBatch.RECORD_BATCH_OVERHEAD);
            DefaultRecordBatch.writeEmptyHeader(header, RecordBatch.MAGIC_VALUE_V2, RecordBatch.NO_PRODUCER_ID,
                    RecordBatch.NO_PRODUCER_EPOCH, RecordBatch.NO_SEQUENCE, first, last, RecordBatch.NO_PARTITION_LEADER_EPOCH,
                    timestampType, maxTimestamp, false, false);
            header.position(0);
            writeFully(out, header);
            first = -1;
            maxTimestamp = RecordBatch.NO_TIMESTAMP;
        }
    }

    /** Which records a pass keeps; every batch is kept, if only as its header, for {@link #emit} to decide. */
    private final class Filter extends MemoryRecords.RecordFilter {
        Filter() {
            super(now, log.config().compaction().deleteRetentionMs());
        }

        @Override
        protected BatchRetentionResult checkBatchRetention(RecordBatch batch) {
            return new BatchRetentionResult(BatchRetention.RETAIN_EMPTY, false);
        }

        @Override
        protected boolean shouldRetainRecord(RecordBatch batch, Record record) {
            recordsRead++;
            if (batch.isControlBatch()) {
                return true;
            }
            if (isAborted(batch)) {
                return false;
            }
            if (!record.hasKey()) {
                return false; // keys are required on compacted topics; these predate the policy
            }
            long latest = map.get(record.key());
            if (latest >= 0 && record.offset() < latest) {
                return false;
            }
            if (!record.hasValue()) {
                OptionalLong horizon = batch.deleteHorizonMs();
                return horizon.isEmpty() || now < horizon.getAsLong();
            }
            return true;
        }
    }
}
