package dev.brook.broker.txn;

import dev.brook.log.TransactionVerifier;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * The coordinator's open transactions as the partitions see them: for each producer id with an Ongoing transaction,
 * its epoch and partitions. Published by the coordinator thread once a transaction's partitions are durable, and
 * withdrawn before its markers are written; read by any thread, lock-free, when a transactional batch would open a
 * transaction in a partition ({@link #verifier}) and when offsets are committed in a transaction.
 */
public final class OpenTransactions {
    /** One open transaction. */
    record Open(String transactionalId, short epoch, Set<TopicPartition> partitions, byte clientVersion) {
    }

    private final ConcurrentHashMap<Long, Open> open = new ConcurrentHashMap<>();

    void publish(long producerId, Open o) {
        open.put(producerId, o);
    }

    void withdraw(long producerId) {
        open.remove(producerId);
    }

    /** Whether {@code producerId} at {@code epoch} has {@code tp} in its open transaction: NONE, or why not. */
    public Errors check(long producerId, short epoch, TopicPartition tp) {
        Open o = open.get(producerId);
        if (o == null || !o.partitions().contains(tp)) {
            return Errors.INVALID_TXN_STATE;
        }
        if (epoch != o.epoch()) {
            return Errors.INVALID_PRODUCER_EPOCH;
        }
        return Errors.NONE;
    }

    /** Whether {@code producerId} has a transaction open at all (with any partitions). */
    boolean isOpen(long producerId) {
        return open.containsKey(producerId);
    }

    /** The verifier a partition's log asks before a transactional batch opens a transaction in it. */
    public TransactionVerifier verifier(TopicPartition tp) {
        return (producerId, epoch) -> check(producerId, epoch, tp);
    }
}
