package dev.brook.log;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Group commit: one thread fsyncs logs on behalf of every waiting {@code acks=all} producer.
 *
 * <p>Each round takes every request queued so far, fsyncs each log named once, completes the futures it
 * satisfied, and starts over. While an fsync runs, new requests pile up and share the next one, so the number of
 * fsyncs follows the disk's speed, not the number of producers or partitions. Rounds start at most once per
 * {@code roundIntervalNanos}: on a fast disk, requests arriving one by one would otherwise each get an fsync of their
 * own, and on this project's VM thousands of small fsyncs a second stall the whole machine (see
 * docs/benchmarks.md). A request that arrives after a quiet spell is served at once.
 *
 * <p>Threads: {@link #flushUpTo} from any thread; futures complete on the flusher thread, which fsyncs a round's
 * logs together with up to seven helper threads.
 */
public final class Flusher implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(Flusher.class);
    private static final ThrottledLogger FAILURES = new ThrottledLogger(log, Level.ERROR);

    private record Request(PartitionLog log, long offset, CompletableFuture<Void> done) {
    }

    /** Logs fsynced at once in a round, besides the flusher thread's own: 1 + this many. */
    private static final int HELPER_THREADS = 7;
    /** An fsync this slow is logged as a warning (and one over {@link #SLOW_FSYNC_DEBUG_MS} at debug level). */
    private static final long SLOW_FSYNC_WARN_MS = 500;
    private static final long SLOW_FSYNC_DEBUG_MS = 20;

    private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final ExecutorService helpers;
    private volatile boolean running = true;
    /** The shortest time from the start of one round to the start of the next. */
    private final long roundIntervalNanos;
    /** Flusher thread only. */
    private long lastRoundStart;
    /** For tests: rounds that fsynced (or tried to fsync) at least one log. */
    volatile long rounds;

    /**
     * @param roundIntervalNanos the shortest time between the starts of two rounds ({@code brook.group.commit.interval.us}):
     *                           a request that arrives sooner after a round began waits for the next one and shares
     *                           its fsync; 0 starts the next round as soon as the last one ends
     */
    public Flusher(String threadName, long roundIntervalNanos) {
        this.roundIntervalNanos = roundIntervalNanos;
        this.lastRoundStart = System.nanoTime() - roundIntervalNanos;
        AtomicInteger helperCount = new AtomicInteger();
        // threads start on first use: a broker whose rounds never cover two logs runs none
        helpers = Executors.newFixedThreadPool(HELPER_THREADS, r -> {
            Thread t = new Thread(r, threadName + "-helper-" + helperCount.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /** Completes once {@code log.flushedOffset() >= offset}; exceptionally with a {@link LogException} if the fsync fails. */
    public CompletableFuture<Void> flushUpTo(PartitionLog log, long offset) {
        if (log.flushedOffset() >= offset) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!running) {
            done.completeExceptionally(new LogException(Errors.KAFKA_STORAGE_ERROR, "the flusher is stopped"));
            return done;
        }
        queue.add(new Request(log, offset, done));
        return done;
    }

    private void run() {
        List<Request> batch = new ArrayList<>();
        while (running || !queue.isEmpty()) {
            try {
                Request first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                long wait;
                while ((wait = lastRoundStart + roundIntervalNanos - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                lastRoundStart = System.nanoTime();
                batch.add(first);
                queue.drainTo(batch);
                Map<PartitionLog, RuntimeException> failures = flushAll(batch);
                for (Request r : batch) {
                    RuntimeException failure = failures.get(r.log());
                    if (failure != null) {
                        r.done().completeExceptionally(failure);
                    } else if (r.log().flushedOffset() >= r.offset()) {
                        r.done().complete(null);
                    } else {
                        queue.add(r);
                    }
                }
                batch.clear();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Request left;
        while ((left = queue.poll()) != null) {
            left.done().completeExceptionally(new LogException(Errors.KAFKA_STORAGE_ERROR, "the flusher stopped"));
        }
    }

    /**
     * fsyncs every log the batch waits for, once each. Several logs are fsynced at the same time (the helpers take all
     * but the first): each fsync ends with a flush of the device's cache, and concurrent ones are merged by the block
     * layer and the file system's journal. With 8 partitions and {@code acks=all}, one at a time gave 130-175k records/s
     * and all at once 175-280k on this project's 2-core VM.
     *
     * @return the logs whose fsync failed, with the failure
     */
    private Map<PartitionLog, RuntimeException> flushAll(List<Request> batch) throws InterruptedException {
        Map<PartitionLog, RuntimeException> failures = new ConcurrentHashMap<>();
        Set<PartitionLog> due = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Request r : batch) {
            if (r.log().flushedOffset() < r.offset()) {
                due.add(r.log());
            }
        }
        if (due.isEmpty()) {
            return failures;
        }
        Iterator<PartitionLog> it = due.iterator();
        PartitionLog first = it.next();
        List<Future<?>> others = new ArrayList<>();
        while (it.hasNext()) {
            PartitionLog l = it.next();
            others.add(helpers.submit(() -> flushOne(l, failures)));
        }
        flushOne(first, failures);
        for (Future<?> f : others) {
            try {
                f.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("flushOne does not throw", e);
            }
        }
        rounds++;
        return failures;
    }

    private static void flushOne(PartitionLog l, Map<PartitionLog, RuntimeException> failures) {
        try {
            long start = System.nanoTime();
            l.flush();
            long millis = (System.nanoTime() - start) / 1_000_000;
            if (millis >= SLOW_FSYNC_WARN_MS) {
                log.warn("fsync of {} took {} ms: acks=all producers waited as long (a slow or overloaded disk)", l, millis);
            } else if (millis >= SLOW_FSYNC_DEBUG_MS) {
                log.debug("fsync of {} took {} ms", l, millis);
            }
        } catch (RuntimeException e) {
            failures.put(l, e);
            FAILURES.log("fsync failed", "fsync of {} failed", l, e);
        }
    }

    /** Serves every request already queued, then stops the thread. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        helpers.shutdown();
    }
}
