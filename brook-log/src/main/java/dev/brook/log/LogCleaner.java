package dev.brook.log;

import java.io.Closeable;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Compacts the logs whose {@code cleanup.policy} includes {@code compact}: Kafka's log cleaner, with its broker configs.
 * Each of {@code log.cleaner.threads} threads repeatedly takes the dirtiest log that is due (its dirty ratio at least
 * {@code min.cleanable.dirty.ratio}, or its oldest dirty record older than {@code max.compaction.lag.ms}), runs one
 * {@link Cleaning} pass over it, and when no log is due sleeps {@code log.cleaner.backoff.ms}. A log is cleaned by one
 * thread at a time.
 *
 * <p>Memory: each thread's {@link OffsetMap} is at most its share of {@code log.cleaner.dedupe.buffer.size}, allocated
 * when first needed at the size the dirty range calls for (24 bytes a slot, a slot for each offset it spans over the
 * load factor, rounded up to a power of two), and kept (grown when a larger range needs it); a log whose dirty part has
 * more keys is cleaned in several passes. Reads and writes are paced to
 * {@code log.cleaner.io.max.bytes.per.second}.
 *
 * <p>Threads: its own; {@link #updateSettings} from any thread takes effect at the next pass (the thread count at the
 * next start).
 */
public final class LogCleaner implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(LogCleaner.class);
    private static final ThrottledLogger FAILURES = new ThrottledLogger(log, Level.ERROR);

    /**
     * The broker configs.
     *
     * @param enabled             {@code log.cleaner.enable}
     * @param threads             {@code log.cleaner.threads}
     * @param dedupeBufferBytes   {@code log.cleaner.dedupe.buffer.size}, shared by the threads
     * @param ioMaxBytesPerSecond {@code log.cleaner.io.max.bytes.per.second}, read and written, all threads together
     * @param backoffMs           {@code log.cleaner.backoff.ms}: sleep when no log needs cleaning
     */
    public record Settings(boolean enabled, int threads, long dedupeBufferBytes, double ioMaxBytesPerSecond, long backoffMs) {
        public static final Settings DEFAULTS = new Settings(true, 1, 128L << 20, Double.MAX_VALUE, 15_000);
    }

    /** What the cleaner has done since it started, for operators and tests. */
    public record Stats(long passes, long bytesRead, long bytesWritten, long recordsRead, long recordsKept) {
    }

    private final Supplier<Collection<Log>> logs;
    private final Clock clock;
    private final Set<Log> inProgress = ConcurrentHashMap.newKeySet();
    private final List<Thread> threads = new ArrayList<>();
    private final Object wake = new Object();
    private volatile Settings settings;
    private volatile boolean closed;
    private long passes;
    private long bytesRead;
    private long bytesWritten;
    private long recordsRead;
    private long recordsKept;
    private long throttleStartNs = System.nanoTime();
    private long throttleBytes;

    public LogCleaner(Supplier<Collection<Log>> logs, Clock clock, Settings settings) {
        this.logs = logs;
        this.clock = clock;
        this.settings = settings;
    }

    /** Starts the threads (none when {@code log.cleaner.enable} is false). */
    public synchronized LogCleaner start() {
        if (!settings.enabled()) {
            return this;
        }
        long perThread = Math.max(1 << 20, settings.dedupeBufferBytes() / Math.max(1, settings.threads()));
        for (int i = 0; i < Math.max(1, settings.threads()); i++) {
            Thread t = new Thread(() -> run(perThread), "brook-log-cleaner-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        return this;
    }

    public void updateSettings(Settings settings) {
        this.settings = settings;
        wakeUp(); // a thread backing off waits out the new backoff, not the old
    }

    public Settings settings() {
        return settings;
    }

    /** Makes the threads look for work now instead of at the end of their backoff (a log was created or configured). */
    public void wakeUp() {
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    private void run(long maxMapBytes) {
        OffsetMap map = null;
        while (!closed) {
            Log target = null;
            try {
                target = pick();
                if (target == null) {
                    synchronized (wake) {
                        if (!closed) {
                            wake.wait(Math.max(1, settings.backoffMs()));
                        }
                    }
                    continue;
                }
                long now = clock.millis();
                Cleaning.Range range = Cleaning.range(target, now);
                // the dirty range holds at most as many keys as it spans offsets: a map for that many, if the buffer allows
                long slots = Long.highestOneBit(Math.max(16, (long) ((range.firstUncleanable() - range.firstDirty()) / OffsetMap.LOAD_FACTOR)) * 2 - 1);
                long wanted = Math.min(maxMapBytes, slots * OffsetMap.ENTRY_BYTES);
                if (map == null || map.bytes() < wanted) {
                    map = null; // let the old one go first
                    map = new OffsetMap(wanted);
                }
                Cleaning.Result r = new Cleaning(target, map, this::throttle, () -> closed, now).run();
                record(r);
                if (r.segmentsCleaned() > 0) {
                    log.info("Cleaned {}: offsets {}..{} mapped, {} segments rewritten, {} of {} records kept, {} -> {} bytes",
                            target.dir().getFileName(), r.mappedFrom(), r.mappedTo() - 1, r.segmentsCleaned(), r.recordsKept(),
                            r.recordsRead(), r.bytesRead(), r.bytesWritten());
                }
            } catch (InterruptedException e) {
                if (closed) {
                    return;
                }
            } catch (RuntimeException | java.io.IOException e) {
                if (!closed) {
                    FAILURES.log("cleaning failed", "Cleaning {} failed; it is retried after log.cleaner.backoff.ms",
                            target == null ? "a log" : target.dir(), e);
                    backOff();
                }
            } finally {
                if (target != null) {
                    inProgress.remove(target);
                }
            }
        }
    }

    private void backOff() {
        synchronized (wake) {
            try {
                if (!closed) {
                    wake.wait(Math.max(1, settings.backoffMs()));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The dirtiest due log nobody else is cleaning, marked as in progress; or null. */
    private Log pick() {
        long now = clock.millis();
        Log best = null;
        double bestRatio = -1;
        for (Log l : logs.get()) {
            LogConfig cfg = l.config();
            if (!cfg.compacted() || inProgress.contains(l)) {
                continue;
            }
            Cleaning.Range range;
            try {
                range = Cleaning.range(l, now);
            } catch (RuntimeException e) {
                continue; // the log is being deleted
            }
            if (!Cleaning.due(l, range, now)) {
                continue;
            }
            double ratio = range.isEmpty() ? 1 : range.dirtyRatio();
            boolean overdue = range.firstDirtyTimestamp() != Long.MAX_VALUE
                    && now - range.firstDirtyTimestamp() > cfg.compaction().maxCompactionLagMs();
            if ((ratio >= cfg.compaction().minCleanableDirtyRatio() || overdue) && (overdue ? 2 : ratio) > bestRatio) {
                best = l;
                bestRatio = overdue ? 2 : ratio;
            }
        }
        if (best != null && !inProgress.add(best)) {
            return null;
        }
        return best;
    }

    private void throttle(long bytes) throws InterruptedException {
        double rate = settings.ioMaxBytesPerSecond();
        if (rate >= Double.MAX_VALUE / 2 || rate <= 0) {
            return;
        }
        long sleepNs;
        synchronized (this) {
            long elapsed = System.nanoTime() - throttleStartNs;
            if (elapsed > TimeUnit.SECONDS.toNanos(1)) {
                throttleStartNs = System.nanoTime();
                throttleBytes = 0;
                elapsed = 0;
            }
            throttleBytes += bytes;
            sleepNs = (long) (throttleBytes / rate * 1e9) - elapsed;
        }
        if (sleepNs > 0) {
            synchronized (wake) {
                if (!closed) {
                    wake.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(sleepNs)));
                }
            }
        }
    }

    private synchronized void record(Cleaning.Result r) {
        if (r.segmentsCleaned() == 0 && r.bytesRead() == 0) {
            return;
        }
        passes++;
        bytesRead += r.bytesRead();
        bytesWritten += r.bytesWritten();
        recordsRead += r.recordsRead();
        recordsKept += r.recordsKept();
    }

    public synchronized Stats stats() {
        return new Stats(passes, bytesRead, bytesWritten, recordsRead, recordsKept);
    }

    /**
     * Stops the threads; a pass under way stops at its next batch (its cleaned file is deleted; the log is as before it).
     * Never by interrupting them: an interrupt during a read would close the segment's channel for every reader.
     */
    @Override
    public void close() {
        closed = true;
        List<Thread> running;
        synchronized (this) {
            running = new ArrayList<>(threads);
            threads.clear();
        }
        wakeUp();
        for (Thread t : running) {
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
