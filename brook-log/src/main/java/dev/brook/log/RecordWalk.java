package dev.brook.log;

import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.Errors;

/**
 * The records of one uncompressed magic-2 batch, read where they lie in a heap buffer, allocating nothing: the cleaner's
 * way through a log, where kafka-clients' record iterators would make several objects for every record.
 *
 * <p>A record (v2): {@code varint length | int8 attributes | varlong timestampDelta | varint offsetDelta |
 * varint keyLength | key | varint valueLength | value | varint headerCount | headers}, with zig-zag varints; a length
 * of -1 is null. The batch header is 61 bytes ({@code DefaultRecordBatch.RECORD_BATCH_OVERHEAD}): base offset at 0,
 * length at 8, magic at 16, attributes (int16) at 21, base timestamp at 27, the record count at 57.
 *
 * <p>Not thread-safe; one per cleaning.
 */
final class RecordWalk {
    static final int HEADER_BYTES = 61;
    static final int LENGTH_OFFSET = 8;
    static final int MAGIC_OFFSET = 16;
    static final int ATTRIBUTES_OFFSET = 21;
    static final int LAST_OFFSET_DELTA_OFFSET = 23;
    static final int BASE_TIMESTAMP_OFFSET = 27;
    static final int MAX_TIMESTAMP_OFFSET = 35;
    static final int COUNT_OFFSET = 57;
    static final int COMPRESSION_MASK = 0x07;
    static final int LOG_APPEND_TIME_FLAG = 0x08;
    static final int CONTROL_FLAG = 0x20;
    static final int DELETE_HORIZON_FLAG = 0x40;

    private byte[] a;
    private int pos;
    private int end;
    private int remaining;

    /** This record's first byte (its length), as an index into {@link #array()}. */
    int start;
    /** This record's bytes, its length included. */
    int size;
    long timestampDelta;
    int offsetDelta;
    /** Index of the key's first byte in {@link #array()}; its length, or -1 for no key. */
    int keyStart;
    int keyLength;
    /** The value's length, or -1 (a tombstone). */
    int valueLength;

    /**
     * Whether the batch of {@code size} bytes at {@code batchStart} of {@code buffer} can be walked: magic 2, not
     * compressed, not a control batch, and the buffer a heap one.
     */
    static boolean walkable(ByteBuffer buffer, int batchStart) {
        return buffer.hasArray() && buffer.get(batchStart + MAGIC_OFFSET) == 2
                && (buffer.getShort(batchStart + ATTRIBUTES_OFFSET) & (COMPRESSION_MASK | CONTROL_FLAG)) == 0;
    }

    /** Starts on a {@link #walkable} batch; {@link #next} then steps through its records. */
    RecordWalk start(ByteBuffer buffer, int batchStart) {
        a = buffer.array();
        int base = buffer.arrayOffset() + batchStart;
        pos = base + HEADER_BYTES;
        end = base + 12 + buffer.getInt(batchStart + LENGTH_OFFSET);
        remaining = buffer.getInt(batchStart + COUNT_OFFSET);
        if (remaining < 0 || remaining > end - pos) { // a record takes at least a byte; the cleaner does not check CRCs
            throw new LogException(Errors.CORRUPT_MESSAGE, "a batch claims " + remaining + " records in " + (end - pos) + " bytes");
        }
        return this;
    }

    byte[] array() {
        return a;
    }

    /** Steps to the next record; false after the last. */
    boolean next() {
        if (remaining <= 0) {
            return false;
        }
        try {
            start = pos;
            int length = varint();
            int body = pos;
            pos++; // attributes
            timestampDelta = varlong();
            offsetDelta = varint();
            keyLength = varint();
            keyStart = pos;
            if (keyLength > 0) {
                pos += keyLength;
            }
            valueLength = varint();
            pos = body + length;
            size = pos - start;
        } catch (ArrayIndexOutOfBoundsException e) {
            pos = Integer.MAX_VALUE;
        }
        if (pos > end || size <= 0) {
            throw new LogException(Errors.CORRUPT_MESSAGE, "a record runs past the end of its batch");
        }
        remaining--;
        return true;
    }

    private int varint() {
        int raw = 0;
        int shift = 0;
        byte b;
        do {
            b = a[pos++];
            raw |= (b & 0x7f) << shift;
            shift += 7;
        } while (b < 0 && shift < 35);
        return (raw >>> 1) ^ -(raw & 1);
    }

    private long varlong() {
        long raw = 0;
        int shift = 0;
        byte b;
        do {
            b = a[pos++];
            raw |= (long) (b & 0x7f) << shift;
            shift += 7;
        } while (b < 0 && shift < 70);
        return (raw >>> 1) ^ -(raw & 1);
    }
}
