package dev.brook.broker.handler;

import dev.brook.broker.cluster.AppendListener;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;

/**
 * The fetches parked until data arrives (Kafka calls this a purgatory): each waits on the partitions it
 * reads, and an append to any of them wakes it to look again. A parked fetch also has its own timer for
 * {@code max.wait.ms}, so it always completes.
 *
 * <p>Threads: appends call {@link #onAppend} on whatever thread appended; waking only schedules the fetch's
 * re-check on its own connection's event loop, so appends never do a fetch's work.
 */
public final class DelayedFetches implements AppendListener {

    /** A parked operation that can be told to look again. */
    interface Waiter {
        void wake();
    }

    private final ConcurrentHashMap<TopicPartition, Set<Waiter>> waiting = new ConcurrentHashMap<>();

    void park(Waiter waiter, Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            // the add happens inside compute, under the map's lock for tp: added after it (computeIfAbsent(..).add), it
            // could land in a set that a concurrent unpark had just emptied and removed, where no append would find it
            waiting.compute(tp, (k, set) -> {
                Set<Waiter> s = set == null ? ConcurrentHashMap.newKeySet() : set;
                s.add(waiter);
                return s;
            });
        }
    }

    void unpark(Waiter waiter, Collection<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            waiting.computeIfPresent(tp, (k, set) -> {
                set.remove(waiter);
                return set.isEmpty() ? null : set;
            });
        }
    }

    /**
     * For front ends outside the Kafka listener (the HTTP gateway's event streams): calls {@code wake} after every
     * append to any of {@code partitions}, on the appending thread (so it must only schedule work, never do it), until
     * the returned handle is closed.
     */
    public AutoCloseable watch(Collection<TopicPartition> partitions, Runnable wake) {
        Waiter waiter = wake::run;
        park(waiter, partitions);
        return () -> unpark(waiter, partitions);
    }

    /** How many fetches are parked on {@code tp}. */
    int waitingOn(TopicPartition tp) {
        Set<Waiter> set = waiting.get(tp);
        return set == null ? 0 : set.size();
    }

    @Override
    public void onAppend(TopicPartition partition) {
        Set<Waiter> set = waiting.get(partition);
        if (set != null) {
            for (Waiter w : set) {
                w.wake();
            }
        }
    }
}
