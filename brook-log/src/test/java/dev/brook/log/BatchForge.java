package dev.brook.log;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.ByteBufferOutputStream;
import org.apache.kafka.common.utils.internals.Crc32C;

/**
 * Writes v2 record batches byte by byte, so a test can put into one exactly the broken record it wants (a negative
 * key length, a record length of 2^31-1, a gzip stream that is not gzip) behind a header whose CRC is right, which
 * is what a hostile or buggy client can send and kafka-clients' own builders never produce. Shared with brook-it
 * through this module's test jar.
 */
public final class BatchForge {
    private final ByteArrayOutputStream records = new ByteArrayOutputStream();
    private int count;

    /** Appends one well-formed record: offset delta = its index, the given key and value (null allowed). */
    public BatchForge record(String key, String value) {
        return record(count, 0, bytes(key), bytes(value), new String[0]);
    }

    public BatchForge record(int offsetDelta, long timestampDelta, byte[] key, byte[] value, String... headers) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(0); // attributes
        varlong(body, timestampDelta);
        varint(body, offsetDelta);
        lengthAndBytes(body, key);
        lengthAndBytes(body, value);
        varint(body, headers.length / 2);
        for (int i = 0; i + 1 < headers.length; i += 2) {
            lengthAndBytes(body, bytes(headers[i]));
            lengthAndBytes(body, bytes(headers[i + 1]));
        }
        varint(records, body.size());
        records.writeBytes(body.toByteArray());
        count++;
        return this;
    }

    /**
     * Appends one record whose fields after the offset delta are {@code fields}, each written as a varint (a key
     * length of -5, a header count of -3...), with a record length that covers exactly what is written.
     */
    public BatchForge fields(int offsetDelta, long... fields) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(0); // attributes
        varlong(body, 0); // timestamp delta
        varint(body, offsetDelta);
        for (long v : fields) {
            varlong(body, v);
        }
        varint(records, body.size());
        records.writeBytes(body.toByteArray());
        count++;
        return this;
    }

    /** Appends raw bytes to the records section (counts no record). */
    public BatchForge raw(byte[] bytes) {
        records.writeBytes(bytes);
        return this;
    }

    /** Appends raw varints to the records section (counts no record). */
    public BatchForge varints(long... values) {
        for (long v : values) {
            varlong(records, v);
        }
        return this;
    }

    /** Counts one more record in the header without writing one. */
    public BatchForge countOneMore() {
        count++;
        return this;
    }

    public MemoryRecords build(long baseTimestamp) {
        return build(Compression.NONE, baseTimestamp, count, count - 1);
    }

    public MemoryRecords build(Compression compression, long baseTimestamp) {
        return build(compression, baseTimestamp, count, count - 1);
    }

    /** The batch, with the records section compressed as is (a not-really-compressed section with {@link #buildClaiming}). */
    public MemoryRecords build(Compression compression, long baseTimestamp, int recordCount, int lastOffsetDelta) {
        byte[] section = records.toByteArray();
        if (compression.type().id != 0) {
            ByteBufferOutputStream out = new ByteBufferOutputStream(256);
            try (OutputStream zipped = compression.wrapForOutput(out, RecordBatch.MAGIC_VALUE_V2)) {
                zipped.write(section);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            ByteBuffer b = out.buffer();
            b.flip();
            section = new byte[b.remaining()];
            b.get(section);
        }
        return frame(compression.type().id, baseTimestamp, recordCount, lastOffsetDelta, section);
    }

    /** A batch whose header claims {@code compressionId} but whose records section is these bytes, unchanged. */
    public MemoryRecords buildClaiming(int compressionId, long baseTimestamp) {
        return frame(compressionId, baseTimestamp, count, count - 1, records.toByteArray());
    }

    private static MemoryRecords frame(int compressionId, long baseTimestamp, int recordCount, int lastOffsetDelta, byte[] section) {
        ByteBuffer b = ByteBuffer.allocate(61 + section.length);
        b.putLong(0) // base offset
                .putInt(61 - 12 + section.length) // length
                .putInt(-1) // partition leader epoch
                .put(RecordBatch.MAGIC_VALUE_V2)
                .putInt(0) // crc, below
                .putShort((short) compressionId)
                .putInt(lastOffsetDelta)
                .putLong(baseTimestamp)
                .putLong(baseTimestamp) // max timestamp
                .putLong(-1) // producer id
                .putShort((short) -1)
                .putInt(-1)
                .putInt(recordCount)
                .put(section);
        long crc = Crc32C.compute(b.array(), 21, b.capacity() - 21);
        b.putInt(17, (int) crc);
        b.flip();
        return MemoryRecords.readableRecords(b);
    }

    private static byte[] bytes(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    private static void lengthAndBytes(ByteArrayOutputStream out, byte[] bytes) {
        if (bytes == null) {
            varint(out, -1);
        } else {
            varint(out, bytes.length);
            out.writeBytes(bytes);
        }
    }

    static void varint(ByteArrayOutputStream out, int v) {
        varlong(out, v);
    }

    static void varlong(ByteArrayOutputStream out, long v) {
        long zz = (v << 1) ^ (v >> 63);
        while ((zz & ~0x7FL) != 0) {
            out.write((int) ((zz & 0x7F) | 0x80));
            zz >>>= 7;
        }
        out.write((int) zz);
    }
}
