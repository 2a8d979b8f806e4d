package dev.brook.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LogTest {
    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock();
    private Log log;

    private static LogConfig config(int segmentBytes, long segmentMs, long retentionMs, long retentionBytes) {
        return new LogConfig(segmentBytes, segmentMs, retentionMs, retentionBytes, 256, 4096, 1 << 20, TimestampType.CREATE_TIME, Long.MAX_VALUE, Long.MAX_VALUE, false, Long.MAX_VALUE, Long.MAX_VALUE);
    }

    private Log open(LogConfig config) {
        log = Log.open(dir.resolve("t-0"), config, clock, false, 0);
        return log;
    }

    @AfterEach
    void close() {
        if (log != null) {
            log.close();
        }
    }

    @Test
    void appendsGetContiguousOffsetsAndKeepAValidCrc() {
        open(LogConfig.defaults());
        AppendResult a = log.append(Batches.of(1000, "a", "b", "c"));
        AppendResult b = log.append(Batches.of(2000, "d"));
        assertThat(a.firstOffset()).isZero();
        assertThat(a.lastOffset()).isEqualTo(2);
        assertThat(b.firstOffset()).isEqualTo(3);
        assertThat(log.logEndOffset()).isEqualTo(4);
        ReadResult r = log.read(0, 1 << 20);
        for (RecordBatch batch : r.records().batches()) {
            batch.ensureValid();
        }
        assertThat(Batches.values(r.records())).containsExactly("0:a", "1:b", "2:c", "3:d");
    }

    @Test
    void readingInsideABatchReturnsTheWholeBatchAndAtTheEndNothing() {
        open(LogConfig.defaults());
        log.append(Batches.of(1000, "a", "b", "c"));
        log.append(Batches.of(1000, "d", "e"));
        assertThat(Batches.values(log.read(1, 1 << 20).records())).containsExactly("0:a", "1:b", "2:c", "3:d", "4:e");
        assertThat(Batches.values(log.read(4, 1 << 20).records())).containsExactly("3:d", "4:e");
        assertThat(log.read(5, 1 << 20).records().sizeInBytes()).isZero();
    }

    @Test
    void maxBytesLimitsTheReadButAtLeastOneBatchComesBack() {
        open(LogConfig.defaults());
        log.append(Batches.of(1000, "x".repeat(500)));
        log.append(Batches.of(1000, "y".repeat(500)));
        assertThat(Batches.values(log.read(0, 10).records())).hasSize(1);
        assertThat(Batches.values(log.read(0, 1 << 20).records())).hasSize(2);
    }

    @Test
    void offsetsOutsideTheLogAreOutOfRange() {
        open(LogConfig.defaults());
        log.append(Batches.of(1000, "a", "b"));
        assertThatThrownBy(() -> log.read(3, 100)).isInstanceOf(LogException.class)
                .extracting(e -> ((LogException) e).error()).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
        log.deleteRecordsBefore(1);
        assertThatThrownBy(() -> log.read(0, 100)).extracting(e -> ((LogException) e).error()).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "snappy", "lz4", "zstd"})
    void compressedBatchesAreStoredExactlyAsSentExceptTheirBaseOffset(String codec) {
        open(LogConfig.defaults());
        log.append(Batches.of(1000, "first"));
        Compression compression = switch (codec) {
            case "gzip" -> Compression.gzip().build();
            case "snappy" -> Compression.snappy().build();
            case "lz4" -> Compression.lz4().build();
            default -> Compression.zstd().build();
        };
        MemoryRecords sent = Batches.of(compression, 2000, "x".repeat(300), "y".repeat(300), "z");
        MemoryRecords original = Batches.copy(sent);
        log.append(sent);
        ReadResult r = log.read(1, 1 << 20);
        ByteBuffer stored = ByteBuffer.allocate(r.records().sizeInBytes());
        try {
            ((org.apache.kafka.common.record.internal.FileRecords) r.records()).readInto(stored, 0);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        ByteBuffer expected = original.buffer().duplicate();
        assertThat(stored.getLong(0)).as("base offset assigned").isEqualTo(1);
        assertThat(stored.slice(8, stored.remaining() - 8)).isEqualTo(expected.slice(8, expected.remaining() - 8));
        assertThat(Batches.values(r.records())).containsExactly("1:" + "x".repeat(300), "2:" + "y".repeat(300), "3:z");
    }

    @Test
    void aCorruptBatchIsRefusedAndNothingIsWritten() {
        open(LogConfig.defaults());
        MemoryRecords records = Batches.of(1000, "hello", "world");
        ByteBuffer b = records.buffer();
        b.put(b.limit() - 2, (byte) (b.get(b.limit() - 2) ^ 0x5a));
        assertThatThrownBy(() -> log.append(records)).extracting(e -> ((LogException) e).error()).isEqualTo(Errors.CORRUPT_MESSAGE);
        assertThat(log.logEndOffset()).isZero();
        assertThat(log.sizeInBytes()).isZero();
    }

    @Test
    void aBatchLargerThanMaxMessageBytesIsRefused() {
        open(new LogConfig(1 << 20, Long.MAX_VALUE, -1, -1, 4096, 4096, 200, TimestampType.CREATE_TIME, Long.MAX_VALUE, Long.MAX_VALUE, false, Long.MAX_VALUE, Long.MAX_VALUE));
        assertThatThrownBy(() -> log.append(Batches.of(1000, "x".repeat(500))))
                .extracting(e -> ((LogException) e).error()).isEqualTo(Errors.MESSAGE_TOO_LARGE);
    }

    @Test
    void rollsANewSegmentWhenTheSizeWouldBeExceededOrTheSegmentIsOld() {
        open(config(1024, 60_000, -1, -1));
        for (int i = 0; i < 10; i++) {
            log.append(Batches.of(1000, "x".repeat(300)));
        }
        int bySize = log.segmentCount();
        assertThat(bySize).isGreaterThanOrEqualTo(4);
        clock.advance(60_000);
        log.append(Batches.of(1000, "late"));
        assertThat(log.segmentCount()).isEqualTo(bySize + 1);
        assertThat(Batches.readAll(log)).hasSize(11);
    }

    @Test
    void logAppendTimeTopicsCarryTheBrokerClock() {
        open(new LogConfig(1 << 20, Long.MAX_VALUE, -1, -1, 4096, 4096, 1 << 20, TimestampType.LOG_APPEND_TIME, Long.MAX_VALUE, Long.MAX_VALUE, false, Long.MAX_VALUE, Long.MAX_VALUE));
        AppendResult r = log.append(Batches.of(5, "a", "b"));
        assertThat(r.logAppendTime()).isEqualTo(clock.millis());
        for (RecordBatch batch : log.read(0, 1 << 20).records().batches()) {
            assertThat(batch.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
            assertThat(batch.maxTimestamp()).isEqualTo(clock.millis());
            batch.ensureValid();
        }
    }

    @Test
    void findsTheFirstRecordAtOrAfterATimestampAcrossSegments() {
        open(config(600, Long.MAX_VALUE, -1, -1));
        for (int i = 0; i < 20; i++) {
            log.append(Batches.of(10_000L + i * 100, "v" + i + "-" + "p".repeat(100)));
        }
        assertThat(log.segmentCount()).isGreaterThan(2);
        assertThat(log.offsetForTimestamp(10_000)).contains(new TimestampOffset(10_000, 0));
        assertThat(log.offsetForTimestamp(10_550)).contains(new TimestampOffset(10_600, 6));
        assertThat(log.offsetForTimestamp(11_900)).contains(new TimestampOffset(11_900, 19));
        assertThat(log.offsetForTimestamp(12_000)).isEmpty();
        assertThat(log.maxTimestampOffset()).contains(new TimestampOffset(11_900, 19));
    }

    @Test
    void timeRetentionDeletesOldSegmentsAndAnExpiredLogKeepsItsEndOffset() {
        open(config(600, Long.MAX_VALUE, 60_000, -1));
        long now = clock.millis();
        for (int i = 0; i < 10; i++) {
            log.append(Batches.of(now, "old-" + "p".repeat(200)));
        }
        clock.advance(30_000);
        log.append(Batches.of(clock.millis(), "recent"));
        clock.advance(31_000);
        assertThat(log.applyRetention()).isPositive();
        assertThat(Batches.readAll(log)).containsExactly("10:recent");
        clock.advance(120_000);
        log.applyRetention();
        assertThat(log.logStartOffset()).isEqualTo(11);
        assertThat(log.logEndOffset()).isEqualTo(11);
        assertThat(log.append(Batches.of(clock.millis(), "after")).firstOffset()).isEqualTo(11);
    }

    @Test
    void sizeRetentionKeepsTheNewestSegments() {
        open(config(600, Long.MAX_VALUE, -1, 1500));
        for (int i = 0; i < 20; i++) {
            log.append(Batches.of(1000, "v" + i + "-" + "p".repeat(200)));
        }
        log.applyRetention();
        assertThat(log.sizeInBytes()).isLessThanOrEqualTo(1500 + 600);
        List<String> left = Batches.readAll(log);
        assertThat(left.get(left.size() - 1)).startsWith("19:v19");
        assertThat(log.logStartOffset()).isPositive();
    }

    @Test
    void deleteRecordsMovesTheStartDurablyAndNeverPastTheEnd() {
        open(config(600, Long.MAX_VALUE, -1, -1));
        for (int i = 0; i < 10; i++) {
            log.append(Batches.of(1000, "v" + i + "-" + "p".repeat(200)));
        }
        assertThat(log.deleteRecordsBefore(7)).isEqualTo(7);
        assertThat(log.deleteRecordsBefore(3)).as("never backwards").isEqualTo(7);
        assertThatThrownBy(() -> log.deleteRecordsBefore(11)).extracting(e -> ((LogException) e).error()).isEqualTo(Errors.OFFSET_OUT_OF_RANGE);
        log.close();
        log = Log.open(dir.resolve("t-0"), config(600, Long.MAX_VALUE, -1, -1), clock, false, 0);
        assertThat(log.logStartOffset()).isEqualTo(7);
        assertThat(Batches.readAll(log)).hasSize(3).first().asString().startsWith("7:v7");
    }

    @Test
    void aSliceStaysReadableAfterRetentionDeletesItsSegment() throws Exception {
        open(config(600, Long.MAX_VALUE, 1, -1));
        for (int i = 0; i < 6; i++) {
            log.append(Batches.of(clock.millis(), "v" + i + "-" + "p".repeat(200)));
        }
        ReadResult held = log.read(0, 100);
        clock.advance(10_000);
        assertThat(log.applyRetention()).isPositive();
        assertThat(Batches.values(held.records())).first().asString().startsWith("0:v0");
    }

    @Test
    void deletingALogDropsItsDataAtOnceSoTheKernelWritesNothingBack() throws Exception {
        open(config(600, Long.MAX_VALUE, -1, -1));
        for (int i = 0; i < 6; i++) {
            log.append(Batches.of(clock.millis(), "v" + i + "-" + "p".repeat(200)));
        }
        ReadResult held = log.read(0, 100);
        var channel = ((org.apache.kafka.common.record.internal.FileRecords) held.records()).channel();
        assertThat(channel.size()).isPositive();
        log.delete();
        log = null;
        assertThat(dir.resolve("t-0")).doesNotExist();
        // the unlinked segment is still open for the delayed close, but holds no pages the kernel could write back
        assertThat(channel.size()).isZero();
    }
}
