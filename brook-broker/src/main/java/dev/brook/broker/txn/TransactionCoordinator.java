package dev.brook.broker.txn;

import dev.brook.broker.cluster.ClusterIdentity;
import dev.brook.broker.cluster.Partition;
import dev.brook.broker.cluster.Topic;
import dev.brook.broker.cluster.TopicRegistry;
import dev.brook.broker.group.GroupCoordinator;
import dev.brook.broker.group.GroupTimer;
import dev.brook.broker.group.ThreadGroupTimer;
import dev.brook.log.AppendResult;
import dev.brook.log.Flusher;
import dev.brook.log.LogException;
import dev.brook.log.ThrottledLogger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The transaction coordinator: transactional ids, their producer ids and epochs, and the two-phase end of every
 * transaction, as Kafka's is (both protocol generations: v1, where the client adds partitions and the epoch stays for
 * the producer's life, and v2, KIP-890, where partitions are added by the first produce and every end bumps the epoch).
 *
 * <pre>
 *  InitProducerId ─▶ Empty ─AddPartitionsToTxn / AddOffsetsToTxn / implicit add─▶ Ongoing (durable, then published
 *  to {@link OpenTransactions}, which partitions check before a batch may open a transaction in them)
 *  EndTxn ─▶ PrepareCommit|PrepareAbort (durable: the decision) ─▶ withdrawn ─▶ markers appended to every partition
 *  (the client is answered) ─▶ markers fsynced ─▶ CompleteCommit|CompleteAbort
 * </pre>
 *
 * <p>Durability: every state change is a record of {@link TransactionLog}, fsynced before the request it answers.
 * At startup the log is replayed: a decided transaction has its markers written (again) and completes; an Ongoing one
 * is aborted with its epoch bumped, so its producer is fenced and must initialise again. Transactions past
 * {@code transaction.timeout.ms} are aborted the same way; ids idle past {@code transactional.id.expiration.ms} are
 * forgotten.
 *
 * <p>Threading: every public method may be called from any thread; the work runs on the coordinator's single thread
 * (its {@link GroupTimer}, which also gives the clock), so {@link TransactionMetadata} needs no locks. A request for
 * an id whose decided transaction is still writing its markers waits for them rather than failing with
 * CONCURRENT_TRANSACTIONS.
 */
public final class TransactionCoordinator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TransactionCoordinator.class);
    private static final ThrottledLogger MARKER_FAILURES = new ThrottledLogger(log, Level.ERROR);
    /** Brook has one coordinator, never moved: its epoch in every marker. */
    public static final int COORDINATOR_EPOCH = 0;
    private static final long MARKER_RETRY_MS = 1_000;

    private final TransactionConfig config;
    private final GroupTimer thread;
    private final TransactionLog stateLog;
    private final TopicRegistry topics;
    private final Flusher flusher;
    private final ClusterIdentity identity;
    private final GroupCoordinator groups;
    private final OpenTransactions open = new OpenTransactions();
    private final Map<String, TransactionMetadata> txns = new HashMap<>();
    private AutoCloseable onClose = () -> { };

    TransactionCoordinator(TransactionConfig config, GroupTimer thread, TransactionLog stateLog, TopicRegistry topics, Flusher flusher,
                           ClusterIdentity identity, GroupCoordinator groups) {
        this.config = config;
        this.thread = thread;
        this.stateLog = stateLog;
        this.topics = topics;
        this.flusher = flusher;
        this.identity = identity;
        this.groups = groups;
    }

    /**
     * Opens the coordinator on its own thread: creates {@value TransactionLog#TOPIC} if needed, replays it, settles what
     * the last run left undecided or open, and starts the timeout and expiry checks.
     */
    public static TransactionCoordinator open(TransactionConfig config, TopicRegistry topics, Flusher flusher, ClusterIdentity identity,
                                              GroupCoordinator groups) {
        Topic stateTopic = topics.topic(TransactionLog.TOPIC);
        if (stateTopic == null) {
            stateTopic = topics.createInternal(TransactionLog.TOPIC, 1, Map.of("cleanup.policy", "compact",
                    "segment.bytes", String.valueOf(config.stateLogSegmentBytes())));
        }
        ThreadGroupTimer timer = new ThreadGroupTimer("brook-transaction-coordinator");
        TransactionCoordinator c = start(config, timer, new TransactionLog(stateTopic.partition(0), flusher), topics, flusher, identity, groups);
        c.onClose = timer;
        return c;
    }

    static TransactionCoordinator start(TransactionConfig config, GroupTimer timer, TransactionLog stateLog, TopicRegistry topics,
                                        Flusher flusher, ClusterIdentity identity, GroupCoordinator groups) {
        TransactionCoordinator c = new TransactionCoordinator(config, timer, stateLog, topics, flusher, identity, groups);
        c.submit(() -> {
            c.load();
            return CompletableFuture.completedFuture(null);
        }).join();
        c.scheduleChecks();
        return c;
    }

    /** What partitions and the group coordinator check transactional writes against. */
    public OpenTransactions openTransactions() {
        return open;
    }

    @Override
    public void close() {
        try {
            onClose.close();
        } catch (Exception e) {
            log.warn("Error stopping the transaction coordinator", e);
        }
    }

    // ---------------------------------------------------------------- load and recovery

    private void load() {
        stateLog.replay(new TransactionLog.Visitor() {
            @Override
            public void metadata(TransactionMetadata m) {
                txns.put(m.transactionalId, m);
            }

            @Override
            public void expired(String transactionalId) {
                txns.remove(transactionalId);
            }
        });
        int settled = 0;
        for (TransactionMetadata m : txns.values()) {
            switch (m.state) {
                case PREPARE_COMMIT, PREPARE_ABORT -> {
                    // decided with the epoch bumped past its largest value: the markers belong to the previous producer id
                    boolean rotated = m.epoch == 0 && m.lastEpoch == -1 && m.previousProducerId >= 0;
                    settle(m, m.state == TransactionState.PREPARE_COMMIT, rotated ? m.previousProducerId : m.producerId,
                            rotated ? Short.MAX_VALUE : m.epoch);
                    settled++;
                }
                case PREPARE_EPOCH_FENCE, ONGOING -> {
                    fenceAndAbort(m);
                    settled++;
                }
                default -> {
                    // nothing open
                }
            }
        }
        log.info("Loaded {} transactional ids; {} transactions left open or undecided by the last run are being completed",
                txns.size(), settled);
    }

    private void scheduleChecks() {
        thread.schedule(config.abortCheckIntervalMs(), () -> {
            abortTimedOut();
            scheduleChecks();
        });
    }

    private long lastExpiryCheck;

    /** Aborts transactions past their timeout (fencing their producers); every so often, forgets idle ids. */
    void abortTimedOut() {
        long now = thread.nowMs();
        for (TransactionMetadata m : new ArrayList<>(txns.values())) {
            if (m.state == TransactionState.ONGOING && m.settling == null && now - m.startMs > m.timeoutMs) {
                log.info("Transaction of {} (producer {}, epoch {}) passed its timeout of {} ms; aborting it", m.transactionalId,
                        m.producerId, m.epoch, m.timeoutMs);
                fenceAndAbort(m);
            }
        }
        if (now - lastExpiryCheck >= config.expiryCheckIntervalMs()) {
            lastExpiryCheck = now;
            expireIdle(now);
        }
    }

    private void expireIdle(long now) {
        for (Iterator<TransactionMetadata> it = txns.values().iterator(); it.hasNext(); ) {
            TransactionMetadata m = it.next();
            if (m.state.complete() && m.settling == null && now - m.lastUpdateMs > config.idExpirationMs()) {
                it.remove();
                stateLog.expire(m.transactionalId, now).exceptionally(e -> {
                    log.warn("Could not persist the expiry of transactional id {}", m.transactionalId, e);
                    return null;
                });
            }
        }
    }

    // ---------------------------------------------------------------- the APIs

    /** What InitProducerId answers. */
    public record ProducerIdAndEpoch(Errors error, long producerId, short epoch) {
        static ProducerIdAndEpoch failed(Errors e) {
            return new ProducerIdAndEpoch(e, -1, (short) -1);
        }
    }

    /**
     * InitProducerId with a transactional id: a new producer id at epoch 0 for a new id; otherwise the same id at the next
     * epoch (a new one once the epoch runs out), which fences every older instance. An open transaction of the id is
     * aborted first. With {@code producerId}/{@code epoch} given (KIP-360, a client recovering), they must be the current
     * ones.
     */
    public CompletableFuture<ProducerIdAndEpoch> initProducerId(String transactionalId, int timeoutMs, long producerId, short epoch) {
        if (transactionalId.isEmpty()) {
            return CompletableFuture.completedFuture(ProducerIdAndEpoch.failed(Errors.INVALID_REQUEST));
        }
        if (timeoutMs <= 0 || timeoutMs > config.maxTimeoutMs()) {
            return CompletableFuture.completedFuture(ProducerIdAndEpoch.failed(Errors.INVALID_TRANSACTION_TIMEOUT));
        }
        return whenSettled(transactionalId, () -> {
            TransactionMetadata m = txns.get(transactionalId);
            long now = thread.nowMs();
            if (m == null) {
                long id;
                try {
                    id = identity.nextProducerId();
                } catch (RuntimeException e) {
                    return CompletableFuture.completedFuture(ProducerIdAndEpoch.failed(Errors.COORDINATOR_NOT_AVAILABLE));
                }
                TransactionMetadata fresh = new TransactionMetadata(transactionalId, id, (short) 0, timeoutMs, now);
                txns.put(transactionalId, fresh);
                return persist(fresh).thenApply(e -> e == Errors.NONE ? new ProducerIdAndEpoch(Errors.NONE, fresh.producerId, fresh.epoch)
                        : ProducerIdAndEpoch.failed(e));
            }
            if (producerId >= 0) {
                boolean current = producerId == m.producerId && epoch == m.epoch;
                boolean retried = (producerId == m.producerId && epoch == m.lastEpoch)
                        || (producerId == m.previousProducerId && m.epoch == 0);
                if (!current && !retried) {
                    return CompletableFuture.completedFuture(ProducerIdAndEpoch.failed(
                            producerId == m.producerId && epoch < m.epoch ? Errors.PRODUCER_FENCED : Errors.INVALID_PRODUCER_EPOCH));
                }
                if (retried && m.state == TransactionState.EMPTY) {
                    return CompletableFuture.completedFuture(new ProducerIdAndEpoch(Errors.NONE, m.producerId, m.epoch));
                }
            }
            if (m.state == TransactionState.ONGOING) {
                fenceAndAbort(m);
                return m.settling.thenComposeAsync(ignored -> bumpForNewInstance(m, timeoutMs), thread::execute);
            }
            return bumpForNewInstance(m, timeoutMs);
        });
    }

    private CompletableFuture<ProducerIdAndEpoch> bumpForNewInstance(TransactionMetadata m, int timeoutMs) {
        bumpEpoch(m);
        m.state = TransactionState.EMPTY;
        m.partitions.clear();
        m.startMs = -1;
        m.timeoutMs = timeoutMs;
        m.lastUpdateMs = thread.nowMs();
        return persist(m).thenApply(e -> e == Errors.NONE ? new ProducerIdAndEpoch(Errors.NONE, m.producerId, m.epoch)
                : ProducerIdAndEpoch.failed(e));
    }

    /**
     * The next epoch, or a new producer id at epoch 0 once the epoch would reach its largest value. Returns the epoch
     * that fences the old one under the old producer id: what markers of a transaction ended by this bump carry.
     */
    private short bumpEpoch(TransactionMetadata m) {
        short fencing = (short) (m.epoch + 1);
        if (m.epoch >= Short.MAX_VALUE - 1) {
            m.previousProducerId = m.producerId;
            m.producerId = identity.nextProducerId();
            m.lastEpoch = -1;
            m.epoch = 0;
        } else {
            m.lastEpoch = m.epoch;
            m.epoch++;
        }
        return fencing;
    }

    /**
     * AddPartitionsToTxn, AddOffsetsToTxn (the group's offsets partition) and the implicit add of transactions v2 (a
     * produce or an offset commit): the partitions join the id's transaction, which becomes Ongoing. Answered once durable
     * and published to {@link OpenTransactions}.
     *
     * @param clientVersion 1 or 2, the protocol generation of the request
     */
    public CompletableFuture<Map<TopicPartition, Errors>> addPartitions(String transactionalId, long producerId, short epoch,
                                                                        Collection<TopicPartition> partitions, byte clientVersion) {
        return whenSettled(transactionalId, () -> {
            TransactionMetadata m = txns.get(transactionalId);
            Errors e = validate(m, producerId, epoch);
            if (e == Errors.NONE && m.state.preparing()) {
                e = Errors.CONCURRENT_TRANSACTIONS;
            }
            if (e != Errors.NONE) {
                return CompletableFuture.completedFuture(all(partitions, e));
            }
            Map<TopicPartition, Errors> unknown = new LinkedHashMap<>();
            for (TopicPartition tp : partitions) {
                Topic t = topics.topic(tp.topic());
                if (t == null || t.partition(tp.partition()) == null) {
                    unknown.put(tp, Errors.UNKNOWN_TOPIC_OR_PARTITION);
                }
            }
            if (!unknown.isEmpty()) {
                Map<TopicPartition, Errors> result = all(partitions, Errors.OPERATION_NOT_ATTEMPTED);
                result.putAll(unknown);
                return CompletableFuture.completedFuture(result);
            }
            if (m.state == TransactionState.ONGOING && m.partitions.containsAll(partitions)) {
                return CompletableFuture.completedFuture(all(partitions, Errors.NONE));
            }
            long now = thread.nowMs();
            if (m.state != TransactionState.ONGOING) {
                m.state = TransactionState.ONGOING;
                m.partitions.clear();
                m.startMs = now;
                m.clientVersion = clientVersion;
            }
            m.partitions.addAll(partitions);
            m.lastUpdateMs = now;
            return persist(m).thenApply(err -> {
                if (err == Errors.NONE && m.state == TransactionState.ONGOING && m.producerId == producerId) {
                    open.publish(m.producerId, new OpenTransactions.Open(m.transactionalId, m.epoch, Set.copyOf(m.partitions), m.clientVersion));
                }
                return all(partitions, err);
            });
        });
    }

    private static Map<TopicPartition, Errors> all(Collection<TopicPartition> partitions, Errors e) {
        Map<TopicPartition, Errors> m = new LinkedHashMap<>();
        partitions.forEach(tp -> m.put(tp, e));
        return m;
    }

    /** What EndTxn answers: the error, and (transactions v2) the producer id and epoch for the next transaction. */
    public record EndResult(Errors error, long producerId, short epoch) {
    }

    /**
     * EndTxn: decides the id's Ongoing transaction (durably), writes its markers and answers once they are in every
     * partition's log; with transactions v2 the epoch is bumped at the same time, and the answer carries the new one.
     * A retry of the decision already taken is answered as the first was.
     */
    public CompletableFuture<EndResult> endTxn(String transactionalId, long producerId, short epoch, boolean commit, byte clientVersion) {
        return whenSettled(transactionalId, () -> {
            TransactionMetadata m = txns.get(transactionalId);
            TransactionState done = commit ? TransactionState.COMPLETE_COMMIT : TransactionState.COMPLETE_ABORT;
            if (m != null && clientVersion >= 2 && m.state == done && epoch == m.lastEpoch
                    && (producerId == m.producerId || producerId == m.previousProducerId)) {
                return CompletableFuture.completedFuture(new EndResult(Errors.NONE, m.producerId, m.epoch)); // a retry
            }
            Errors e = validate(m, producerId, epoch);
            if (e != Errors.NONE) {
                return CompletableFuture.completedFuture(new EndResult(e, -1, (short) -1));
            }
            switch (m.state) {
                case ONGOING -> {
                    long txnProducerId = m.producerId;
                    short markerEpoch = clientVersion >= 2 ? bumpEpoch(m) : m.epoch;
                    return decide(m, commit, txnProducerId, markerEpoch).thenApply(err -> new EndResult(err, m.producerId, m.epoch));
                }
                case EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT -> {
                    if (clientVersion >= 2 && !commit) {
                        // v2: aborting with the current epoch when nothing is open ends the (empty) transaction all the
                        // same, with the epoch bumped, as Kafka does
                        bumpEpoch(m);
                        m.state = TransactionState.COMPLETE_ABORT;
                        m.partitions.clear();
                        m.lastUpdateMs = thread.nowMs();
                        return persist(m).thenApply(err -> new EndResult(err, m.producerId, m.epoch));
                    }
                    Errors answer = m.state == done && clientVersion < 2 ? Errors.NONE : Errors.INVALID_TXN_STATE;
                    return CompletableFuture.completedFuture(new EndResult(answer, m.producerId, m.epoch));
                }
                default -> {
                    return CompletableFuture.completedFuture(new EndResult(Errors.CONCURRENT_TRANSACTIONS, -1, (short) -1));
                }
            }
        });
    }

    private Errors validate(TransactionMetadata m, long producerId, short epoch) {
        if (m == null || m.producerId != producerId) {
            return Errors.INVALID_PRODUCER_ID_MAPPING;
        }
        if (epoch < m.epoch) {
            return Errors.PRODUCER_FENCED;
        }
        if (epoch > m.epoch) {
            return Errors.INVALID_PRODUCER_EPOCH;
        }
        return Errors.NONE;
    }

    /** Bumps the epoch of an Ongoing transaction (fencing its producer) and aborts it. */
    private void fenceAndAbort(TransactionMetadata m) {
        long txnProducerId = m.producerId;
        short markerEpoch = bumpEpoch(m);
        decide(m, false, txnProducerId, markerEpoch);
    }

    /**
     * Phase one: the decision, durable; phase two, started here and finished later: the markers, then the Complete
     * state. The future answers once the markers are appended (NONE) or the decision could not be made durable.
     */
    private CompletableFuture<Errors> decide(TransactionMetadata m, boolean commit, long txnProducerId, short markerEpoch) {
        open.withdraw(txnProducerId);
        m.state = commit ? TransactionState.PREPARE_COMMIT : TransactionState.PREPARE_ABORT;
        m.lastUpdateMs = thread.nowMs();
        CompletableFuture<Void> settled = new CompletableFuture<>();
        m.settling = settled;
        return persist(m).thenApply(err -> {
            if (err != Errors.NONE) {
                // not known to be durable: the decision stands in memory; the markers follow, and a restart repeats them
                log.warn("The {} decision of {} is not known to be durable; writing its markers anyway", commit ? "commit" : "abort",
                        m.transactionalId);
            }
            settle(m, commit, txnProducerId, markerEpoch, settled);
            return Errors.NONE;
        });
    }

    /** Phase two for a transaction found decided at startup. */
    private void settle(TransactionMetadata m, boolean commit, long txnProducerId, short markerEpoch) {
        CompletableFuture<Void> settled = new CompletableFuture<>();
        m.settling = settled;
        settle(m, commit, txnProducerId, markerEpoch, settled);
    }

    private void settle(TransactionMetadata m, boolean commit, long txnProducerId, short markerEpoch, CompletableFuture<Void> settled) {
        List<TopicPartition> partitions = new ArrayList<>(m.partitions);
        writeMarkers(txnProducerId, markerEpoch, commit, partitions).whenComplete((ok, err) -> thread.execute(() -> {
            if (err != null) {
                MARKER_FAILURES.log("transaction markers not written", "Markers of {} could not all be made durable ({}); retrying",
                        m.transactionalId, err.getMessage());
                thread.schedule(MARKER_RETRY_MS, () -> settle(m, commit, txnProducerId, markerEpoch, settled));
                return;
            }
            m.state = commit ? TransactionState.COMPLETE_COMMIT : TransactionState.COMPLETE_ABORT;
            m.partitions.clear();
            m.startMs = -1;
            m.lastUpdateMs = thread.nowMs();
            persist(m); // the next change of this id is written after it; a loss is repaired by repeating the markers
            m.settling = null;
            settled.complete(null);
        }));
    }

    /**
     * Appends a marker to every partition of the transaction (the group coordinator decides its offsets for the offsets
     * partition) and returns when all are durable. A partition deleted meanwhile is skipped.
     */
    private CompletableFuture<Void> writeMarkers(long producerId, short epoch, boolean commit, List<TopicPartition> partitions) {
        List<CompletableFuture<Void>> durable = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            if (tp.topic().equals(GroupCoordinator.OFFSETS_TOPIC)) {
                durable.add(groups.completeTransaction(producerId, commit));
                continue;
            }
            Topic topic = topics.topic(tp.topic());
            Partition p = topic == null ? null : topic.partition(tp.partition());
            if (p == null) {
                continue;
            }
            try {
                AppendResult r = p.appendMarker(producerId, epoch, commit, COORDINATOR_EPOCH);
                if (!p.inMemory()) {
                    durable.add(flusher.flushUpTo(p.storage(), r.lastOffset() + 1));
                }
            } catch (LogException e) {
                if (e.error() == org.apache.kafka.common.protocol.Errors.KAFKA_STORAGE_ERROR) {
                    durable.add(CompletableFuture.failedFuture(e));
                } else {
                    log.warn("No {} marker for producer {} in {}: {}", commit ? "commit" : "abort", producerId, tp, e.getMessage());
                }
            }
        }
        return CompletableFuture.allOf(durable.toArray(CompletableFuture[]::new));
    }

    // ---------------------------------------------------------------- admin views

    /** One transactional id as DescribeTransactions and ListTransactions show it. */
    public record Description(String transactionalId, TransactionState state, int timeoutMs, long startMs, long producerId,
                              short epoch, List<TopicPartition> partitions) {
    }

    /** DescribeTransactions: each id's description, or null for an unknown one. */
    public CompletableFuture<Map<String, Description>> describe(List<String> ids) {
        return submit(() -> {
            Map<String, Description> out = new LinkedHashMap<>();
            for (String id : ids) {
                TransactionMetadata m = txns.get(id);
                out.put(id, m == null ? null : describe(m));
            }
            return CompletableFuture.completedFuture(out);
        });
    }

    /**
     * ListTransactions: the ids in one of {@code states} (all if empty), of one of {@code producerIds} (all if empty),
     * running longer than {@code minDurationMs} (if at least 0), matching {@code idPattern} (if not null).
     */
    public CompletableFuture<List<Description>> list(Set<TransactionState> states, Set<Long> producerIds, long minDurationMs,
                                                     Pattern idPattern) {
        return submit(() -> {
            long now = thread.nowMs();
            List<Description> out = new ArrayList<>();
            for (TransactionMetadata m : txns.values()) {
                if ((states.isEmpty() || states.contains(m.state))
                        && (producerIds.isEmpty() || producerIds.contains(m.producerId))
                        && (minDurationMs < 0 || (m.startMs >= 0 && now - m.startMs > minDurationMs))
                        && (idPattern == null || idPattern.matcher(m.transactionalId).matches())) {
                    out.add(describe(m));
                }
            }
            out.sort(java.util.Comparator.comparing(Description::transactionalId));
            return CompletableFuture.completedFuture(out);
        });
    }

    private static Description describe(TransactionMetadata m) {
        return new Description(m.transactionalId, m.state, m.timeoutMs, m.startMs, m.producerId, m.epoch, List.copyOf(m.partitions));
    }

    // ---------------------------------------------------------------- plumbing

    /** Runs {@code work} on the coordinator thread, after the id's decided transaction (if any) has its markers. */
    private <T> CompletableFuture<T> whenSettled(String transactionalId, Supplier<CompletableFuture<T>> work) {
        return submit(() -> {
            TransactionMetadata m = txns.get(transactionalId);
            if (m != null && m.settling != null) {
                return m.settling.handle((ok, err) -> null).thenComposeAsync(ignored -> whenSettled(transactionalId, work), thread::execute);
            }
            return work.get();
        });
    }

    /** Persists the id's metadata; completes on the coordinator thread with NONE or the error to answer. */
    private CompletableFuture<Errors> persist(TransactionMetadata m) {
        CompletableFuture<Errors> result = new CompletableFuture<>();
        stateLog.write(m).whenComplete((ok, err) -> thread.execute(() -> {
            if (err != null) {
                MARKER_FAILURES.log("transaction state not persisted", "Could not persist the state of transactional id {}",
                        m.transactionalId, err);
            }
            result.complete(err == null ? Errors.NONE : Errors.COORDINATOR_NOT_AVAILABLE);
        }));
        return result;
    }

    private <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> work) {
        return thread.submit(work);
    }
}
