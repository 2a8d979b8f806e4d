package dev.brook.broker.handler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class DelayedFetchesTest {
    private final DelayedFetches fetches = new DelayedFetches();
    private final TopicPartition tp = new TopicPartition("t", 0);

    @Test
    void aParkedWaiterIsWokenByAnAppendAndAnUnparkedOneIsNot() {
        AtomicInteger woken = new AtomicInteger();
        DelayedFetches.Waiter w = woken::incrementAndGet;
        fetches.park(w, List.of(tp, new TopicPartition("t", 1)));
        fetches.onAppend(tp);
        fetches.onAppend(new TopicPartition("other", 0));
        assertThat(woken).hasValue(1);
        fetches.unpark(w, List.of(tp, new TopicPartition("t", 1)));
        fetches.onAppend(tp);
        assertThat(woken).hasValue(1);
        assertThat(fetches.waitingOn(tp)).isZero();
    }

    /**
     * Many fetches of one partition park and unpark at once, as ten consumers of one topic do. A waiter parked while
     * another's unpark emptied the partition's set once landed in a set no longer in the map: no append woke it, and
     * its consumer waited out fetch.max.wait.ms (a 500 ms p99 in brook-bench messaging with 10 subscribers).
     */
    @Test
    @Timeout(60)
    void aWaiterParkedWhileOthersUnparkIsAlwaysWoken() throws Exception {
        int threads = 4;
        int rounds = 50_000;
        AtomicLong missed = new AtomicLong();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                AtomicInteger woken = new AtomicInteger();
                DelayedFetches.Waiter w = woken::incrementAndGet;
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < rounds; i++) {
                    fetches.park(w, List.of(tp));
                    int before = woken.get();
                    fetches.onAppend(tp);
                    if (woken.get() == before) {
                        missed.incrementAndGet();
                    }
                    fetches.unpark(w, List.of(tp));
                }
            });
            worker.start();
            workers.add(worker);
        }
        go.countDown();
        for (Thread worker : workers) {
            worker.join(TimeUnit.SECONDS.toMillis(50));
        }
        assertThat(missed).as("parked waiters an append did not wake").hasValue(0);
        assertThat(fetches.waitingOn(tp)).isZero();
    }
}
