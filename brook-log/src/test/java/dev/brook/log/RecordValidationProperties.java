package dev.brook.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.internals.Crc32C;

/**
 * What the log accepts, kafka-clients can read: for random batches as producers write them (keys, values and
 * headers of random sizes, nulls, every codec), and for the same batches with one byte of the records section
 * changed and the CRC made right again (what a buggy or hostile client can send), the log either refuses the batch
 * or stores one whose every record the consumer's own parser reads without an exception. Unchanged batches are
 * always accepted.
 */
class RecordValidationProperties {

    record Rec(byte[] key, byte[] value, int headers) {
    }

    @Provide
    Arbitrary<List<Rec>> records() {
        Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(300).injectNull(0.2);
        return Combinators.combine(bytes, bytes, Arbitraries.integers().between(0, 3)).as(Rec::new).list().ofMinSize(1).ofMaxSize(20);
    }

    @Provide
    Arbitrary<Compression> codecs() {
        return Arbitraries.of(Compression.NONE, Compression.NONE, Compression.gzip().build(), Compression.snappy().build(),
                Compression.lz4().build(), Compression.zstd().build());
    }

    @Property(tries = 300)
    void aBatchWithOneByteChangedIsRefusedOrReadableByTheConsumerAndAnUnchangedOneIsAccepted(
            @ForAll("records") List<Rec> records, @ForAll("codecs") Compression codec,
            @ForAll @IntRange(min = 0, max = 100_000) int where, @ForAll @IntRange(min = 1, max = 255) int xor) throws IOException {
        Path dir = Files.createTempDirectory("brook-validation-prop");
        MutableClock clock = new MutableClock();
        Log log = Log.open(dir, LogConfig.defaults(), clock, false, 0);
        try {
            MemoryRecords batch = build(records, codec, clock.millis());
            log.append(Batches.copy(batch));
            assertThat(log.logEndOffset()).as("an unchanged batch is accepted").isEqualTo(records.size());

            MemoryRecords changed = Batches.copy(batch);
            ByteBuffer b = changed.buffer();
            int recordsStart = 61;
            int at = recordsStart + where % (b.limit() - recordsStart);
            b.put(at, (byte) (b.get(at) ^ xor));
            b.putInt(17, (int) Crc32C.compute(b.array(), b.arrayOffset() + 21, b.limit() - 21));
            try {
                log.append(changed);
            } catch (LogException refused) {
                return;
            }
            RecordBatch stored = null;
            for (RecordBatch s : log.read(records.size(), 1 << 20).records().batches()) {
                stored = s;
            }
            assertThat(stored).isNotNull();
            int n = 0;
            for (Record r : stored) {
                r.key();
                r.value();
                for (Header h : r.headers()) {
                    h.key();
                    h.value();
                }
                n++;
            }
            assertThat(n).as("records a consumer reads of the accepted batch").isEqualTo(stored.countOrNull());
        } finally {
            log.delete();
        }
    }

    private static MemoryRecords build(List<Rec> records, Compression codec, long now) {
        SimpleRecord[] simple = new SimpleRecord[records.size()];
        for (int i = 0; i < simple.length; i++) {
            Rec r = records.get(i);
            Header[] headers = new Header[r.headers()];
            for (int h = 0; h < headers.length; h++) {
                headers[h] = new RecordHeader("h" + h, h % 2 == 0 ? null : new byte[h]);
            }
            simple[i] = new SimpleRecord(now + i, r.key(), r.value(), headers);
        }
        return MemoryRecords.withRecords(codec, simple);
    }
}
