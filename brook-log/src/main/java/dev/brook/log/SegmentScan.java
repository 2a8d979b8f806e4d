package dev.brook.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.Crc32C;

/**
 * A byte-by-byte check of one segment file that, unlike a walk of its batches, goes on past damage: it finds every
 * batch that is whole (size, magic, CRC-32C) and lines up with the offsets before it, and says what lies between.
 * {@link LogLoader} uses it when a segment looks wrong, to keep what is readable instead of cutting the log at the
 * first bad byte.
 *
 * <p>What it reports, as {@link Span}s in file order:
 * <ul>
 *   <li>{@link Good}: batches that are whole and whose offsets follow on from the previous ones;</li>
 *   <li>{@link Renumbered}: one whole batch whose base offset (the 8 bytes outside the CRC) does not line up, but
 *       whose record count fits exactly between the batches around it, so its true base offset is known;</li>
 *   <li>{@link Bad}: bytes that hold no whole batch (a flipped payload byte, a torn write, garbage), up to the next
 *       position where a whole batch starts, which is found by trying every byte (a batch starts where the magic byte
 *       is 2, the length fits, and the CRC of that length holds: garbage passes all three about once in 2^40).</li>
 * </ul>
 * Offsets within a segment are contiguous (Brook writes them so, and a quarantine split keeps them so); a batch after
 * {@link Bad} bytes may start later than the previous one ended, because what was lost in between had offsets.
 *
 * <p>Reads the file through a read-only mapping; runs on the thread opening the log, before any reader.
 */
final class SegmentScan {
    /** Bytes of a v2 batch header (see {@link Segment}). */
    static final int HEADER = 61;
    private static final int LOG_OVERHEAD = 12;
    private static final int MAGIC = 16;
    private static final int CRC = 17;
    private static final int ATTRIBUTES = 21;
    private static final int LAST_OFFSET_DELTA = 23;
    private static final int RECORD_COUNT = 57;

    sealed interface Span permits Good, Renumbered, Bad {
        int from();

        int to();
    }

    /** Whole, contiguous batches in {@code [from, to)}, with offsets {@code [firstOffset, nextOffset)}. */
    record Good(int from, int to, long firstOffset, long nextOffset) implements Span {
    }

    /** The whole batch in {@code [from, to)}, which says base offset {@code stored} but must be {@code base}. */
    record Renumbered(int from, int to, long stored, long base, long nextOffset) implements Span {
    }

    /** Bytes in {@code [from, to)} that hold no whole batch. */
    record Bad(int from, int to) implements Span {
    }

    /** The spans of the whole file, and whether anything but {@link Good} is among them. */
    record Result(List<Span> spans, int size) {
        boolean damaged() {
            return spans.stream().anyMatch(s -> !(s instanceof Good));
        }

        /** Whether the only damage is bad bytes running to the end of the file (a torn tail). */
        boolean onlyTornTail() {
            int n = spans.size();
            return n > 0 && spans.get(n - 1) instanceof Bad b && b.to() == size
                    && spans.subList(0, n - 1).stream().allMatch(s -> s instanceof Good);
        }

        /** The offset after the last batch kept, or {@code base} if none. */
        long nextOffset(long base) {
            long next = base;
            for (Span s : spans) {
                if (s instanceof Good g) {
                    next = g.nextOffset();
                } else if (s instanceof Renumbered r) {
                    next = r.nextOffset();
                }
            }
            return next;
        }
    }

    private final ByteBuffer file;
    private final int size;
    private final long nextSegmentBase;

    private SegmentScan(ByteBuffer file, long nextSegmentBase) {
        this.file = file;
        this.size = file.limit();
        this.nextSegmentBase = nextSegmentBase;
    }

    /**
     * Scans {@code logFile}, whose first batch should start at offset {@code base}.
     *
     * @param nextSegmentBase the base offset of the next segment, or -1 for the last one: no batch here may reach it
     */
    static Result scan(Path logFile, long base, long nextSegmentBase) throws IOException {
        try (FileChannel ch = FileChannel.open(logFile, StandardOpenOption.READ)) {
            long length = ch.size();
            if (length > Integer.MAX_VALUE) {
                throw new IOException(logFile + " is larger than a segment can be: " + length + " bytes");
            }
            ByteBuffer map = length == 0 ? ByteBuffer.allocate(0) : ch.map(FileChannel.MapMode.READ_ONLY, 0, length);
            return new SegmentScan(map, nextSegmentBase).run(base);
        }
    }

    private Result run(long base) {
        List<Span> spans = new ArrayList<>();
        long expected = base;
        boolean afterBad = false;
        int goodFrom = -1;
        long goodFirst = -1;
        int pos = 0;
        while (pos < size) {
            int batchSize = wholeBatchAt(pos);
            if (batchSize < 0) {
                if (goodFrom >= 0) {
                    spans.add(new Good(goodFrom, pos, goodFirst, expected));
                    goodFrom = -1;
                }
                int next = nextWholeBatch(pos + 1);
                spans.add(new Bad(pos, next));
                pos = next;
                afterBad = true;
                continue;
            }
            long stored = file.getLong(pos);
            long count = file.getInt(pos + LAST_OFFSET_DELTA) + 1L;
            boolean fitsNextSegment = nextSegmentBase < 0 || stored + count <= nextSegmentBase;
            if ((stored == expected || (afterBad && stored > expected)) && fitsNextSegment) {
                if (goodFrom < 0) {
                    goodFrom = pos;
                    goodFirst = stored;
                }
                expected = stored + count;
            } else {
                if (goodFrom >= 0) {
                    spans.add(new Good(goodFrom, pos, goodFirst, expected));
                    goodFrom = -1;
                }
                if (fitsExactly(pos + batchSize, expected + count)) {
                    spans.add(new Renumbered(pos, pos + batchSize, stored, expected, expected + count));
                    expected += count;
                } else {
                    spans.add(new Bad(pos, pos + batchSize));
                    afterBad = true;
                    pos += batchSize;
                    continue;
                }
            }
            afterBad = false;
            pos += batchSize;
        }
        if (goodFrom >= 0) {
            spans.add(new Good(goodFrom, size, goodFirst, expected));
        }
        return new Result(merge(spans), size);
    }

    /**
     * Whether a batch ending at {@code end} and followed by offset {@code next} lines up with what comes after it:
     * the next whole batch starts at {@code next}, or the file ends there and the next segment starts at or after it.
     */
    private boolean fitsExactly(int end, long next) {
        if (end == size) {
            return nextSegmentBase < 0 || next <= nextSegmentBase;
        }
        return wholeBatchAt(end) > 0 && file.getLong(end) == next;
    }

    /** The size of the whole v2 batch starting at {@code pos}, or -1 if none does. */
    private int wholeBatchAt(int pos) {
        if (size - pos < HEADER) {
            return -1;
        }
        int length = file.getInt(pos + 8);
        if (length < HEADER - LOG_OVERHEAD || length > size - pos - LOG_OVERHEAD || file.get(pos + MAGIC) != RecordBatch.MAGIC_VALUE_V2) {
            return -1;
        }
        int lastOffsetDelta = file.getInt(pos + LAST_OFFSET_DELTA);
        int count = file.getInt(pos + RECORD_COUNT);
        if (lastOffsetDelta < 0 || count < 0 || count > lastOffsetDelta + 1) {
            // fewer records than offsets, or none, is what the cleaner leaves (ranges keep their offsets)
            return -1;
        }
        int crc = file.getInt(pos + CRC);
        ByteBuffer view = file.duplicate();
        view.position(0);
        if ((int) Crc32C.compute(view, pos + ATTRIBUTES, LOG_OVERHEAD + length - ATTRIBUTES) != crc) {
            return -1;
        }
        return LOG_OVERHEAD + length;
    }

    /** The first position at or after {@code from} where a whole batch starts, or the file's size. */
    private int nextWholeBatch(int from) {
        for (int p = from; p <= size - HEADER; p++) {
            if (file.get(p + MAGIC) == RecordBatch.MAGIC_VALUE_V2 && wholeBatchAt(p) > 0) {
                return p;
            }
        }
        return size;
    }

    /** Adjacent {@link Bad} spans become one. */
    private static List<Span> merge(List<Span> spans) {
        List<Span> out = new ArrayList<>();
        for (Span s : spans) {
            if (s instanceof Bad b && !out.isEmpty() && out.get(out.size() - 1) instanceof Bad prev && prev.to() == b.from()) {
                out.set(out.size() - 1, new Bad(prev.from(), b.to()));
            } else {
                out.add(s);
            }
        }
        return out;
    }
}
