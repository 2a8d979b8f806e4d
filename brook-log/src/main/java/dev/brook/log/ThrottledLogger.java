package dev.brook.log;

import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.event.Level;
import org.slf4j.helpers.MessageFormatter;

/**
 * A logger for events that bad input or a bad disk can repeat millions of times: the first occurrence of each
 * <em>kind</em> is logged in full (stack trace included), later ones of that kind are only counted, and one summary
 * line per kind and interval says how many there were and what the latest said (without its stack trace). A kind
 * quiet for a whole interval is logged in full again at its next event:
 * <pre>
 *   10:04:57.101 [WARN] ConnectionHandler - Closing connection from /127.0.0.1:50312: malformed PRODUCE v9 request: ...
 *   10:05:27.101 [WARN] ConnectionHandler - 28104 more like this (malformed request) in the last 30 s; latest: ...
 * </pre>
 * Why: a fuzzer or a full disk once wrote 1.2 million stack traces into the broker's log, which hid everything else
 * and filled the disk a second time. A kind is a short fixed string chosen by the caller ("append failed",
 * "malformed request"), never built from client input, so the table of kinds stays small.
 *
 * <p>Thread-safe: any thread may log; counting is lock-free. Summaries of counts that no later event reports are
 * written by {@link #flush}, which one shared daemon thread calls every interval for every instance.
 */
public final class ThrottledLogger {
    /** The default interval between two summaries of one kind. */
    public static final long DEFAULT_INTERVAL_MS = 30_000;
    private static final ScheduledExecutorService FLUSHER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "brook-log-summaries");
        t.setDaemon(true);
        return t;
    });

    private final Logger logger;
    private final Level level;
    private final long intervalMs;
    private final Clock clock;
    private final ConcurrentHashMap<String, Kind> kinds = new ConcurrentHashMap<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    /** Occurrences of one kind since its last line. Guarded by itself. */
    private static final class Kind {
        long lastEventMs = Long.MIN_VALUE;
        long windowStartMs;
        long suppressed;
        String latestFormat;
        Object[] latestArgs;

        /** The counted events and the latest of them, as one summary; the count starts again at {@code now}. */
        Summary take(long now) {
            Summary taken = new Summary(suppressed, latestFormat, latestArgs);
            suppressed = 0;
            latestFormat = null;
            latestArgs = null;
            windowStartMs = now;
            return taken;
        }
    }

    /** What one summary line says: how many events were counted, and the latest one's message. */
    private record Summary(long count, String latestFormat, Object[] latestArgs) {
    }

    /**
     * @param level the level of every line, first occurrences and summaries alike
     * @param clock what intervals are measured by (tests pass a manual one and call {@link #flush})
     * @param schedule whether the shared daemon thread calls {@link #flush} every interval
     */
    public ThrottledLogger(Logger logger, Level level, long intervalMs, Clock clock, boolean schedule) {
        this.logger = logger;
        this.level = level;
        this.intervalMs = intervalMs;
        this.clock = clock;
        this.scheduled.set(!schedule);
    }

    /** Every {@link #DEFAULT_INTERVAL_MS}, by the system clock, summaries written in the background. */
    public ThrottledLogger(Logger logger, Level level) {
        this(logger, level, DEFAULT_INTERVAL_MS, Clock.systemUTC(), true);
    }

    /**
     * Logs {@code format} with {@code args} (SLF4J style; a trailing throwable is logged with its stack trace) if it is
     * the first {@code kind} event, or the first after a whole interval without one. Otherwise the event is counted,
     * and the first event after an interval of counting writes the summary line instead.
     */
    public void log(String kind, String format, Object... args) {
        if (!logger.isEnabledForLevel(level)) {
            return;
        }
        long now = clock.millis();
        Kind k = kinds.computeIfAbsent(kind, x -> new Kind());
        Summary counted;
        boolean full;
        synchronized (k) {
            full = k.lastEventMs == Long.MIN_VALUE || now - k.lastEventMs >= intervalMs;
            k.lastEventMs = now;
            if (!full) {
                k.suppressed++;
                k.latestFormat = format;
                k.latestArgs = args;
                if (now - k.windowStartMs < intervalMs) {
                    ensureScheduled();
                    return;
                }
            }
            counted = k.take(now);
        }
        summary(kind, counted);
        if (full) {
            write(format, args);
        }
    }

    /** Writes the summary of every kind whose interval has ended with events still uncounted. */
    public void flush() {
        long now = clock.millis();
        kinds.forEach((kind, k) -> {
            Summary counted;
            synchronized (k) {
                if (k.suppressed == 0 || now - k.windowStartMs < intervalMs) {
                    return;
                }
                counted = k.take(now);
            }
            summary(kind, counted);
        });
    }

    private void summary(String kind, Summary counted) {
        if (counted.count() == 0) {
            return;
        }
        String latest = counted.latestFormat() == null ? ""
                : "; latest: " + MessageFormatter.arrayFormat(counted.latestFormat(), counted.latestArgs()).getMessage();
        write("{} more like this ({}) in the last {} s{}", new Object[] {counted.count(), kind, intervalMs / 1000, latest});
    }

    private void write(String format, Object[] args) {
        switch (level) {
            case ERROR -> logger.error(format, args);
            case WARN -> logger.warn(format, args);
            case INFO -> logger.info(format, args);
            case DEBUG -> logger.debug(format, args);
            case TRACE -> logger.trace(format, args);
        }
    }

    private void ensureScheduled() {
        if (scheduled.compareAndSet(false, true)) {
            FLUSHER.scheduleWithFixedDelay(this::flush, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
        }
    }
}
