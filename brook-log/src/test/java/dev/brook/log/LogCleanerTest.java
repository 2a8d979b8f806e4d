package dev.brook.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogCleanerTest {
    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock();
    private Log log;

    private LogConfig config(Compaction compaction) {
        return new LogConfig(4096, Long.MAX_VALUE, -1, -1, 512, 64 * 1024, 1 << 20, TimestampType.CREATE_TIME,
                Long.MAX_VALUE, Long.MAX_VALUE, true, Long.MAX_VALUE, Long.MAX_VALUE).withCompaction(compaction);
    }

    @AfterEach
    void close() {
        if (log != null) {
            log.close();
        }
    }

    private static MemoryRecords record(long ts, String key, String value) {
        return MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(ts, key.getBytes(StandardCharsets.UTF_8),
                value == null ? null : value.getBytes(StandardCharsets.UTF_8)));
    }

    private Cleaning.Result clean() throws Exception {
        return new Cleaning(log, new OffsetMap(1 << 20), Cleaning.Throttle.NONE, () -> false, clock.millis()).run();
    }

    private Map<Long, CompactionProperties.Entry> contents() {
        return CompactionProperties.readAll(log);
    }

    @Test
    void keepsOnlyEachKeysLatestValueAtItsOriginalOffsetAndShrinksTheLog() throws Exception {
        log = Log.open(dir, config(Compaction.DEFAULTS), clock, false, 0);
        for (int round = 0; round < 10; round++) {
            for (int k = 0; k < 100; k++) {
                log.append(record(clock.millis(), "key-" + k, "value-" + round + "-" + k));
            }
        }
        roll();
        long before = log.sizeInBytes();
        int segmentsBefore = log.segmentCount();

        Cleaning.Result r = clean();

        Map<Long, CompactionProperties.Entry> after = contents();
        assertThat(after).hasSize(101);
        for (int k = 1; k < 100; k++) {
            assertThat(after.get(900L + k).value()).isEqualTo("value-9-" + k);
        }
        assertThat(after.get(1000L).value()).isEqualTo("roll");
        assertThat(after.get(900L).value()).isEqualTo("value-9-0");
        assertThat(log.logEndOffset()).isEqualTo(1001);
        assertThat(log.sizeInBytes()).isLessThan(before / 5);
        assertThat(log.segmentCount()).isLessThanOrEqualTo(segmentsBefore);
        assertThat(r.recordsKept()).isEqualTo(100);
        assertThat(log.firstDirtyOffset()).isEqualTo(r.mappedTo());
        log.append(record(clock.millis(), "key-0", "newest"));
        roll();
        clean(); // the next pass groups the small cleaned segments into one
        assertThat(log.segmentCount()).isLessThan(segmentsBefore / 4);
        after = contents();
        assertThat(after).hasSize(102);
        assertThat(after.get(1001L).value()).isEqualTo("newest");

        log.close();
        log = Log.open(dir, config(Compaction.DEFAULTS), clock, true, 0);
        assertThat(contents()).isEqualTo(after);
    }

    @Test
    void keepsTombstonesForDeleteRetentionAfterTheFirstCleaningThenRemovesThem() throws Exception {
        log = Log.open(dir, config(new Compaction(0.5, 0, Long.MAX_VALUE, 60_000)), clock, false, 0);
        log.append(record(clock.millis(), "a", "1"));
        log.append(record(clock.millis(), "b", "1"));
        log.append(record(clock.millis(), "a", null));
        roll();
        clean();
        assertThat(contents().values()).extracting(CompactionProperties.Entry::key).containsExactly("b", "a", "roll");
        assertThat(contents().get(2L).value()).isNull();

        clock.advance(59_000);
        clean();
        assertThat(contents()).containsKey(2L);

        clock.advance(2_000);
        clean();
        assertThat(contents()).doesNotContainKey(2L).containsKey(1L);
    }

    @Test
    void neverRemovesRecordsYoungerThanTheMinimumCompactionLag() throws Exception {
        log = Log.open(dir, config(new Compaction(0.5, 10_000, Long.MAX_VALUE, 0)), clock, false, 0);
        log.append(record(clock.millis(), "a", "old"));
        clock.advance(20_000);
        log.append(record(clock.millis(), "a", "new"));
        roll();
        clean();
        assertThat(contents()).hasSize(2 + 1);
        clock.advance(20_000);
        clean();
        assertThat(contents().values()).extracting(CompactionProperties.Entry::value).containsExactly("new", "roll");
    }

    @Test
    void idempotentProducersAreStillDeduplicatedAfterTheirBatchesAreCleanedAway() throws Exception {
        log = Log.open(dir, config(Compaction.DEFAULTS), clock, false, 0);
        MemoryRecords first = MemoryRecords.withIdempotentRecords(Compression.NONE, 7L, (short) 0, 0,
                new SimpleRecord(clock.millis(), "a".getBytes(), "1".getBytes()), new SimpleRecord(clock.millis(), "b".getBytes(), "1".getBytes()));
        log.append(Batches.copy(first));
        log.append(record(clock.millis(), "a", "2"));
        log.append(record(clock.millis(), "b", "2"));
        roll();
        clean();
        assertThat(contents().keySet()).doesNotContain(0L, 1L);

        log.close();
        log = Log.open(dir, config(Compaction.DEFAULTS), clock, true, 0);
        AppendResult retry = log.append(Batches.copy(first));
        assertThat(retry.duplicate()).isTrue();
        assertThat(retry.firstOffset()).isEqualTo(0);
        AppendResult next = log.append(MemoryRecords.withIdempotentRecords(Compression.NONE, 7L, (short) 0, 2,
                new SimpleRecord(clock.millis(), "c".getBytes(), "1".getBytes())));
        assertThat(next.duplicate()).isFalse();
    }

    @Test
    void cleansALogWithMoreKeysThanTheMapHoldsInSeveralPasses() throws Exception {
        log = Log.open(dir, config(Compaction.DEFAULTS), clock, false, 0);
        for (int round = 0; round < 3; round++) {
            for (int k = 0; k < 200; k++) {
                log.append(record(clock.millis(), "key-" + k, "v" + round));
            }
        }
        roll();
        OffsetMap small = new OffsetMap(128 * OffsetMap.ENTRY_BYTES); // 115 keys a pass
        int passes = 0;
        while (!Cleaning.range(log, clock.millis()).isEmpty()) {
            new Cleaning(log, small, Cleaning.Throttle.NONE, () -> false, clock.millis()).run();
            passes++;
        }
        assertThat(passes).isGreaterThan(2);
        assertThat(contents().values()).filteredOn(e -> e.key().startsWith("key-")).hasSize(200)
                .allMatch(e -> e.value().equals("v2"));
    }

    @Test
    void theCleanerThreadCleansLogsPastTheirDirtyRatio() {
        log = Log.open(dir, config(new Compaction(0.5, 0, Long.MAX_VALUE, 0)), clock, false, 0);
        for (int round = 0; round < 5; round++) {
            for (int k = 0; k < 50; k++) {
                log.append(record(clock.millis(), "key-" + k, "v" + round));
            }
        }
        roll();
        try (LogCleaner cleaner = new LogCleaner(() -> List.of(log), clock, new LogCleaner.Settings(true, 1, 1 << 20, Double.MAX_VALUE, 20)).start()) {
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> contents().size() == 51);
            assertThat(cleaner.stats().passes()).isPositive();
        }
    }

    @Test
    void aShorterBackoffAndAConfigChangeTakeEffectWithoutWaitingOutTheOldBackoff() {
        log = Log.open(dir, config(new Compaction(0.5, 3_600_000, Long.MAX_VALUE, 0)), clock, false, 0);
        for (int round = 0; round < 5; round++) {
            for (int k = 0; k < 50; k++) {
                log.append(record(clock.millis(), "key-" + k, "v" + round));
            }
        }
        roll();
        // an hour's backoff: only a wake-up can make the thread look again within the test
        try (LogCleaner cleaner = new LogCleaner(() -> List.of(log), clock,
                new LogCleaner.Settings(true, 1, 1 << 20, Double.MAX_VALUE, 3_600_000)).start()) {
            Awaitility.await().pollDelay(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).until(() -> true);
            assertThat(cleaner.stats().passes()).as("nothing is due: the minimum compaction lag is an hour").isZero();
            cleaner.updateSettings(new LogCleaner.Settings(true, 1, 1 << 20, Double.MAX_VALUE, 20));
            log.updateConfig(log.config().withCompaction(new Compaction(0.5, 0, Long.MAX_VALUE, 0)));
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> contents().size() == 51);
        }
    }

    /** An append after the log's segment.ms passes rolls it, so the records before become cleanable. */
    private void roll() {
        log.updateConfig(log.config().withSegmentMs(1));
        clock.advance(1);
        log.append(record(clock.millis(), "roll", "roll"));
        log.updateConfig(log.config().withSegmentMs(Long.MAX_VALUE));
        assertThat(log.segmentList().get(log.segmentCount() - 1).baseOffset).isEqualTo(log.logEndOffset() - 1);
    }

    @SuppressWarnings("unused")
    private static boolean empty(RecordBatch b) {
        return b.countOrNull() != null && b.countOrNull() == 0;
    }

    @SuppressWarnings("unused")
    private static boolean exists(Path p) {
        return Files.exists(p);
    }
}
