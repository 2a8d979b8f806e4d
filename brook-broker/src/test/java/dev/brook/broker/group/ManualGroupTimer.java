package dev.brook.broker.group;

import java.util.PriorityQueue;

/** A {@link GroupTimer} for tests: tasks run inline, timers fire only when the test advances the clock. */
final class ManualGroupTimer implements GroupTimer {
    private record Task(long due, long seq, Runnable run, boolean[] cancelled) {
    }

    private final PriorityQueue<Task> queue = new PriorityQueue<>((a, b) -> a.due != b.due ? Long.compare(a.due, b.due) : Long.compare(a.seq, b.seq));
    private long now = 1_700_000_000_000L;
    private long seq;

    @Override
    public long nowMs() {
        return now;
    }

    @Override
    public void execute(Runnable task) {
        task.run();
    }

    @Override
    public Timeout schedule(long delayMs, Runnable task) {
        boolean[] cancelled = {false};
        queue.add(new Task(now + Math.max(0, delayMs), seq++, task, cancelled));
        return () -> cancelled[0] = true;
    }

    @Override
    public boolean inCoordinatorThread() {
        return true;
    }

    /** Moves the clock forward, firing every timer that comes due, in order. */
    void advance(long ms) {
        long target = now + ms;
        while (!queue.isEmpty() && queue.peek().due <= target) {
            Task t = queue.poll();
            now = Math.max(now, t.due);
            if (!t.cancelled[0]) {
                t.run.run();
            }
        }
        now = target;
    }
}
