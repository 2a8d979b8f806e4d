package dev.brook.broker.handler;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Keeps one producer's transactional produce requests in the order they arrived while some of them wait for their
 * partitions to join the transaction (transactions v2 adds a partition on its first produce, which takes a durable
 * write of the coordinator). Without it a later request, whose partitions are already in, would append before an
 * earlier one still waiting, and its sequence numbers would be out of order. A request with nothing ahead of it runs at
 * once on the calling thread; otherwise when the one ahead has appended. Thread-safe.
 */
final class ProducerOrder {
    private final ConcurrentHashMap<Long, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();

    /** Whether the producer has work waiting or running: what {@link #run} is given now may wait. */
    boolean busy(long producerId) {
        CompletableFuture<Void> tail = tails.get(producerId);
        return tail != null && !tail.isDone();
    }

    /** Runs {@code work} (which appends, and returns once it has) after the producer's earlier work has. */
    <T> CompletableFuture<T> run(long producerId, Supplier<CompletableFuture<T>> work) {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        CompletableFuture<Void> ahead = tails.put(producerId, gate);
        CompletableFuture<T> mine = ahead == null || ahead.isDone() ? work.get()
                : ahead.thenCompose(ignored -> work.get());
        mine.whenComplete((v, e) -> {
            gate.complete(null);
            tails.remove(producerId, gate);
        });
        return mine;
    }
}
