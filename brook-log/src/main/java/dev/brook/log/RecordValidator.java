package dev.brook.log;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.DefaultRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.BufferSupplier;

/**
 * Checks every record inside a v2 batch before the log accepts it, as Kafka's broker does: a batch whose CRC holds
 * can still carry records that no consumer can read (a negative key length, a value longer than the batch, a record
 * length of 2^31-1 inside a gzip stream), and once stored such a batch makes every kafka-clients consumer of the
 * partition fail, or die of {@code OutOfMemoryError}.
 *
 * <p>The records section of a batch (from byte 61 on, decompressed first for a compressed batch) is {@code count}
 * records, each:
 * <pre>
 *   varint length (of what follows) | int8 attributes | varlong timestamp delta | varint offset delta |
 *   varint key length (-1: null) | key | varint value length (-1: null) | value |
 *   varint header count | header count x (varint key length | key | varint value length (-1: null) | value)
 * </pre>
 * (varints are zig-zag encoded, at most 5 bytes; varlongs at most 10). Checked: every length against what is left of
 * its record and of the batch, no negative lengths but -1 for a null key or value (header keys may not be null),
 * offset deltas 0, 1, 2, ... in order, that the fields fill each record's length exactly, that nothing follows the
 * last record, keys on compacted topics, and CreateTime timestamps within {@code message.timestamp.before.max.ms}
 * and {@code message.timestamp.after.max.ms} of now. A compressed batch is decompressed as a stream through a
 * 16 KiB window: no decompressed copy is kept, and a batch whose records decompress to more than
 * {@link #maxDecompressedBytes} is refused, so a small "zip bomb" cannot make the broker inflate gigabytes.
 *
 * <p>Nothing is allocated per record: keys, values and headers are skipped, not read. The uncompressed walk reads
 * the request's own buffer in place.
 *
 * <p>Threads: one instance per thread ({@link #forThisThread}), which owns its window and decompression buffers;
 * validation happens before the log's lock is taken, on whichever thread appends.
 */
final class RecordValidator {
    private static final ThreadLocal<RecordValidator> PER_THREAD = ThreadLocal.withInitial(RecordValidator::new);
    private static final int RECORDS_OFFSET = DefaultRecordBatch.RECORD_BATCH_OVERHEAD;
    /** Where a v2 batch header keeps its base timestamp (see {@link Segment} for the whole header). */
    private static final int BASE_TIMESTAMP_OFFSET = 27;
    private static final int WINDOW = 16 * 1024;

    private final byte[] window = new byte[WINDOW];
    private final ByteBuffer windowBuffer = ByteBuffer.wrap(window);
    private final BufferSupplier decompressionBuffers = BufferSupplier.create();

    // the cursor over the records being walked: buf[pos, limit), refilled from in when it is not null
    private ByteBuffer buf;
    private int pos;
    private int limit;
    private InputStream in;
    /** Bytes taken from {@link #in} so far; what {@link #consumed} counts from. */
    private long inflated;
    private long inflateLimit;
    private int recordIndex;

    private RecordValidator() {
    }

    static RecordValidator forThisThread() {
        return PER_THREAD.get();
    }

    /**
     * The largest decompressed size accepted for one batch: 256 MiB, or 64 times {@code max.message.bytes} if that is
     * more. Legitimate batches compress by a factor of ten or so; a thousand-fold "compression" is an attack.
     */
    static long maxDecompressedBytes(LogConfig config) {
        return Math.max(256L << 20, 64L * config.maxMessageBytes());
    }

    /**
     * Walks the records of the batch that starts at {@code batchStart} in {@code buffer} (absolute index).
     *
     * @return the largest record timestamp in the batch, or {@link RecordBatch#NO_TIMESTAMP}
     * @throws RecordValidationException (INVALID_RECORD, INVALID_TIMESTAMP or CORRUPT_MESSAGE) naming the first bad
     *                                   record
     */
    /**
     * Checks a produce's batches before any log stores them: each batch's header (magic 2, size, CRC, record count,
     * no control batches, transactional ones with a producer id, sequences) and then every record in it. On CreateTime topics a batch's max
     * timestamp is set to its records' largest, which is what the time index then holds.
     *
     * @return the size in bytes of the batches, which is all of {@code records}
     * @throws LogException CORRUPT_MESSAGE, INVALID_RECORD, INVALID_TIMESTAMP ({@link RecordValidationException}
     *                      when one record is at fault), MESSAGE_TOO_LARGE or UNSUPPORTED_FOR_MESSAGE_FORMAT
     */
    static int checkAppend(MemoryRecords records, LogConfig cfg, long nowMs) {
        int total = 0;
        int batches = 0;
        ByteBuffer buffer = records.buffer();
        int batchStart = buffer.position();
        RecordValidator validator = forThisThread();
        try {
            for (MutableRecordBatch batch : records.batches()) {
                checkBatch(batch, cfg);
                long maxTimestamp = validator.validate(buffer, batchStart, batch, cfg, nowMs);
                if (cfg.timestampType() == TimestampType.CREATE_TIME && maxTimestamp != batch.maxTimestamp()) {
                    batch.setMaxTimestamp(TimestampType.CREATE_TIME, maxTimestamp);
                }
                batchStart += batch.sizeInBytes();
                total += batch.sizeInBytes();
                batches++;
            }
        } catch (LogException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new LogException(Errors.CORRUPT_MESSAGE, "unreadable record batch: " + e.getMessage());
        }
        if (batches == 0 || total != records.sizeInBytes()) {
            throw new LogException(Errors.CORRUPT_MESSAGE, "request holds " + records.sizeInBytes() + " bytes but whole batches make " + total);
        }
        return total;
    }

    private static void checkBatch(MutableRecordBatch batch, LogConfig cfg) {
        if (batch.magic() != RecordBatch.MAGIC_VALUE_V2) {
            throw new LogException(Errors.UNSUPPORTED_FOR_MESSAGE_FORMAT, "record batch magic " + batch.magic() + " is not 2");
        }
        if (batch.sizeInBytes() > cfg.maxMessageBytes()) {
            throw new LogException(Errors.MESSAGE_TOO_LARGE, "record batch of " + batch.sizeInBytes()
                    + " bytes is larger than max.message.bytes " + cfg.maxMessageBytes());
        }
        if (!batch.isValid()) {
            throw new LogException(Errors.CORRUPT_MESSAGE, "record batch CRC does not match");
        }
        Integer count = batch.countOrNull();
        if (count == null || count <= 0 || batch.lastOffset() < batch.baseOffset()
                || batch.lastOffset() - batch.baseOffset() + 1 != count) {
            throw new LogException(Errors.INVALID_RECORD, "record batch holds " + count + " records but its last offset delta is "
                    + (batch.lastOffset() - batch.baseOffset()));
        }
        if (batch.isControlBatch()) {
            throw new LogException(Errors.INVALID_RECORD, "clients may not write control batches");
        }
        if (batch.isTransactional() && !batch.hasProducerId()) {
            throw new LogException(Errors.INVALID_RECORD, "a transactional batch needs a producer id");
        }
        if (batch.hasProducerId() && batch.baseSequence() < 0) {
            throw new LogException(Errors.INVALID_RECORD, "base sequence " + batch.baseSequence() + " of producer "
                    + batch.producerId() + " is negative");
        }
    }

    long validate(ByteBuffer buffer, int batchStart, RecordBatch batch, LogConfig config, long nowMs) {
        int count = batch.countOrNull();
        CompressionType compression = batch.compressionType();
        recordIndex = 0;
        try {
            if (compression == CompressionType.NONE) {
                buf = buffer;
                pos = batchStart + RECORDS_OFFSET;
                limit = batchStart + batch.sizeInBytes();
                in = null;
            } else {
                ByteBuffer compressed = buffer.duplicate();
                compressed.limit(batchStart + batch.sizeInBytes()).position(batchStart + RECORDS_OFFSET);
                inflateLimit = maxDecompressedBytes(config);
                if (compression == CompressionType.SNAPPY) {
                    checkSnappyFraming(compressed.slice(), inflateLimit);
                }
                in = Compression.of(compression).build().wrapForInput(compressed.slice(), RecordBatch.MAGIC_VALUE_V2,
                        decompressionBuffers);
                buf = windowBuffer;
                pos = 0;
                limit = 0;
                inflated = 0;
            }
            long max = walk(count, buffer.getLong(batchStart + BASE_TIMESTAMP_OFFSET), config, nowMs);
            if (remainingAfterLastRecord()) {
                throw invalid("bytes follow the last of the batch's " + count + " records");
            }
            return max;
        } catch (RecordValidationException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new RecordValidationException(Errors.CORRUPT_MESSAGE, recordIndex,
                    "the " + compression.name + " records of the batch cannot be decompressed: " + e.getMessage());
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Error e) { // snappy-java reports a bad stream with an Error of its own (SnappyError)
            throw new RecordValidationException(Errors.CORRUPT_MESSAGE, recordIndex,
                    "the " + compression.name + " records of the batch cannot be decompressed: " + e.getMessage());
        } finally {
            closeStream();
        }
    }

    private static final byte[] SNAPPY_MAGIC = {(byte) 0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
    private static final int SNAPPY_HEADER = 16;
    /** Snappy expands at most about 21 times: its longest copy, 64 bytes, takes 3 bytes to say. */
    private static final long SNAPPY_MAX_RATIO = 24;

    /**
     * Checks the framing of a snappy-java stream before snappy-java reads it, because it allocates each chunk's
     * declared size up front: a few bytes claiming a 500 MB chunk would make the broker allocate 500 MB. The stream is
     * a 16-byte header (the magic {@code 82 'SNAPPY' 00}, two int32 versions), then chunks of an int32 length and that
     * many bytes of raw snappy, which starts with its uncompressed length as an unsigned varint; without the magic,
     * the whole stream is one raw block. Every length must fit in what is left of the batch, and each block's
     * uncompressed length within the decompression bound and within what snappy can expand its size to.
     */
    private void checkSnappyFraming(ByteBuffer data, long bound) {
        int p = data.position();
        int end = data.limit();
        boolean framed = end - p >= SNAPPY_HEADER;
        for (int i = 0; framed && i < SNAPPY_MAGIC.length; i++) {
            framed = data.get(p + i) == SNAPPY_MAGIC[i];
        }
        if (!framed) {
            checkSnappyBlock(data, p, end, bound);
            return;
        }
        long total = 0;
        for (p += SNAPPY_HEADER; p < end; ) {
            if (end - p < 4) {
                throw corruptSnappy("a chunk header is cut short");
            }
            int length = data.getInt(p);
            p += 4;
            if (length <= 0 || length > end - p) {
                throw corruptSnappy("a chunk says it holds " + length + " bytes, but " + (end - p) + " are left");
            }
            total += checkSnappyBlock(data, p, p + length, bound - total);
            p += length;
        }
    }

    /** The uncompressed length a raw snappy block declares, checked against {@code bound}. */
    private long checkSnappyBlock(ByteBuffer data, int from, int to, long bound) {
        long length = 0;
        for (int shift = 0, p = from; ; shift += 7, p++) {
            if (p >= to || shift > 28) {
                throw corruptSnappy("a block's uncompressed length is not a varint");
            }
            byte b = data.get(p);
            length |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                break;
            }
        }
        if (length > bound) {
            throw invalid("the records would decompress to more than " + inflateLimit + " bytes");
        }
        if (length > SNAPPY_MAX_RATIO * (to - from) + 64) {
            throw corruptSnappy("a block of " + (to - from) + " bytes claims " + length + " uncompressed, more than snappy can expand");
        }
        return length;
    }

    private RecordValidationException corruptSnappy(String what) {
        return new RecordValidationException(Errors.CORRUPT_MESSAGE, 0, "the snappy records of the batch cannot be decompressed: " + what);
    }

    /** The hot loop: one pass over {@code count} records. */
    private long walk(int count, long baseTimestamp, LogConfig config, long nowMs) throws IOException {
        boolean keyRequired = config.compacted();
        boolean checkTimestamps = config.timestampType() == TimestampType.CREATE_TIME;
        long earliest = nowMs - config.timestampBeforeMaxMs();
        long latest = nowMs + config.timestampAfterMaxMs();
        if (config.timestampBeforeMaxMs() > nowMs) {
            earliest = Long.MIN_VALUE; // "no bound" (Long.MAX_VALUE) would otherwise overflow
        }
        if (config.timestampAfterMaxMs() > Long.MAX_VALUE - nowMs) {
            latest = Long.MAX_VALUE;
        }
        long max = RecordBatch.NO_TIMESTAMP;
        for (int i = 0; i < count; i++) {
            recordIndex = i;
            int length = varint("record length");
            if (length <= 0) {
                throw invalid("record length " + length);
            }
            if (in == null && length > limit - pos) {
                throw invalid("record length " + length + " is longer than what is left of the batch");
            }
            if (in != null && length > inflateLimit - consumed()) {
                throw invalid("record length " + length + ": the records would decompress to more than " + inflateLimit + " bytes");
            }
            long end = consumed() + length;
            byte1();
            long timestamp = baseTimestamp + varlong("timestamp delta");
            int offsetDelta = varint("offset delta");
            if (offsetDelta != i) {
                throw invalid("offset delta " + offsetDelta + ", expected " + i);
            }
            int keyLength = varint("key length");
            if (keyLength < -1) {
                throw invalid("key length " + keyLength);
            }
            if (keyLength == -1 && keyRequired) {
                throw invalid("a compacted topic cannot take a record without a key");
            }
            skip(keyLength, end, "key");
            int valueLength = varint("value length");
            if (valueLength < -1) {
                throw invalid("value length " + valueLength);
            }
            skip(valueLength, end, "value");
            int headers = varint("header count");
            if (headers < 0 || headers > end - consumed()) {
                throw invalid("header count " + headers);
            }
            for (int h = 0; h < headers; h++) {
                int headerKey = varint("header key length");
                if (headerKey < 0) {
                    throw invalid("header key length " + headerKey + " (header keys may not be null)");
                }
                skip(headerKey, end, "header key");
                int headerValue = varint("header value length");
                if (headerValue < -1) {
                    throw invalid("header value length " + headerValue);
                }
                skip(headerValue, end, "header value");
            }
            if (consumed() != end) {
                throw invalid("record length " + length + " but its fields take " + (length + consumed() - end) + " bytes");
            }
            if (checkTimestamps && timestamp != RecordBatch.NO_TIMESTAMP && (timestamp < earliest || timestamp > latest)) {
                throw new RecordValidationException(Errors.INVALID_TIMESTAMP, i, "Timestamp " + timestamp + " of record " + i
                        + " of the batch is out of range. The timestamp should be within [" + earliest + ", " + latest + "]");
            }
            if (timestamp > max) {
                max = timestamp;
            }
        }
        return max;
    }

    /** Bytes of the records walked so far (within the batch, or of the decompressed stream). */
    private long consumed() {
        return in == null ? pos : inflated - (limit - pos);
    }

    private void skip(int n, long recordEnd, String field) throws IOException {
        if (n <= 0) {
            return;
        }
        if (consumed() + n > recordEnd) {
            throw invalid(field + " length " + n + " runs past the end of its record");
        }
        if (in == null) {
            pos += n; // within the record, which is within the batch (checked against limit when its length was read)
            return;
        }
        int left = n;
        while (left > 0) {
            if (pos == limit && !fill(1)) {
                throw invalid("the batch ends inside a " + field);
            }
            int step = Math.min(left, limit - pos);
            pos += step;
            left -= step;
        }
    }

    private byte byte1() throws IOException {
        if (pos == limit && !fill(1)) {
            throw invalid("the batch ends inside a record");
        }
        return buf.get(pos++);
    }

    private int varint(String field) throws IOException {
        if (pos < limit) {
            byte b = buf.get(pos);
            if (b >= 0) { // one byte: -64..63, nearly every length and delta of a small record
                pos++;
                return (b >>> 1) ^ -(b & 1);
            }
        }
        return longVarint(field);
    }

    private int longVarint(String field) throws IOException {
        if (limit - pos < 5 && in != null) {
            fill(5);
        }
        int raw = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            if (pos == limit) {
                throw invalid("the batch ends inside the " + field);
            }
            byte b = buf.get(pos++);
            raw |= (b & 0x7f) << shift;
            if (b >= 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw invalid("the " + field + " is a varint of more than 5 bytes");
    }

    private long varlong(String field) throws IOException {
        if (limit - pos < 10 && in != null) {
            fill(10);
        }
        long raw = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (pos == limit) {
                throw invalid("the batch ends inside the " + field);
            }
            byte b = buf.get(pos++);
            raw |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return (raw >>> 1) ^ -(raw & 1);
            }
        }
        throw invalid("the " + field + " is a varlong of more than 10 bytes");
    }

    /**
     * Tops the window up from the decompressing stream until it holds {@code min} bytes or the stream ends.
     *
     * @return whether at least one unread byte is in the window
     */
    private boolean fill(int min) throws IOException {
        if (in == null) {
            return pos < limit;
        }
        int left = limit - pos;
        if (left > 0 && pos > 0) {
            System.arraycopy(window, pos, window, 0, left);
        }
        pos = 0;
        limit = left;
        while (limit < min || limit == 0) {
            int n = in.read(window, limit, WINDOW - limit);
            if (n < 0) {
                break;
            }
            limit += n;
            inflated += n;
            if (inflated > inflateLimit) {
                throw invalid("the records would decompress to more than " + inflateLimit + " bytes");
            }
        }
        return pos < limit;
    }

    private boolean remainingAfterLastRecord() throws IOException {
        if (pos < limit) {
            return true;
        }
        return in != null && fill(1);
    }

    private RecordValidationException invalid(String what) {
        return new RecordValidationException(Errors.INVALID_RECORD, recordIndex, "record " + recordIndex + " of the batch: " + what);
    }

    private void closeStream() {
        if (in != null) {
            try {
                in.close();
            } catch (IOException | RuntimeException ignored) {
                // a stream that failed to read may fail to close; nothing is held beyond it
            }
            in = null;
        }
        buf = null;
    }
}
