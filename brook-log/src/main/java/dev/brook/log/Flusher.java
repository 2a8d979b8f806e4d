package dev.brook.log;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit: one thread fsyncs logs on behalf of every waiting {@code acks=all} producer.
 *
 * <p>Each round takes every request queued so far, fsyncs each log named once, completes the futures it
 * satisfied, and starts over. While an fsync runs, new requests pile up and share the next one, so the number of
 * fsyncs follows the disk's speed, not the number of producers or partitions.
 *
 * <p>Threads: {@link #flushUpTo} from any thread; futures complete on the flusher thread.
 */
public final class Flusher implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(Flusher.class);

    private record Request(Log log, long offset, CompletableFuture<Void> done) {
    }

    private final LinkedBlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean running = true;
    /** For tests: fsync rounds that flushed at least one log. */
    volatile long rounds;

    public Flusher(String threadName) {
        thread = new Thread(this::run, threadName);
        thread.setDaemon(true);
        thread.start();
    }

    /** Completes once {@code log.flushedOffset() >= offset}; exceptionally with a {@link LogException} if the fsync fails. */
    public CompletableFuture<Void> flushUpTo(Log log, long offset) {
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
                batch.add(first);
                queue.drainTo(batch);
                Map<Log, RuntimeException> failures = new IdentityHashMap<>();
                boolean flushed = false;
                for (Request r : batch) {
                    if (r.log().flushedOffset() < r.offset() && !failures.containsKey(r.log())) {
                        try {
                            r.log().flush();
                            flushed = true;
                        } catch (RuntimeException e) {
                            failures.put(r.log(), e);
                            log.error("fsync of {} failed", r.log().dir(), e);
                        }
                    }
                }
                if (flushed) {
                    rounds++;
                }
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

    /** Serves every request already queued, then stops the thread. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
