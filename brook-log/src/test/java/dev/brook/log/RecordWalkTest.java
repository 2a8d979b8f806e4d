package dev.brook.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;

/** The cleaner's in-place record reader agrees with kafka-clients' on every field it reads, and refuses a bad count. */
class RecordWalkTest {
    @Test
    void readsWhatKafkaClientsReadsRecordByRecord() {
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            SimpleRecord[] records = new SimpleRecord[1 + random.nextInt(20)];
            long t0 = 1_700_000_000_000L + random.nextInt(1_000_000);
            for (int i = 0; i < records.length; i++) {
                byte[] key = random.nextInt(5) == 0 ? null : bytes(random, random.nextInt(300));
                byte[] value = random.nextInt(4) == 0 ? null : bytes(random, random.nextInt(3000));
                RecordHeader[] headers = random.nextBoolean() ? new RecordHeader[0]
                        : new RecordHeader[] {new RecordHeader("h", bytes(random, random.nextInt(50)))};
                records[i] = new SimpleRecord(t0 + random.nextInt(100_000) - 50_000, key, value, headers);
            }
            ByteBuffer buffer = MemoryRecords.withRecords(random.nextInt(1000), Compression.NONE, records).buffer();
            assertThat(RecordWalk.walkable(buffer, 0)).isTrue();
            RecordBatch batch = MemoryRecords.readableRecords(buffer.duplicate()).batches().iterator().next();
            List<Record> expected = new ArrayList<>();
            batch.forEach(expected::add);

            RecordWalk walk = new RecordWalk().start(buffer, 0);
            int position = RecordWalk.HEADER_BYTES;
            for (Record r : expected) {
                assertThat(walk.next()).isTrue();
                assertThat(batch.baseOffset() + walk.offsetDelta).isEqualTo(r.offset());
                assertThat(buffer.getLong(RecordWalk.BASE_TIMESTAMP_OFFSET) + walk.timestampDelta).isEqualTo(r.timestamp());
                assertThat(walk.keyLength).isEqualTo(r.hasKey() ? r.keySize() : -1);
                if (r.hasKey()) {
                    byte[] key = new byte[r.keySize()];
                    r.key().duplicate().get(key);
                    assertThat(Arrays.copyOfRange(walk.array(), walk.keyStart, walk.keyStart + walk.keyLength)).isEqualTo(key);
                }
                assertThat(walk.valueLength).isEqualTo(r.hasValue() ? r.valueSize() : -1);
                assertThat(walk.start).isEqualTo(position);
                assertThat(walk.size).isEqualTo(r.sizeInBytes());
                position += walk.size;
            }
            assertThat(walk.next()).isFalse();
            assertThat(position).isEqualTo(batch.sizeInBytes());
        }
    }

    @Test
    void aCountTheBatchCannotHoldIsCorruptNotAnAllocation() {
        ByteBuffer buffer = MemoryRecords.withRecords(0, Compression.NONE, new SimpleRecord(1L, "k".getBytes(), "v".getBytes())).buffer();
        buffer.putInt(RecordWalk.COUNT_OFFSET, Integer.MAX_VALUE);
        assertThatThrownBy(() -> new RecordWalk().start(buffer, 0)).isInstanceOf(LogException.class).hasMessageContaining("claims");
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
