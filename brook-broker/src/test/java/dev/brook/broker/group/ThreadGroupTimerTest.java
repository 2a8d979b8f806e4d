package dev.brook.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ThreadGroupTimerTest {

    @Test
    void closeAbandonsPendingTimeoutsAndStopsTheThread() throws Exception {
        ThreadGroupTimer timer = new ThreadGroupTimer("test-coordinator");
        CompletableFuture<Thread> thread = new CompletableFuture<>();
        timer.execute(() -> thread.complete(Thread.currentThread()));
        AtomicBoolean ran = new AtomicBoolean();
        timer.schedule(TimeUnit.HOURS.toMillis(1), () -> ran.set(true));

        timer.close();

        // A timeout an hour away must neither keep the thread alive nor run: a broker's shutdown waited for it.
        // (The executor counts as terminated a moment before its last thread has exited, hence the bounded join.)
        Thread coordinator = thread.get(5, TimeUnit.SECONDS);
        coordinator.join(2_000);
        assertThat(coordinator.isAlive()).isFalse();
        assertThat(ran).isFalse();
    }

    @Test
    void tasksRunOnTheCoordinatorThreadInOrder() throws Exception {
        ThreadGroupTimer timer = new ThreadGroupTimer("test-coordinator");
        try {
            StringBuilder order = new StringBuilder();
            CompletableFuture<Boolean> onThread = new CompletableFuture<>();
            timer.schedule(50, () -> order.append('c'));
            timer.execute(() -> order.append('a'));
            timer.execute(() -> order.append('b'));
            timer.schedule(100, () -> onThread.complete(timer.inCoordinatorThread()));
            assertThat(onThread.get(5, TimeUnit.SECONDS)).isTrue();
            assertThat(order).hasToString("abc");
            assertThat(timer.inCoordinatorThread()).isFalse();
        } finally {
            timer.close();
        }
    }
}
