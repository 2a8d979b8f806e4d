package dev.brook.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemoryLogTest {
    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock();

    private static LogConfig config(long retentionMs, long retentionBytes) {
        return LogConfig.defaults().withRetentionMs(retentionMs).withRetentionBytes(retentionBytes)
                .withTimestampAfterMaxMs(Long.MAX_VALUE);
    }

    private MemoryLog open(LogConfig config) {
        return new MemoryLog("t-0", config, clock);
    }

    @Test
    void idempotentProducersSilentForTheExpirationAreForgotten() {
        MemoryLog log = open(config(-1, -1));
        log.append(MemoryRecords.withIdempotentRecords(Compression.NONE, 1L, (short) 0, 0,
                new org.apache.kafka.common.record.internal.SimpleRecord(clock.millis(), "a".getBytes())));
        clock.advance(10_000);
        log.append(MemoryRecords.withIdempotentRecords(Compression.NONE, 2L, (short) 0, 0,
                new org.apache.kafka.common.record.internal.SimpleRecord(clock.millis(), "b".getBytes())));
        clock.advance(5_000);

        assertThat(log.producerCount()).isEqualTo(2);
        assertThat(log.expireProducers(12_000)).isEqualTo(1);
        assertThat(log.producerCount()).isEqualTo(1);
        assertThat(log.append(MemoryRecords.withIdempotentRecords(Compression.NONE, 2L, (short) 0, 0,
                new org.apache.kafka.common.record.internal.SimpleRecord(clock.millis(), "b".getBytes()))).duplicate())
                .as("the producer still remembered de-duplicates").isTrue();
    }

    @Test
    void appendsGetContiguousOffsetsAndReadsReturnValidBatches() {
        MemoryLog log = open(LogConfig.defaults());
        AppendResult a = log.append(Batches.of(clock.millis(), "a", "b", "c"));
        AppendResult b = log.append(Batches.of(clock.millis(), "d"));
        assertThat(a.firstOffset()).isZero();
        assertThat(a.lastOffset()).isEqualTo(2);
        assertThat(b.firstOffset()).isEqualTo(3);
        assertThat(log.logEndOffset()).isEqualTo(4);
        assertThat(log.flushedOffset()).as("nothing waits for an fsync").isEqualTo(4);
        assertThat(log.persistent()).isFalse();
        ReadResult r = log.read(0, 1 << 20);
        for (RecordBatch batch : r.records().batches()) {
            batch.ensureValid();
        }
        assertThat(Batches.values(r.records())).containsExactly("0:a", "1:b", "2:c", "3:d");
        assertThat(Batches.values(log.read(3, 1).records())).containsExactly("3:d");
        assertThat(log.read(4, 1 << 20).records().sizeInBytes()).as("at the end: nothing").isZero();
        assertThatThrownBy(() -> log.read(5, 100)).extracting(e -> ((LogException) e).error()).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
    }

    @Test
    void whatIsStoredIsACopyTheProducersBufferCannotChange() {
        MemoryLog log = open(LogConfig.defaults());
        MemoryRecords request = Batches.of(clock.millis(), "original");
        log.append(request);
        ByteBuffer raw = request.buffer();
        for (int i = 0; i < raw.limit(); i++) {
            raw.put(i, (byte) 0);
        }
        assertThat(Batches.readAll(log)).containsExactly("0:original");
    }

    @Test
    void retentionBytesBoundsTheBufferAndReadsBelowTheStartAreOutOfRange() {
        MemoryLog log = open(config(-1, 64 * 1024));
        String value = "x".repeat(1000);
        for (int i = 0; i < 1_000; i++) {
            log.append(Batches.of(clock.millis(), value + i));
            assertThat(log.sizeInBytes()).isLessThanOrEqualTo(64 * 1024);
        }
        assertThat(log.logEndOffset()).isEqualTo(1_000);
        assertThat(log.logStartOffset()).isGreaterThan(900);
        List<String> kept = Batches.readAll(log);
        assertThat(kept).hasSize((int) (1_000 - log.logStartOffset()));
        assertThat(kept.get(kept.size() - 1)).isEqualTo("999:" + value + 999);
        assertThatThrownBy(() -> log.read(0, 1 << 20)).extracting(e -> ((LogException) e).error()).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
    }

    @Test
    void withoutARetentionBytesTheBufferIsStillBounded() {
        assertThat(MemoryLog.maxBytes(config(-1, -1))).isEqualTo(MemoryLog.DEFAULT_MAX_BYTES);
        assertThat(MemoryLog.maxBytes(config(-1, 1000).withCompacted(true))).isEqualTo(MemoryLog.DEFAULT_MAX_BYTES);
        assertThat(MemoryLog.maxBytes(config(-1, 1000))).isEqualTo(1000);
        MemoryLog log = open(config(-1, -1));
        byte[] big = new byte[512 * 1024];
        for (int i = 0; i < 300; i++) { // 150 MiB appended
            log.append(MemoryRecords.withRecords(Compression.NONE, new org.apache.kafka.common.record.internal.SimpleRecord(clock.millis(), null, big)));
        }
        assertThat(log.sizeInBytes()).isLessThanOrEqualTo(MemoryLog.DEFAULT_MAX_BYTES);
        assertThat(log.logEndOffset()).isEqualTo(300);
    }

    @Test
    void retentionMsEmptiesAnIdlePartitionAndOffsetsCarryOn() {
        MemoryLog log = open(config(60_000, -1));
        log.append(Batches.of(clock.millis(), "a", "b"));
        clock.advance(30_000);
        log.append(Batches.of(clock.millis(), "c"));
        clock.advance(40_000);
        assertThat(log.applyRetention()).as("the first append is 70 s old").isEqualTo(1);
        assertThat(Batches.readAll(log)).containsExactly("2:c");
        clock.advance(40_000);
        log.applyRetention();
        assertThat(log.logStartOffset()).isEqualTo(3);
        assertThat(log.logEndOffset()).isEqualTo(3);
        assertThat(log.sizeInBytes()).isZero();
        assertThat(log.append(Batches.of(clock.millis(), "d")).firstOffset()).isEqualTo(3);
    }

    @Test
    void idempotentRetriesAreDuplicatesAndBadBatchesAreRefusedWithNothingStored() {
        MemoryLog log = open(LogConfig.defaults());
        MemoryRecords first = Batches.idempotent(7, (short) 0, 0, "a", "b");
        MemoryRecords retry = Batches.copy(first);
        assertThat(log.append(first).duplicate()).isFalse();
        AppendResult again = log.append(retry);
        assertThat(again.duplicate()).isTrue();
        assertThat(again.firstOffset()).isZero();
        assertThatThrownBy(() -> log.append(Batches.idempotent(7, (short) 0, 5, "gap")))
                .extracting(e -> ((LogException) e).error()).isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);

        MemoryRecords corrupt = Batches.of(clock.millis(), "c");
        corrupt.buffer().put(corrupt.buffer().limit() - 1, (byte) 'X');
        assertThatThrownBy(() -> log.append(corrupt)).extracting(e -> ((LogException) e).error()).isEqualTo(Errors.CORRUPT_MESSAGE);
        assertThat(log.logEndOffset()).isEqualTo(2);
        assertThat(Batches.readAll(log)).containsExactly("0:a", "1:b");
    }

    @Test
    void deleteRecordsMovesTheStartInsideABatch() {
        MemoryLog log = open(LogConfig.defaults());
        log.append(Batches.of(clock.millis(), "a", "b", "c"));
        log.append(Batches.of(clock.millis(), "d"));
        assertThat(log.deleteRecordsBefore(1)).isEqualTo(1);
        assertThat(Batches.readAll(log)).containsExactly("1:b", "2:c", "3:d");
        assertThat(log.deleteRecordsBefore(3)).isEqualTo(3);
        assertThat(log.chunkCount()).isEqualTo(1);
        assertThatThrownBy(() -> log.deleteRecordsBefore(9)).extracting(e -> ((LogException) e).error()).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
    }

    @Test
    void timestampLookupsAnswerAsTheDiskLogDoes() {
        Log disk = Log.open(dir.resolve("t-0"), LogConfig.defaults(), clock, false, 0);
        MemoryLog memory = open(LogConfig.defaults());
        try {
            for (PartitionLog l : List.of(disk, memory)) {
                l.append(Batches.of(5_000, "a", "b", "c")); // timestamps 5000, 5001, 5002
                l.append(Batches.of(9_000, "d"));
                l.append(Batches.of(7_000, "e", "f"));
            }
            for (long ts : new long[] {0, 5_001, 5_003, 7_001, 9_000, 9_001}) {
                assertThat(memory.offsetForTimestamp(ts)).as("at %d", ts).isEqualTo(disk.offsetForTimestamp(ts));
            }
            assertThat(memory.maxTimestampOffset()).isEqualTo(disk.maxTimestampOffset()).contains(new TimestampOffset(9_000, 3));
        } finally {
            disk.close();
        }
    }

    @Test
    void logAppendTimeTopicsGetTheBrokersTime() {
        MemoryLog log = open(LogConfig.defaults().withTimestampType(TimestampType.LOG_APPEND_TIME));
        AppendResult r = log.append(Batches.of(1_000, "a"));
        assertThat(r.logAppendTime()).isEqualTo(clock.millis());
        RecordBatch batch = log.read(0, 1 << 20).records().batches().iterator().next();
        assertThat(batch.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        assertThat(batch.maxTimestamp()).isEqualTo(clock.millis());
    }

    @Test
    void aMemoryLogOfTheLogManagerWritesNothingUnderTheDataDirectory() throws IOException {
        LogManager manager = LogManager.open(dir, clock, 60_000, 60_000);
        try {
            MemoryLog log = manager.openMemoryLog(new TopicPartition("fast", 0), LogConfig.defaults());
            for (int i = 0; i < 100; i++) {
                log.append(Batches.of(clock.millis(), "secret-" + i));
            }
            assertThat(manager.openMemoryLog(new TopicPartition("fast", 0), LogConfig.defaults())).isSameAs(log);
        } finally {
            manager.close();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(f.getFileName().toString()).as("no partition directory").doesNotStartWith("fast");
                assertThat(Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1)).as("%s holds no record", f).doesNotContain("secret-");
            }
        }
        try (Stream<Path> entries = Files.list(dir)) {
            assertThat(entries.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("fast"));
        }
    }

    // ------------------------------------------------------------------ the same reads as the disk log

    record Step(int records, int valueBytes, int readAt, int maxBytes) {
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        return Combinators.combine(Arbitraries.integers().between(1, 8), Arbitraries.integers().between(0, 300),
                Arbitraries.integers().between(0, 1000), Arbitraries.integers().between(1, 4000)).as(Step::new).list().ofMinSize(1).ofMaxSize(40);
    }

    /**
     * After any sequence of appends (some compressed), a read at any offset with any byte limit returns, from that
     * offset on, a non-empty run of exactly the records the disk log returns first: the same values at the same
     * offsets, never more than the limit unless it is a single append.
     */
    @Property(tries = 60)
    void readsFromAnyOffsetAgreeWithTheDiskLog(@ForAll("steps") List<Step> steps) throws IOException {
        Path d = Files.createTempDirectory("brook-memory-prop");
        Log disk = Log.open(d, LogConfig.defaults().withSegmentBytes(4096), clock, false, 0);
        MemoryLog memory = open(LogConfig.defaults());
        try {
            int counter = 0;
            for (Step s : steps) {
                String[] values = new String[s.records()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = "r" + (counter++) + "-" + "y".repeat(s.valueBytes() / (i + 1));
                }
                Compression c = s.valueBytes() % 3 == 0 ? Compression.gzip().build() : Compression.NONE;
                MemoryRecords batch = Batches.of(c, clock.millis(), values);
                disk.append(Batches.copy(batch));
                memory.append(batch);
                long at = s.readAt() % (memory.logEndOffset() + 1);
                List<String> fromMemory = from(at, memory.read(at, s.maxBytes()).records());
                List<String> fromDisk = Batches.readAll(disk).subList((int) at, (int) disk.logEndOffset());
                if (at == memory.logEndOffset()) {
                    assertThat(fromMemory).isEmpty();
                } else {
                    assertThat(fromMemory).isNotEmpty();
                    assertThat(fromDisk.subList(0, fromMemory.size())).isEqualTo(fromMemory);
                }
            }
            assertThat(Batches.readAll(memory)).isEqualTo(Batches.readAll(disk));
        } finally {
            disk.close();
        }
    }

    private static List<String> from(long offset, org.apache.kafka.common.record.internal.Records records) {
        List<String> out = new ArrayList<>();
        for (String v : Batches.values(records)) {
            if (Long.parseLong(v.substring(0, v.indexOf(':'))) >= offset) {
                out.add(v);
            }
        }
        return out;
    }
}
