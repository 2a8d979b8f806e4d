package dev.brook.broker.txn;

import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * One transactional id as its coordinator knows it: the producer id and epoch it was last given (and the previous
 * ones, to recognise a retry), its transaction timeout, the state of its current transaction and the partitions in it.
 * Mutable, owned by the coordinator thread; what {@link TransactionLog} persists.
 */
final class TransactionMetadata {
    final String transactionalId;
    long producerId;
    /** The producer id before the last rotation (an epoch that ran out), or -1. */
    long previousProducerId = -1;
    short epoch;
    /** The epoch before the last bump, or -1: a retried EndTxn with it is recognised (transactions v2). */
    short lastEpoch = -1;
    int timeoutMs;
    TransactionState state = TransactionState.EMPTY;
    final Set<TopicPartition> partitions = new LinkedHashSet<>();
    long startMs = -1;
    long lastUpdateMs;
    /** 1 or 2: the transaction protocol generation the client speaks (2: KIP-890, epoch bumped on every end). */
    byte clientVersion = 1;
    /** Set while a decided transaction's markers are being written: requests that change the id wait for it. */
    java.util.concurrent.CompletableFuture<Void> settling;

    TransactionMetadata(String transactionalId, long producerId, short epoch, int timeoutMs, long now) {
        this.transactionalId = transactionalId;
        this.producerId = producerId;
        this.epoch = epoch;
        this.timeoutMs = timeoutMs;
        this.lastUpdateMs = now;
    }

    @Override
    public String toString() {
        return transactionalId + "(" + producerId + "/" + epoch + " " + state + " " + partitions + ")";
    }
}
