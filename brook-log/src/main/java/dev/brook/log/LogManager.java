package dev.brook.log;

import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * All the logs in one data directory, plus three small files that make restarts fast and safe:
 * <ul>
 *   <li>{@code .lock}: held with an OS file lock from {@link #open} to {@link #close}, so that a second broker on the
 *       same directory stops before touching it ({@link DataDirectoryLock});</li>
 *   <li>{@code .brook_clean_shutdown}: empty; written (and fsynced) as the very last step of {@link #close}, removed
 *       at open. Present at open means every log was flushed and closed: no recovery is needed.</li>
 *   <li>{@code recovery-point-offset-checkpoint}: UTF-8 text, one line per log, {@code <topic> <partition>
 *       <offset>}; everything below each offset was fsynced. Rewritten atomically (temporary file, fsync, rename)
 *       every minute and at close. After an unclean shutdown each log re-validates only from its recovery point.</li>
 * </ul>
 * A daemon thread applies retention to every log every {@code retentionCheckIntervalMs}, fsyncs the logs whose
 * {@code flush.ms} is due every {@code flushCheckIntervalMs}, and writes the checkpoint. Logs are opened on demand
 * by the broker ({@link #openLog}); other directories are ignored.
 */
public final class LogManager implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(LogManager.class);
    private static final ThrottledLogger FAILURES = new ThrottledLogger(log, Level.ERROR);
    static final String CLEAN_SHUTDOWN = ".brook_clean_shutdown";
    static final String RECOVERY_POINTS = "recovery-point-offset-checkpoint";
    private static final long CHECKPOINT_INTERVAL_MS = 60_000;

    private final Path dataDir;
    private final Clock clock;
    private final boolean cleanShutdown;
    private final Map<TopicPartition, Long> recoveryPoints;
    private final ConcurrentHashMap<TopicPartition, Log> logs = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<TopicPartition, MemoryLog> memoryLogs = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;
    private final DataDirectoryLock lock;
    private boolean closed;
    private LogCleaner cleaner;
    /** {@code producer.id.expiration.ms}: idempotent producers silent this long are forgotten (checked with retention). */
    private volatile long producerIdExpirationMs = 86_400_000L;

    private LogManager(Path dataDir, Clock clock, boolean cleanShutdown, Map<TopicPartition, Long> recoveryPoints,
                       long retentionCheckIntervalMs, long flushCheckIntervalMs, DataDirectoryLock lock) {
        this.lock = lock;
        this.dataDir = dataDir;
        this.clock = clock;
        this.cleanShutdown = cleanShutdown;
        this.recoveryPoints = new ConcurrentHashMap<>(recoveryPoints);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "brook-log-manager");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(10, retentionCheckIntervalMs);
        scheduler.scheduleWithFixedDelay(this::applyRetention, every, every, TimeUnit.MILLISECONDS);
        long flushEvery = Math.max(10, flushCheckIntervalMs);
        scheduler.scheduleWithFixedDelay(this::flushDueLogs, flushEvery, flushEvery, TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(this::checkpointQuietly, CHECKPOINT_INTERVAL_MS, CHECKPOINT_INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Opens the data directory: takes its lock (before anything else is read or written), then reads and removes the
     * clean-shutdown marker.
     *
     * @throws DataDirectoryInUseException if another process (or another broker in this one) holds the directory
     */
    public static LogManager open(Path dataDir, Clock clock, long retentionCheckIntervalMs, long flushCheckIntervalMs) {
        DataDirectoryLock lock = null;
        try {
            boolean fresh = !Files.isDirectory(dataDir) || isEmpty(dataDir);
            Files.createDirectories(dataDir);
            lock = DataDirectoryLock.acquire(dataDir);
            Path marker = dataDir.resolve(CLEAN_SHUTDOWN);
            boolean clean = fresh || Files.exists(marker);
            Map<TopicPartition, Long> points = readRecoveryPoints(dataDir.resolve(RECOVERY_POINTS));
            Files.deleteIfExists(marker);
            fsyncDirectory(dataDir);
            if (!clean) {
                log.info("Previous shutdown of {} was not clean: recovering its logs", dataDir.toAbsolutePath());
            }
            return new LogManager(dataDir, clock, clean, points, retentionCheckIntervalMs, flushCheckIntervalMs, lock);
        } catch (IOException | RuntimeException e) {
            if (lock != null) {
                lock.release();
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new LogException(Errors.KAFKA_STORAGE_ERROR, "cannot open data directory " + dataDir + ": " + e.getMessage(), e);
        }
    }

    /** Empty but for a lock file left by an earlier process (which holds no lock once that process is gone). */
    private static boolean isEmpty(Path dir) throws IOException {
        try (var entries = Files.list(dir)) {
            return entries.allMatch(p -> p.getFileName().toString().equals(DataDirectoryLock.FILE));
        }
    }

    /** Opens or creates the log for {@code tp} (directory {@code <topic>-<partition>}), recovering it after an unclean shutdown. */
    public Log openLog(TopicPartition tp, LogConfig config) {
        return logs.computeIfAbsent(tp, k -> Log.open(dirOf(tp), config, clock, !cleanShutdown, recoveryPoints.getOrDefault(tp, 0L)));
    }

    /**
     * Creates the in-memory log for {@code tp} (or returns the one already open): nothing of it is ever written under
     * the data directory, and it starts empty at offset 0 in every process.
     */
    public MemoryLog openMemoryLog(TopicPartition tp, LogConfig config) {
        return memoryLogs.computeIfAbsent(tp, k -> new MemoryLog(tp.topic() + "-" + tp.partition(), config, clock));
    }

    /**
     * The directory of {@code tp}'s log, {@code <topic>-<partition>}. (Not {@code tp.toString()}: kafka-clients'
     * string concatenation is an invokedynamic one, and at startup its first use costs about 25 ms.)
     */
    public Path dirOf(TopicPartition tp) {
        return dataDir.resolve(tp.topic() + "-" + tp.partition());
    }

    public Optional<Log> log(TopicPartition tp) {
        return Optional.ofNullable(logs.get(tp));
    }

    public Map<TopicPartition, Log> logs() {
        return Map.copyOf(logs);
    }

    /** Closes the log and deletes its files (or, in memory, its buffer). */
    public void deleteLog(TopicPartition tp) {
        recoveryPoints.remove(tp); // a log created again under this name starts from nothing, not from the old point
        Log l = logs.remove(tp);
        if (l != null) {
            l.delete();
        }
        MemoryLog m = memoryLogs.remove(tp);
        if (m != null) {
            m.delete();
        }
    }

    /**
     * Starts the log cleaner with these settings, or applies them to the running one: its pacing and backoff at its next
     * pass; a new thread count, buffer size or enablement by restarting it (a pass under way stops at its next batch and
     * is done again).
     */
    public synchronized void startCleaner(LogCleaner.Settings settings) {
        if (closed) {
            return;
        }
        if (cleaner != null) {
            LogCleaner.Settings was = cleaner.settings();
            if (was.enabled() == settings.enabled() && was.threads() == settings.threads()
                    && was.dedupeBufferBytes() == settings.dedupeBufferBytes()) {
                cleaner.updateSettings(settings);
                return;
            }
            cleaner.close();
        }
        cleaner = new LogCleaner(logs::values, clock, settings).start();
    }

    /** The running cleaner, if {@link #startCleaner} was called. */
    public synchronized Optional<LogCleaner> cleaner() {
        return Optional.ofNullable(cleaner);
    }

    public boolean wasCleanShutdown() {
        return cleanShutdown;
    }

    public Path dataDir() {
        return dataDir;
    }

    public void producerIdExpirationMs(long ms) {
        this.producerIdExpirationMs = ms;
    }

    private void applyRetention() {
        for (Log l : logs.values()) {
            try {
                l.expireProducers(producerIdExpirationMs);
                int deleted = l.applyRetention();
                if (deleted > 0) {
                    log.info("Retention deleted {} segments of {}", deleted, l.dir().getFileName());
                }
            } catch (RuntimeException e) {
                FAILURES.log("retention failed", "Retention of {} failed", l.dir(), e);
            }
        }
        for (MemoryLog m : memoryLogs.values()) {
            try {
                m.expireProducers(producerIdExpirationMs);
                m.applyRetention();
            } catch (RuntimeException e) {
                FAILURES.log("retention failed", "Retention of {} failed", m, e);
            }
        }
    }

    /** fsyncs every log whose {@code flush.ms} has passed since its last fsync and that has data to flush. */
    void flushDueLogs() {
        for (Log l : logs.values()) {
            if (!l.flushDue()) {
                continue;
            }
            try {
                l.flush();
            } catch (RuntimeException e) {
                FAILURES.log("scheduled fsync failed", "Scheduled fsync of {} (flush.ms) failed", l.dir(), e);
            }
        }
    }

    private void checkpointQuietly() {
        try {
            checkpoint();
        } catch (RuntimeException e) {
            FAILURES.log("checkpoint failed", "Could not write {}", RECOVERY_POINTS, e);
        }
    }

    /** Writes every log's flushed offset as its recovery point. */
    void checkpoint() {
        StringBuilder sb = new StringBuilder();
        logs.forEach((tp, l) -> sb.append(tp.topic()).append(' ').append(tp.partition()).append(' ').append(l.flushedOffset()).append('\n'));
        writeAtomically(dataDir.resolve(RECOVERY_POINTS), sb.toString());
    }

    /** Flushes every log, checkpoints recovery points, writes the clean-shutdown marker. */
    @Override
    public void close() {
        close(true);
    }

    /**
     * Flushes and closes every log opened, checkpoints, and writes the clean-shutdown marker if {@code clean}: a broker
     * whose start failed passes false, because logs it never opened may still need their recovery.
     */
    public synchronized void close(boolean clean) {
        if (closed) {
            return;
        }
        closed = true;
        if (cleaner != null) {
            cleaner.close();
        }
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        memoryLogs.values().forEach(MemoryLog::close);
        boolean allClosed = true;
        for (Log l : logs.values()) {
            try {
                l.close();
            } catch (RuntimeException e) {
                allClosed = false;
                log.error("Could not close {}", l.dir(), e);
            }
        }
        try {
            try {
                checkpoint();
            } catch (RuntimeException e) {
                // a full disk: the logs are flushed and closed, so the marker below is still true; only an unclean
                // restart would have needed the recovery points
                log.error("Could not write {} at shutdown: {}", RECOVERY_POINTS, e.getMessage());
            }
            if (allClosed && clean) {
                writeAtomically(dataDir.resolve(CLEAN_SHUTDOWN), "");
            }
        } catch (RuntimeException e) {
            log.error("Could not mark {} as cleanly shut down ({}); the next start recovers the logs", dataDir, e.getMessage());
        } finally {
            lock.release();
        }
    }

    /**
     * For tests of crash recovery in one JVM: stops the scheduler and lets the directory's lock go, as the kernel does
     * for a killed process, without flushing, checkpointing or writing the clean-shutdown marker.
     */
    synchronized void abandon() {
        closed = true;
        scheduler.shutdownNow();
        lock.release();
    }

    private static Map<TopicPartition, Long> readRecoveryPoints(Path file) throws IOException {
        Map<TopicPartition, Long> points = new HashMap<>();
        if (!Files.exists(file)) {
            return points;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            int last = line.lastIndexOf(' ');
            int mid = last > 0 ? line.lastIndexOf(' ', last - 1) : -1;
            if (mid <= 0) {
                continue;
            }
            try {
                points.put(new TopicPartition(line.substring(0, mid), Integer.parseInt(line.substring(mid + 1, last))),
                        Long.parseLong(line.substring(last + 1)));
            } catch (NumberFormatException ignored) {
                // a damaged line only costs a longer recovery
            }
        }
        return points;
    }

    private static void writeAtomically(Path file, String content) {
        try {
            AtomicFile.write(file, content.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new LogException(Errors.KAFKA_STORAGE_ERROR, "cannot write " + file, e);
        }
    }

    private static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
