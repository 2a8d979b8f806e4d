package dev.brook.broker.txn;

import dev.brook.broker.group.GroupTimer;
import java.util.PriorityQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A {@link GroupTimer} for coordinator tests whose work completes on other threads (the flusher): tasks run one at a
 * time on one real thread, as in production, but the clock moves and timers fire only when the test calls
 * {@link #advance}.
 */
final class SteppedTimer implements GroupTimer, AutoCloseable {
    private record Task(long due, long seq, Runnable run) {
    }

    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "stepped-coordinator");
        t.setDaemon(true);
        return t;
    });
    private final PriorityQueue<Task> timers = new PriorityQueue<>((a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
    private volatile long now = 1_700_000_000_000L;
    private long seq;

    @Override
    public long nowMs() {
        return now;
    }

    @Override
    public void execute(Runnable task) {
        thread.execute(task);
    }

    @Override
    public synchronized Timeout schedule(long delayMs, Runnable task) {
        Task t = new Task(now + Math.max(0, delayMs), seq++, task);
        timers.add(t);
        return () -> {
            synchronized (this) {
                timers.remove(t);
            }
        };
    }

    @Override
    public boolean inCoordinatorThread() {
        return false;
    }

    /** Moves the clock forward and runs the timers that come due on the coordinator thread, waiting for each. */
    void advance(long ms) throws Exception {
        long target = now + ms;
        while (true) {
            Task t;
            synchronized (this) {
                t = timers.peek();
                if (t == null || t.due > target) {
                    break;
                }
                timers.poll();
            }
            now = Math.max(now, t.due);
            thread.submit(t.run).get(10, TimeUnit.SECONDS);
        }
        now = target;
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
