package dev.brook.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The clean-shutdown snapshot: a clean open reads no batch header of the segments it names (open time follows the
 * active segment, not the log's size) and still de-duplicates idempotent producers; an unclean open, or a snapshot
 * that does not match the segments, is ignored; producers expire after {@code producer.id.expiration.ms}.
 */
class LogSnapshotTest {
    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock();
    private final LogConfig config = new LogConfig(2048, Long.MAX_VALUE, -1, -1, 256, 4096, 1 << 20, TimestampType.CREATE_TIME,
            Long.MAX_VALUE, Long.MAX_VALUE, false, Long.MAX_VALUE, Long.MAX_VALUE);
    private Log log;

    @AfterEach
    void closeLog() {
        if (log != null) {
            log.close();
        }
    }

    private static MemoryRecords idempotent(long producerId, int sequence, String value) {
        return MemoryRecords.withIdempotentRecords(Compression.NONE, producerId, (short) 0, sequence,
                new SimpleRecord(1_700_000_000_000L, null, value.getBytes()));
    }

    private void fill() {
        for (int i = 0; i < 300; i++) {
            log.append(idempotent(1, i, "value-" + i + "-" + "x".repeat(40)));
        }
        log.append(idempotent(2, 0, "other producer"));
        assertThat(log.segmentCount()).isGreaterThan(10);
    }

    private long walksDuring(Runnable open) {
        long before = Segment.HEADER_WALKS.sum();
        open.run();
        return Segment.HEADER_WALKS.sum() - before;
    }

    @Test
    void aCleanOpenReadsOnlyTheActiveSegmentAndKeepsDeduplicating() {
        log = Log.open(dir, config, clock, false, 0);
        fill();
        List<String> contents = Batches.readAll(log);
        log.close();
        assertThat(snapshots()).hasSize(1);

        long walks = walksDuring(() -> log = Log.open(dir, config, clock, false, 0));

        assertThat(walks).as("segments whose headers were walked").isEqualTo(1);
        assertThat(snapshots()).as("an open consumes the snapshot").isEmpty();
        assertThat(Batches.readAll(log)).isEqualTo(contents);
        assertThat(log.producerCount()).isEqualTo(2);
        AppendResult retry = log.append(idempotent(1, 299, "value-299-" + "x".repeat(40)));
        assertThat(retry.duplicate()).isTrue();
        assertThat(log.append(idempotent(1, 300, "next")).firstOffset()).isEqualTo(301);
    }

    @Test
    void anUncleanOpenIgnoresTheSnapshotAndReadsEverySegment() {
        log = Log.open(dir, config, clock, false, 0);
        fill();
        int segments = log.segmentCount();
        log.close();

        long walks = walksDuring(() -> log = Log.open(dir, config, clock, true, 0));

        assertThat(walks).isGreaterThanOrEqualTo(segments);
        assertThat(log.append(idempotent(1, 299, "value-299-" + "x".repeat(40))).duplicate()).isTrue();
    }

    @Test
    void anOpenAfterACrashWalksOnlyTheSegmentsAfterTheNewestRollSnapshotBelowTheRecoveryPoint() {
        log = Log.open(dir, config, clock, false, 0);
        fill();
        List<String> contents = Batches.readAll(log);
        log.flush();
        long recoveryPoint = log.logEndOffset();
        assertThat(rollSnapshots()).as("the newest two rolls' snapshots are kept").hasSize(2);
        // the process dies here: no close, no clean-shutdown snapshot

        long walks = walksDuring(() -> log = Log.open(dir, config, clock, true, recoveryPoint));

        assertThat(walks).as("only the active segment, after the last roll, is walked").isEqualTo(1);
        assertThat(Batches.readAll(log)).isEqualTo(contents);
        assertThat(log.producerCount()).isEqualTo(2);
        assertThat(log.append(idempotent(1, 299, "value-299-" + "x".repeat(40))).duplicate()).as("de-duplicated still").isTrue();
        assertThat(log.append(idempotent(1, 300, "next")).firstOffset()).isEqualTo(301);
    }

    @Test
    void aRollSnapshotAboveTheRecoveryPointIsNotUsed() {
        log = Log.open(dir, config, clock, false, 0);
        fill();
        int segments = log.segmentCount();

        long walks = walksDuring(() -> log = Log.open(dir, config, clock, true, 10)); // only offsets below 10 were flushed

        assertThat(walks).isGreaterThanOrEqualTo(segments);
        assertThat(log.append(idempotent(1, 299, "value-299-" + "x".repeat(40))).duplicate()).isTrue();
    }

    private List<Path> rollSnapshots() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".roll-snapshot")).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aSnapshotThatNoLongerMatchesTheSegmentsIsIgnored() throws Exception {
        log = Log.open(dir, config, clock, false, 0);
        fill();
        log.close();
        Path stale = Files.list(dir).filter(p -> p.toString().endsWith(".snapshot")).findFirst().orElseThrow();
        Path saved = Files.createTempFile("brook-saved", ".snapshot");
        Files.copy(stale, saved, StandardCopyOption.REPLACE_EXISTING);
        log = Log.open(dir, config, clock, false, 0);
        for (int i = 0; i < 100; i++) {
            log.append(idempotent(3, i, "later-" + i + "-" + "y".repeat(40)));
        }
        List<String> contents = Batches.readAll(log);
        log.close();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(p -> p.toString().endsWith(".snapshot")).toList()) {
                Files.delete(p);
            }
        }
        Files.copy(saved, stale, StandardCopyOption.REPLACE_EXISTING);
        Files.delete(saved);

        log = Log.open(dir, config, clock, false, 0);

        assertThat(Batches.readAll(log)).isEqualTo(contents);
        assertThat(log.producerCount()).isEqualTo(3);
        assertThat(log.append(idempotent(3, 99, "later-99-" + "y".repeat(40))).duplicate()).isTrue();
    }

    @Test
    void producersSilentForTheExpirationAreForgotten() {
        log = Log.open(dir, config, clock, false, 0);
        log.append(MemoryRecords.withIdempotentRecords(Compression.NONE, 1L, (short) 0, 0, new SimpleRecord(clock.millis(), "a".getBytes())));
        clock.advance(10_000);
        log.append(MemoryRecords.withIdempotentRecords(Compression.NONE, 2L, (short) 0, 0, new SimpleRecord(clock.millis(), "b".getBytes())));
        clock.advance(5_000);

        assertThat(log.expireProducers(12_000)).isEqualTo(1);
        assertThat(log.producerCount()).isEqualTo(1);
        assertThat(log.expireProducers(12_000)).isZero();
    }

    private List<Path> snapshots() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".snapshot")).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
