package dev.brook.log;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.record.internal.SimpleRecord;

/** Builds record batches the way producers send them, and reads values back. */
final class Batches {
    private Batches() {
    }

    static MemoryRecords of(long timestamp, String... values) {
        return of(Compression.NONE, timestamp, values);
    }

    static MemoryRecords of(Compression compression, long timestamp, String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(timestamp + i, ("k" + i).getBytes(StandardCharsets.UTF_8), values[i].getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withRecords(compression, records);
    }

    static MemoryRecords idempotent(long producerId, short epoch, int baseSequence, String... values) {
        SimpleRecord[] records = new SimpleRecord[values.length];
        for (int i = 0; i < values.length; i++) {
            records[i] = new SimpleRecord(1000L + i, null, values[i].getBytes(StandardCharsets.UTF_8));
        }
        return MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, epoch, baseSequence, records);
    }

    /** A deep copy, because the log rewrites the base offset of what it is given. */
    static MemoryRecords copy(MemoryRecords records) {
        ByteBuffer b = ByteBuffer.allocate(records.sizeInBytes());
        b.put(records.buffer().duplicate());
        b.flip();
        return MemoryRecords.readableRecords(b);
    }

    /** Every record value with its offset, in order. */
    static List<String> values(Records records) {
        List<String> out = new ArrayList<>();
        for (RecordBatch batch : records.batches()) {
            for (Record r : batch) {
                out.add(r.offset() + ":" + StandardCharsets.UTF_8.decode(r.value()));
            }
        }
        return out;
    }

    /** Reads the whole log from its start to its end, as {@code offset:value} strings. */
    static List<String> readAll(PartitionLog log) {
        List<String> out = new ArrayList<>();
        forEachRecord(log, rec -> out.add(rec.offset() + ":" + StandardCharsets.UTF_8.decode(rec.value())));
        return out;
    }

    /** Hands every record from the log's start to its end to {@code visitor}, in offset order. */
    static void forEachRecord(PartitionLog log, java.util.function.Consumer<Record> visitor) {
        long next = log.logStartOffset();
        while (next < log.logEndOffset()) {
            ReadResult r = log.read(next, 64 * 1024);
            long before = next;
            for (RecordBatch batch : r.records().batches()) {
                batch.ensureValid(); // the CRC holds, cleaned batches included
                for (Record rec : batch) {
                    if (rec.offset() >= next) {
                        visitor.accept(rec);
                    }
                }
                next = batch.nextOffset();
            }
            if (next == before) {
                throw new AssertionError("no progress reading at " + next);
            }
        }
    }
}
