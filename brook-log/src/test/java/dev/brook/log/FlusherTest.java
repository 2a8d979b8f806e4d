package dev.brook.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlusherTest {
    @TempDir
    Path dir;

    @Test
    void aWaitCompletesOnlyOnceTheLogIsFlushedPastIt() throws Exception {
        Log log = Log.open(dir.resolve("t-0"), LogConfig.defaults(), new MutableClock(), false, 0);
        try (Flusher flusher = new Flusher("test-flusher", 0)) {
            long end = log.append(Batches.of(1, "a", "b")).lastOffset() + 1;
            CompletableFuture<Void> f = flusher.flushUpTo(log, end);
            f.get(10, TimeUnit.SECONDS);
            assertThat(log.flushedOffset()).isGreaterThanOrEqualTo(end);
            assertThat(flusher.flushUpTo(log, end)).as("already flushed").isCompleted();
        }
        log.close();
    }

    @Test
    void manyConcurrentWaitersShareFewFsyncs() throws Exception {
        List<Log> logs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            logs.add(Log.open(dir.resolve("t-" + i), LogConfig.defaults(), new MutableClock(), false, 0));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<CompletableFuture<Void>> waits = new ArrayList<>();
        try (Flusher flusher = new Flusher("test-flusher", 0)) {
            List<CompletableFuture<CompletableFuture<Void>>> submitted = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                Log log = logs.get(i % 4);
                submitted.add(CompletableFuture.supplyAsync(() -> {
                    long end = log.append(Batches.of(1, "x".repeat(100))).lastOffset() + 1;
                    return flusher.flushUpTo(log, end);
                }, pool));
            }
            for (CompletableFuture<CompletableFuture<Void>> s : submitted) {
                waits.add(s.get(30, TimeUnit.SECONDS));
            }
            CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            assertThat(flusher.rounds).as("fsync rounds for 400 waits").isLessThan(400);
        } finally {
            pool.shutdownNow();
        }
        long fsyncs = logs.stream().mapToLong(l -> l.flushCount).sum();
        assertThat(fsyncs).isLessThan(400);
        logs.forEach(Log::close);
    }

    @Test
    void aRoundFsyncsItsLogsTogetherAndEveryOneOfThem() throws Exception {
        List<Log> logs = new ArrayList<>();
        List<Long> ends = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Log log = Log.open(dir.resolve("p-" + i), LogConfig.defaults(), new MutableClock(), false, 0);
            logs.add(log);
            ends.add(log.append(Batches.of(1, "y".repeat(500))).lastOffset() + 1);
        }
        try (Flusher flusher = new Flusher("round-flusher", 0)) {
            List<CompletableFuture<Void>> waits = new ArrayList<>();
            for (int i = 0; i < logs.size(); i++) {
                waits.add(flusher.flushUpTo(logs.get(i), ends.get(i)));
            }
            CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            for (int i = 0; i < logs.size(); i++) {
                assertThat(logs.get(i).flushedOffset()).as("log %d", i).isEqualTo(ends.get(i));
            }
            assertThat(Thread.getAllStackTraces().keySet()).as("helper threads fsynced beside the flusher")
                    .anyMatch(t -> t.getName().startsWith("round-flusher-helper-"));
        }
        logs.forEach(Log::close);
    }

    @Test
    void closingServesWhatIsQueued() throws Exception {
        Log log = Log.open(dir.resolve("t-0"), LogConfig.defaults(), new MutableClock(), false, 0);
        Flusher flusher = new Flusher("test-flusher", 0);
        long end = log.append(Batches.of(1, "a")).lastOffset() + 1;
        CompletableFuture<Void> f = flusher.flushUpTo(log, end);
        flusher.close();
        assertThat(f).isDone();
        assertThat(flusher.flushUpTo(log, end + 5)).isCompletedExceptionally();
        log.close();
    }

    @Test
    void theLogManagerMarksACleanShutdownAndFindsItsLogsAgain() {
        LogManager first = LogManager.open(dir, new MutableClock(), 60_000, 100);
        assertThat(first.wasCleanShutdown()).as("a new, empty directory has nothing to recover").isTrue();
        TopicPartition tp = new TopicPartition("orders", 2);
        first.openLog(tp, LogConfig.defaults()).append(Batches.of(1, "kept"));
        first.close();
        assertThat(dir.resolve(LogManager.CLEAN_SHUTDOWN)).exists();

        LogManager second = LogManager.open(dir, new MutableClock(), 60_000, 100);
        assertThat(second.wasCleanShutdown()).isTrue();
        assertThat(dir.resolve(LogManager.CLEAN_SHUTDOWN)).as("removed while running").doesNotExist();
        assertThat(Batches.readAll(second.openLog(tp, LogConfig.defaults()))).containsExactly("0:kept");
        second.deleteLog(tp);
        assertThat(dir.resolve("orders-2")).doesNotExist();
        second.close();

        LogManager third = LogManager.open(dir, new MutableClock(), 60_000, 100);
        third.openLog(new TopicPartition("x", 0), LogConfig.defaults()).append(Batches.of(1, "y"));
        third.abandon(); // as if killed: no flush, no marker, only the lock goes (as the kernel drops it)
        assertThat(LogManager.open(dir, new MutableClock(), 60_000, 100).wasCleanShutdown()).isFalse();
    }

    @Test
    void aRoundIntervalServesTheFirstRequestAtOnceAndMakesTheNextOnesShareOneLaterFsync() throws Exception {
        Log log = Log.open(dir.resolve("t-0"), LogConfig.defaults(), new MutableClock(), false, 0);
        try (Flusher flusher = new Flusher("interval-flusher", TimeUnit.SECONDS.toNanos(2))) {
            long first = System.nanoTime();
            flusher.flushUpTo(log, log.append(Batches.of(1, "a")).lastOffset() + 1).get(1, TimeUnit.SECONDS);
            List<CompletableFuture<Void>> later = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                later.add(flusher.flushUpTo(log, log.append(Batches.of(1, "b" + i)).lastOffset() + 1));
            }
            Thread.sleep(300);
            assertThat(later).as("waiting for the interval").noneMatch(CompletableFuture::isDone);
            CompletableFuture.allOf(later.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            assertThat(System.nanoTime() - first).isGreaterThanOrEqualTo(TimeUnit.SECONDS.toNanos(2));
            assertThat(flusher.rounds).as("one round for the first request, one for the five after it").isEqualTo(2);
            assertThat(log.flushedOffset()).isEqualTo(6);
        }
        log.close();
    }

    @Test
    void flushMsFsyncsALogOnceItsLastFsyncIsThatOldAndOnlyIfItHasNewData() {
        MutableClock clock = new MutableClock();
        // an hour between scheduled checks: the test makes each check itself
        LogManager manager = LogManager.open(dir, clock, 3_600_000, 3_600_000);
        Log timed = manager.openLog(new TopicPartition("timed", 0), LogConfig.defaults().withFlushMs(1_000));
        Log untimed = manager.openLog(new TopicPartition("untimed", 0), LogConfig.defaults());
        timed.append(Batches.of(1, "a", "b"));
        untimed.append(Batches.of(1, "c"));

        clock.advance(999);
        manager.flushDueLogs();
        assertThat(timed.flushedOffset()).as("999 ms after the open").isZero();
        assertThat(timed.unflushedMessages()).isEqualTo(2);

        clock.advance(1);
        manager.flushDueLogs();
        assertThat(timed.flushedOffset()).isEqualTo(2);
        assertThat(timed.unflushedMessages()).isZero();
        assertThat(untimed.flushedOffset()).as("flush.ms unset: never on a timer").isZero();

        int fsyncs = timed.flushCount;
        clock.advance(5_000);
        manager.flushDueLogs();
        assertThat(timed.flushCount).as("nothing new to flush").isEqualTo(fsyncs);

        timed.append(Batches.of(1, "d"));
        clock.advance(1_000);
        manager.flushDueLogs();
        assertThat(timed.flushedOffset()).isEqualTo(3);
        manager.close();
    }
}
