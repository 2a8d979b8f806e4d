package dev.brook.broker.group;

/**
 * The coordinator's thread and clock. Every change to group state runs as a task here, one at a time, so
 * groups need no locks; timers (session expiry, rebalance deadlines) are tasks scheduled here too.
 * Production uses one dedicated thread ({@link ThreadGroupTimer}); tests use a manual clock that runs
 * tasks inline and fires timers only when the test advances time, so nothing sleeps.
 */
public interface GroupTimer {

    /** A scheduled task that may be cancelled. */
    interface Timeout {
        void cancel();
    }

    /** Current time in milliseconds. */
    long nowMs();

    /** Runs {@code task} on the coordinator thread. */
    void execute(Runnable task);

    /** Runs {@code task} on the coordinator thread after {@code delayMs}. */
    Timeout schedule(long delayMs, Runnable task);

    /** Whether the caller is the coordinator thread. */
    boolean inCoordinatorThread();

    /**
     * Runs {@code work} on the coordinator thread and returns what the future it returns completes with (or its
     * failure, or what {@code work} threw): how a coordinator's public methods hand their work to its thread.
     */
    default <T> java.util.concurrent.CompletableFuture<T> submit(java.util.function.Supplier<java.util.concurrent.CompletableFuture<T>> work) {
        java.util.concurrent.CompletableFuture<T> result = new java.util.concurrent.CompletableFuture<>();
        execute(() -> {
            try {
                work.get().whenComplete((v, e) -> {
                    if (e != null) {
                        result.completeExceptionally(e);
                    } else {
                        result.complete(v);
                    }
                });
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }
}
