package dev.brook.bench;

import dev.brook.log.Compaction;
import dev.brook.log.Log;
import dev.brook.log.LogCleaner;
import dev.brook.log.LogConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * {@code brook-bench compaction}: the log cleaner and log opening, in process, on logs written for the purpose.
 * <ul>
 *   <li>cleaner throughput: a log of {@code keys} keys each overwritten {@code overwrites} times (values of
 *       {@code valueBytes}, batches of 100 records, 64 MiB segments) is cleaned by one {@link LogCleaner} thread with
 *       Kafka's default 128 MiB buffer; reported: MB read per second of cleaning, bytes before and after, the JVM's
 *       heap in use after a GC and its RSS (VmRSS) at the end;</li>
 *   <li>open time: logs of each size, opened after a clean close (the snapshot path), as after a crash with everything
 *       flushed (the recovery point at the log end: the newest roll snapshot stands in for older segments' headers),
 *       and as after a crash with no recovery point (every batch re-validated); the median of {@code rounds} opens.</li>
 * </ul>
 * Runs on the machine's disk (the system temporary directory, or {@code --dir}); nothing is fsynced during writing.
 */
final class CompactionBench {
    private static final int BATCH = 100;

    final Path dir;
    final int keys;
    final int overwrites;
    final int valueBytes;
    final long[] openSizes;
    final int rounds;
    final List<String> lines = new ArrayList<>();

    CompactionBench(Path dir, int keys, int overwrites, int valueBytes, long[] openSizes, int rounds) {
        this.dir = dir;
        this.keys = keys;
        this.overwrites = overwrites;
        this.valueBytes = valueBytes;
        this.openSizes = openSizes;
        this.rounds = rounds;
    }

    private static LogConfig config(boolean compacted) {
        return LogConfig.defaults().withSegmentBytes(64 << 20).withRetentionMs(-1).withCompacted(compacted)
                .withCompaction(new Compaction(0.5, 0, Long.MAX_VALUE, 86_400_000L))
                .withTimestampBeforeMaxMs(Long.MAX_VALUE).withTimestampAfterMaxMs(Long.MAX_VALUE);
    }

    /** Appends {@code records} records over {@code keyCount} keys, round-robin, in batches of BATCH. */
    private static void write(Log log, long records, int keyCount, int valueBytes, Random random) {
        byte[] value = new byte[valueBytes];
        SimpleRecord[] batch = new SimpleRecord[BATCH];
        long now = System.currentTimeMillis();
        for (long i = 0; i < records; i += BATCH) {
            for (int j = 0; j < BATCH; j++) {
                random.nextBytes(value);
                batch[j] = new SimpleRecord(now, ("key-" + ((i + j) % keyCount)).getBytes(StandardCharsets.UTF_8), value.clone());
            }
            log.append(MemoryRecords.withRecords(Compression.NONE, batch));
        }
    }

    void run() throws Exception {
        Files.createDirectories(dir);
        cleaner();
        for (long size : openSizes) {
            open(size);
        }
    }

    private void cleaner() throws Exception {
        Path logDir = dir.resolve("compaction-bench-0");
        deleteRecursively(logDir);
        Log log = Log.open(logDir, config(true), Clock.systemUTC(), false, 0);
        write(log, (long) keys * overwrites, keys, valueBytes, new Random(1));
        log.append(MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("roll".getBytes(), "roll".getBytes())));
        long before = log.sizeInBytes();
        long cleanableEnd = log.activeSegmentBaseOffset();
        System.gc();
        long t0 = System.nanoTime();
        try (LogCleaner cleaner = new LogCleaner(() -> List.of(log), Clock.systemUTC(),
                new LogCleaner.Settings(true, 1, 128L << 20, Double.MAX_VALUE, 10)).start()) {
            while (log.firstDirtyOffset() < cleanableEnd) {
                Thread.sleep(5);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            LogCleaner.Stats stats = cleaner.stats();
            Runtime rt = Runtime.getRuntime();
            System.gc();
            long heap = rt.totalMemory() - rt.freeMemory();
            lines.add(String.format("| cleaner: %,d keys × %d writes of %d-byte values | %,.0f MB | %,.1f s | %,.1f MB/s | %,d → %,d bytes"
                    + " | %d passes | heap in use after GC %,d MiB, RSS %,d MiB |", keys, overwrites, valueBytes, before / 1e6, seconds,
                    stats.bytesRead() / 1e6 / seconds, before, log.sizeInBytes(), stats.passes(), heap >> 20, rssKiB() >> 10));
        }
        log.close();
        deleteRecursively(logDir);
    }

    private void open(long bytes) throws Exception {
        Path logDir = dir.resolve("open-bench-0");
        deleteRecursively(logDir);
        Log log = Log.open(logDir, config(false), Clock.systemUTC(), false, 0);
        long records = bytes / (valueBytes + 20);
        write(log, records, 1_000_000, valueBytes, new Random(2));
        long size = log.sizeInBytes();
        int segments = log.segmentCount();
        long end = log.logEndOffset();
        log.close();
        List<Long> clean = new ArrayList<>();
        List<Long> crash = new ArrayList<>();
        List<Long> unclean = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            Log l = Log.open(logDir, config(false), Clock.systemUTC(), false, 0);
            clean.add((System.nanoTime() - t0) / 1_000_000);
            l.close();
            // as after a SIGKILL with everything flushed: the recovery point is the log end (the newest roll snapshot)
            t0 = System.nanoTime();
            l = Log.open(logDir, config(false), Clock.systemUTC(), true, end);
            crash.add((System.nanoTime() - t0) / 1_000_000);
            l.close();
            t0 = System.nanoTime();
            l = Log.open(logDir, config(false), Clock.systemUTC(), true, 0);
            unclean.add((System.nanoTime() - t0) / 1_000_000);
            l.close();
        }
        lines.add(String.format("| open: %,d MB in %d segments | after a clean close %,d ms | after a crash, recovery point at the end %,d ms"
                + " | after a crash, no recovery point (every batch checked) %,d ms |", size / 1_000_000, segments, median(clean),
                median(crash), median(unclean)));
        deleteRecursively(logDir);
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }

    private static long rssKiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
