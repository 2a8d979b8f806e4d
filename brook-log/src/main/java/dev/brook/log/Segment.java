package dev.brook.log;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * One segment of a log: the batches from {@code baseOffset} on, in {@code <base offset, 20 digits>.log}, with
 * its {@link OffsetIndex}, {@link TimeIndex} and {@link TransactionIndex} beside it.
 *
 * <p>The {@code .log} file is nothing but Kafka v2 record batches back to back, exactly as the producer sent
 * them except for the base offset the log assigned (and the timestamp, on LogAppendTime topics):
 * <pre>
 *   int64 base offset | int32 length | int32 partition leader epoch | int8 magic (2) | uint32 CRC-32C |
 *   int16 attributes | int32 last offset delta | int64 base timestamp | int64 max timestamp |
 *   int64 producer id | int16 producer epoch | int32 base sequence | int32 record count | records...
 * </pre>
 * The CRC covers everything from the attributes on, so assigning offsets never invalidates it. Offsets within a
 * segment are contiguous: the first batch starts at the base offset and each next batch where the previous one
 * ended. A walk that finds otherwise (a damaged base offset) stops, and {@link LogLoader} repairs the segment.
 *
 * <p>Threads: appends, rolls and truncation under the owning log's lock; reads concurrently.
 */
final class Segment {
    /** For tests: how many segments had their batch headers walked ({@link #rebuild}, {@link #load}) in this JVM. */
    static final java.util.concurrent.atomic.LongAdder HEADER_WALKS = new java.util.concurrent.atomic.LongAdder();
    final long baseOffset;
    final FileRecords records;
    final OffsetIndex offsetIndex;
    final TimeIndex timeIndex;
    final TransactionIndex txnIndex;
    private final LogConfig config;
    private int bytesSinceIndexEntry;
    /** Largest timestamp in this segment, and the offset of the batch holding it. */
    volatile long maxTimestamp = RecordBatch.NO_TIMESTAMP;
    volatile long offsetOfMaxTimestamp = -1;
    /** When the first batch was appended (clock time), for segment.ms; -1 while empty. */
    long firstAppendMs = -1;
    volatile long nextOffset;

    private Segment(long baseOffset, FileRecords records, OffsetIndex offsetIndex, TimeIndex timeIndex, TransactionIndex txnIndex,
                    LogConfig config) {
        this.baseOffset = baseOffset;
        this.records = records;
        this.offsetIndex = offsetIndex;
        this.timeIndex = timeIndex;
        this.txnIndex = txnIndex;
        this.config = config;
        this.nextOffset = baseOffset;
    }

    /** {@code offset} in 20 digits, zero-padded, then {@code suffix}. (Not String.format: its first use loads locale data.) */
    static String fileName(long offset, String suffix) {
        String digits = Long.toString(offset);
        return "0".repeat(20 - digits.length()) + digits + suffix;
    }

    /** The base offsets of the segments in {@code dir} (its {@code <20 digits>.log} files), ascending. */
    static java.util.List<Long> bases(Path dir) throws IOException {
        java.util.List<Long> bases = new java.util.ArrayList<>();
        try (java.nio.file.DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.log")) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                try {
                    bases.add(Long.parseLong(name.substring(0, name.length() - 4)));
                } catch (NumberFormatException ignored) {
                    // not a segment
                }
            }
        }
        bases.sort(Long::compare);
        return bases;
    }

    static Path logFile(Path dir, long base) {
        return dir.resolve(fileName(base, ".log"));
    }

    /** Opens or creates a segment. With {@code trustIndexes} false (or indexes that look wrong) they are rebuilt. */
    static Segment open(Path dir, long baseOffset, LogConfig config, boolean trustIndexes) {
        try {
            File file = logFile(dir, baseOffset).toFile();
            FileRecords records = FileRecords.open(file, file.exists(), 0, false);
            OffsetIndex oi = new OffsetIndex(dir.resolve(fileName(baseOffset, ".index")), baseOffset, config.segmentIndexBytes(), trustIndexes);
            TimeIndex ti = new TimeIndex(dir.resolve(fileName(baseOffset, ".timeindex")), baseOffset,
                    config.segmentIndexBytes() / OffsetIndex.ENTRY * TimeIndex.ENTRY, trustIndexes);
            TransactionIndex xi = new TransactionIndex(dir.resolve(fileName(baseOffset, ".txnindex")));
            return new Segment(baseOffset, records, oi, ti, xi, config);
        } catch (IOException e) {
            throw new LogException(Errors.KAFKA_STORAGE_ERROR, "cannot open segment " + baseOffset + " in " + dir, e);
        }
    }

    int size() {
        return records.sizeInBytes();
    }

    boolean isEmpty() {
        return records.sizeInBytes() == 0;
    }

    /**
     * Walks the batch headers, rebuilding the indexes, the segment's end offset, its timestamps and the producer
     * state. Returns false, leaving the walk unfinished, at the first batch whose offsets do not follow on from the
     * previous one's (the segment's first batch starts at its base offset): a damaged base offset, which the CRC does
     * not cover, for {@link LogLoader} to repair. The transaction index is rebuilt from the abort markers only when
     * {@code producers} is the log's own state up to this segment (it knows where each open transaction began);
     * otherwise the index on disk is kept.
     */
    boolean rebuild(ProducerStateTable producers) {
        return rebuild(producers, true);
    }

    boolean rebuild(ProducerStateTable producers, boolean rebuildTxnIndex) {
        HEADER_WALKS.increment();
        offsetIndex.clear();
        timeIndex.clear();
        if (rebuildTxnIndex) {
            try {
                txnIndex.clear();
            } catch (IOException e) {
                return false;
            }
        }
        maxTimestamp = RecordBatch.NO_TIMESTAMP;
        offsetOfMaxTimestamp = -1;
        bytesSinceIndexEntry = 0;
        long expectedNext = baseOffset;
        int position = 0;
        try {
            for (FileChannelRecordBatch batch : records.batches()) {
                if (batch.baseOffset() != expectedNext || batch.lastOffset() < batch.baseOffset()) {
                    return false;
                }
                indexBatch(batch.baseOffset(), batch.lastOffset(), batch.maxTimestamp(), position, batch.sizeInBytes());
                applyToProducers(batch, producers, rebuildTxnIndex);
                expectedNext = batch.lastOffset() + 1;
                position += batch.sizeInBytes();
            }
        } catch (RuntimeException unreadable) {
            return false; // a length field below a header's size (kafka-clients' CorruptRecordException)
        }
        nextOffset = expectedNext;
        return position == size(); // a length field beyond the file ends the walk early, silently
    }

    /**
     * Rebuilds only the producer state, end offset and timestamps from batch headers, trusting the indexes. Returns
     * false where {@link #rebuild} would.
     */
    boolean load(ProducerStateTable producers) {
        HEADER_WALKS.increment();
        long next = baseOffset;
        int position = 0;
        long max = RecordBatch.NO_TIMESTAMP;
        long offsetOfMax = -1;
        try {
            for (FileChannelRecordBatch batch : records.batches()) {
                if (batch.baseOffset() != next || batch.lastOffset() < batch.baseOffset()) {
                    return false;
                }
                applyToProducers(batch, producers, false);
                if (batch.maxTimestamp() > max) {
                    max = batch.maxTimestamp(); // not the time index's last entry, which a full disk may have skipped
                    offsetOfMax = batch.baseOffset();
                }
                next = batch.lastOffset() + 1;
                position += batch.sizeInBytes();
            }
        } catch (RuntimeException unreadable) {
            return false;
        }
        nextOffset = next;
        maxTimestamp = max;
        offsetOfMaxTimestamp = offsetOfMax;
        return position == size();
    }

    /**
     * What a batch found by a walk tells the producer state: a data batch its sequences (and for a transactional one,
     * perhaps the start of a transaction); a commit or abort marker the end of one, and with {@code indexAborts} an
     * abort adds its entry to the transaction index.
     */
    private void applyToProducers(FileChannelRecordBatch batch, ProducerStateTable producers, boolean indexAborts) {
        if (!batch.hasProducerId()) {
            return;
        }
        if (!batch.isControlBatch()) {
            producers.record(batch.producerId(), batch.producerEpoch(), batch.baseSequence(), batch.lastSequence(),
                    batch.baseOffset(), batch.lastOffset(), batch.maxTimestamp(), batch.isTransactional());
            return;
        }
        for (org.apache.kafka.common.record.internal.Record r : batch) {
            org.apache.kafka.common.record.internal.ControlRecordType type =
                    org.apache.kafka.common.record.internal.ControlRecordType.parse(r.key());
            if (type != org.apache.kafka.common.record.internal.ControlRecordType.COMMIT
                    && type != org.apache.kafka.common.record.internal.ControlRecordType.ABORT) {
                continue;
            }
            int coordinatorEpoch = org.apache.kafka.common.record.internal.EndTransactionMarker.deserialize(r).coordinatorEpoch();
            long first = producers.complete(batch.producerId(), batch.producerEpoch(), coordinatorEpoch, batch.lastOffset(),
                    batch.maxTimestamp());
            if (indexAborts && first >= 0 && type == org.apache.kafka.common.record.internal.ControlRecordType.ABORT) {
                long unstable = producers.firstUnstableOffset();
                long lso = unstable < 0 ? batch.lastOffset() + 1 : Math.min(unstable, batch.lastOffset() + 1);
                try {
                    txnIndex.append(new AbortedTransaction(batch.producerId(), first, batch.lastOffset(), lso));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        }
    }

    /** Takes the end offset and timestamps a clean-shutdown snapshot saved, instead of walking the batch headers. */
    void restore(LogSnapshot.SegmentSummary summary) {
        nextOffset = summary.nextOffset();
        maxTimestamp = summary.maxTimestamp();
        offsetOfMaxTimestamp = summary.offsetOfMaxTimestamp();
    }

    /** Updates indexes and timestamps for a batch just written at {@code position}. Caller holds the log's lock. */
    void indexBatch(long firstOffset, long lastOffset, long batchMaxTimestamp, int position, int size) {
        if (bytesSinceIndexEntry >= config.indexIntervalBytes() || offsetIndex.entries() == 0) {
            offsetIndex.append(firstOffset, position);
            bytesSinceIndexEntry = 0;
        }
        bytesSinceIndexEntry += size;
        if (batchMaxTimestamp > maxTimestamp) {
            maxTimestamp = batchMaxTimestamp;
            offsetOfMaxTimestamp = firstOffset;
            timeIndex.maybeAppend(batchMaxTimestamp, firstOffset);
        }
        nextOffset = lastOffset + 1;
    }

    /**
     * The position of the batch holding {@code offset}, or null if this segment ends before it. The scan starts at the
     * index entry at or below {@code offset} and checks that offsets line up with it: the batch the entry points at
     * starts at the entry's offset, and each next batch where the previous one ended.
     *
     * @throws LogException CORRUPT_MESSAGE where they do not (a base offset damaged on disk since the log was opened)
     */
    FileRecords.LogOffsetPosition find(long offset) {
        long end = nextOffset;
        int n = offsetIndex.floor(offset);
        int from = n < 0 ? 0 : offsetIndex.position(n);
        long expected = n < 0 ? baseOffset : offsetIndex.key(n);
        try {
            for (FileChannelRecordBatch batch : records.batchesFrom(from)) {
                if (batch.baseOffset() != expected) {
                    throw new LogException(Errors.CORRUPT_MESSAGE, "the batch at byte " + batch.position() + " of segment "
                            + baseOffset + " says base offset " + batch.baseOffset() + " where offset " + expected + " belongs");
                }
                if (batch.lastOffset() >= offset) {
                    return new FileRecords.LogOffsetPosition(batch.lastOffset(), batch.position(), batch.sizeInBytes());
                }
                expected = batch.lastOffset() + 1;
            }
        } catch (CorruptRecordException e) {
            throw new LogException(Errors.CORRUPT_MESSAGE, "a batch header of segment " + baseOffset + " is unreadable: " + e.getMessage());
        }
        if (offset < end) {
            throw new LogException(Errors.CORRUPT_MESSAGE, "segment " + baseOffset + " ends at offset " + (expected - 1)
                    + " though it holds offsets up to " + (end - 1) + " (a batch's length was damaged)");
        }
        return null;
    }

    /**
     * fsyncs the records only. The indexes need no fsync here: a segment's indexes are forced when it stops being
     * active ({@link #trimIndexes}, at roll and close), and the active segment's indexes are rebuilt from its records
     * by recovery after an unclean shutdown. Forcing them on every {@code acks=all} flush cost as much as the
     * records' fsync itself (JFR: {@code MappedMemoryUtils.force0} 109 samples against {@code force0} 120).
     */
    void flush() throws IOException {
        records.flush();
        txnIndex.flush();
    }

    /** Shrinks the index files to their entries (the segment stops being active). */
    void trimIndexes() {
        offsetIndex.trim();
        timeIndex.trim();
    }

    void close() throws IOException {
        trimIndexes();
        records.close();
    }

    /**
     * Drops the records of a segment whose files are deleted, so that the kernel discards its dirty pages instead of
     * writing them back (on ext4 a later fsync of any file can wait for that writeback).
     */
    void discardData() {
        try {
            records.truncateTo(0);
        } catch (IOException e) {
            // the channel is already closed: nothing left to discard
        }
    }

    /** Removes the files; an already-open reader of the .log keeps working until the channel is closed. */
    void deleteFiles(Path dir) throws IOException {
        offsetIndex.deleteFile();
        timeIndex.deleteFile();
        txnIndex.deleteFile();
        Files.deleteIfExists(logFile(dir, baseOffset));
    }

    @Override
    public String toString() {
        return "Segment(" + baseOffset + ".." + (nextOffset - 1) + ", " + size() + " bytes)";
    }
}
