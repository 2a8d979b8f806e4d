package dev.brook.log;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.utils.internals.ByteUtils;

/**
 * The records of one uncompressed magic-2 batch, read where they lie in a heap buffer, allocating nothing per record:
 * the cleaner's way through a log, where kafka-clients' record iterators would make several objects for every record.
 *
 * <p>A record (v2): {@code varint length | int8 attributes | varlong timestampDelta | varint offsetDelta |
 * varint keyLength | key | varint valueLength | value | varint headerCount | headers}, with zig-zag varints
 * (kafka-clients' {@link ByteUtils}); a length of -1 is null. The batch header is
 * {@link DefaultRecordBatch#RECORD_BATCH_OVERHEAD} bytes; the positions of its fields are below, kafka-clients' own
 * where it makes them public.
 *
 * <p>Not thread-safe; one per cleaning.
 */
final class RecordWalk {
    static final int HEADER_BYTES = DefaultRecordBatch.RECORD_BATCH_OVERHEAD;
    static final int LENGTH_OFFSET = Records.SIZE_OFFSET;
    static final int PARTITION_LEADER_EPOCH_OFFSET = 12;
    static final int MAGIC_OFFSET = Records.MAGIC_OFFSET;
    static final int CRC_OFFSET = DefaultRecordBatch.CRC_OFFSET;
    static final int ATTRIBUTES_OFFSET = 21;
    static final int LAST_OFFSET_DELTA_OFFSET = DefaultRecordBatch.LAST_OFFSET_DELTA_OFFSET;
    static final int BASE_TIMESTAMP_OFFSET = 27;
    static final int MAX_TIMESTAMP_OFFSET = 35;
    static final int PRODUCER_ID_OFFSET = 43;
    static final int PRODUCER_EPOCH_OFFSET = 51;
    static final int BASE_SEQUENCE_OFFSET = 53;
    static final int COUNT_OFFSET = DefaultRecordBatch.RECORDS_COUNT_OFFSET;
    static final int COMPRESSION_MASK = 0x07;
    static final int LOG_APPEND_TIME_FLAG = 0x08;
    static final int TRANSACTIONAL_FLAG = 0x10;
    static final int CONTROL_FLAG = 0x20;
    static final int DELETE_HORIZON_FLAG = 0x40;

    /** The batch being walked, positioned at the next record; its limit is the batch's end. */
    private ByteBuffer records;
    private int arrayOffset;
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

    /** The size of the batch at {@code batchStart} of {@code buffer}, its offset and length fields included. */
    static int batchSize(ByteBuffer buffer, int batchStart) {
        return buffer.getInt(batchStart + LENGTH_OFFSET) + Records.LOG_OVERHEAD;
    }

    /**
     * Whether the batch at {@code batchStart} of {@code buffer} can be walked: magic 2, not compressed, not a control
     * batch, and the buffer a heap one.
     */
    static boolean walkable(ByteBuffer buffer, int batchStart) {
        return buffer.hasArray() && buffer.get(batchStart + MAGIC_OFFSET) == 2
                && (buffer.getShort(batchStart + ATTRIBUTES_OFFSET) & (COMPRESSION_MASK | CONTROL_FLAG)) == 0;
    }

    /** Starts on a {@link #walkable} batch; {@link #next} then steps through its records. */
    RecordWalk start(ByteBuffer buffer, int batchStart) {
        records = buffer.duplicate().limit(batchStart + batchSize(buffer, batchStart)).position(batchStart + HEADER_BYTES);
        arrayOffset = buffer.arrayOffset();
        remaining = buffer.getInt(batchStart + COUNT_OFFSET);
        if (remaining < 0 || remaining > records.remaining()) { // a record takes at least a byte; the cleaner does not check CRCs
            throw new LogException(Errors.CORRUPT_MESSAGE, "a batch claims " + remaining + " records in " + records.remaining() + " bytes");
        }
        return this;
    }

    byte[] array() {
        return records.array();
    }

    /** Steps to the next record; false after the last. */
    boolean next() {
        if (remaining <= 0) {
            return false;
        }
        try {
            int first = records.position();
            int length = ByteUtils.readVarint(records);
            int body = records.position();
            records.get(); // attributes
            timestampDelta = ByteUtils.readVarlong(records);
            offsetDelta = ByteUtils.readVarint(records);
            keyLength = ByteUtils.readVarint(records);
            keyStart = arrayOffset + records.position();
            valueLength = ByteUtils.readVarint(records.position(records.position() + Math.max(0, keyLength)));
            records.position(body + length);
            start = arrayOffset + first;
            size = body + length - first;
        } catch (BufferUnderflowException | IllegalArgumentException e) {
            // a varint or a length running past the batch's end (an IllegalArgumentException from position)
            throw new LogException(Errors.CORRUPT_MESSAGE, "a record runs past the end of its batch");
        }
        remaining--;
        return true;
    }
}
