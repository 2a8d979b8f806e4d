package dev.brook.broker.share;

import dev.brook.broker.cluster.GroupConfigs;
import dev.brook.broker.cluster.Partition;
import dev.brook.broker.cluster.Topic;
import dev.brook.broker.cluster.TopicRegistry;
import dev.brook.log.ReadResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;

/**
 * Every share-partition of every share group on this broker, created on a group's first fetch of a partition: where
 * ShareFetch acquires records and ShareFetch/ShareAcknowledge acknowledge them.
 *
 * <p>Threads: fetches and acknowledgements come from any connection's event loop; each share-partition is guarded by
 * its own monitor, held only for the state change (log reads happen outside it). One scheduler thread expires locks:
 * after each acquisition it is asked to look at that share-partition again at its earliest deadline. Whenever records
 * become available again (a release, a reject past the limit, an expired lock), the parked share fetches of that
 * topic partition are woken through {@code wake}, the same path an append takes.
 *
 * <p>Durability: every change is written, as a snapshot of the share-partition, to the {@link ShareStateLog} while
 * its lock is held. Acknowledgements complete only once their snapshot is fsynced, so an answered ACCEPT survives a
 * crash; acquisitions (delivery counts) and expiries are written without waiting. A new share-partition's start
 * offset is written as soon as it is chosen, so a restart does not choose "latest" again and skip what came between.
 */
public final class SharePartitions {

    /** A share-partition's identity: the group and the topic partition. */
    public record Key(String groupId, TopicPartition partition) {
    }

    /** A fetch's result for one partition: the log batches read and the ranges acquired from them. */
    public record Fetched(Records records, List<SharePartition.Acquired> acquired) {
    }

    /** Kafka's {@code errors.deadletterqueue.topic.name.prefix} default: a dead-letter topic's name starts with it. */
    static final String DLQ_PREFIX = "dlq.";
    /** At most this much of the log is read per share-partition per fetch (as a consumer's max.partition.fetch.bytes). */
    static final int READ_BYTES = 1 << 20;
    private static final dev.brook.log.ThrottledLogger DLQ_FAILURES = new dev.brook.log.ThrottledLogger(
            org.slf4j.LoggerFactory.getLogger(SharePartitions.class), org.slf4j.event.Level.WARN);

    private final TopicRegistry topics;
    private final ShareStateLog stateLog;
    private final GroupConfigs groupConfigs;
    private final LongSupplier clock;
    private final ScheduledExecutorService scheduler;
    private final Consumer<TopicPartition> wake;
    private final ConcurrentHashMap<Key, SharePartition> partitions = new ConcurrentHashMap<>();
    /** For each share-partition with locks, the deadline its next expiry check is scheduled for. */
    private final ConcurrentHashMap<Key, Long> expiryAt = new ConcurrentHashMap<>();

    public SharePartitions(TopicRegistry topics, ShareStateLog stateLog, GroupConfigs groupConfigs, LongSupplier clock,
                           ScheduledExecutorService scheduler, Consumer<TopicPartition> wake) {
        this.topics = topics;
        this.stateLog = stateLog;
        this.groupConfigs = groupConfigs;
        this.clock = clock;
        this.scheduler = scheduler;
        this.wake = wake;
    }

    /**
     * Restores every share-partition from the state log; {@code groupKnown} is told each group found, so the group
     * coordinator lists it. A record that was acquired with its last delivery when the broker stopped is archived.
     */
    public void load(Consumer<String> groupKnown) {
        for (Map.Entry<Key, SharePartition.Snapshot> e : stateLog.replay().entrySet()) {
            Key key = e.getKey();
            SharePartition sp = SharePartition.restore(e.getValue(), () -> settings(key.groupId()).limits());
            partitions.put(key, sp);
            groupKnown.accept(key.groupId());
            change(key, sp, p -> { });
        }
    }

    /** Writes the share-partition's state if it changed; call under its lock. */
    private CompletableFuture<Void> persistIfDirty(Key key, SharePartition sp) {
        return sp.takeDirty() ? stateLog.write(key, sp.snapshot(), clock.getAsLong()) : CompletableFuture.completedFuture(null);
    }

    /**
     * Runs {@code op} on the share-partition under its lock and then does what every change needs: writes the state if
     * it changed, wakes parked fetches if records came back, writes dead letters, and schedules the next lock expiry.
     *
     * @return the state write, complete once it is fsynced
     */
    private CompletableFuture<Void> change(Key key, SharePartition sp, Consumer<SharePartition> op) {
        List<SharePartition.DeadLetter> dead;
        boolean available;
        long deadline;
        CompletableFuture<Void> written;
        synchronized (sp) {
            op.accept(sp);
            dead = sp.drainDeadLetters();
            available = sp.takeMadeAvailable();
            written = persistIfDirty(key, sp);
            deadline = sp.nextDeadline();
        }
        if (available) {
            wake.accept(key.partition());
        }
        if (!dead.isEmpty()) {
            deadLetters(key.groupId(), key.partition(), dead);
        }
        scheduleExpiry(key, sp, deadline);
        return written;
    }

    /** Group {@code groupId}'s settings now. */
    public ShareSettings settings(String groupId) {
        return ShareSettings.of(groupConfigs == null ? Map.of() : groupConfigs.overrides(groupId));
    }

    /** The share-partition, or null if the group has never fetched it. */
    public SharePartition find(String groupId, TopicPartition tp) {
        return partitions.get(new Key(groupId, tp));
    }

    /** Every share-partition of {@code groupId}. */
    public Map<TopicPartition, SharePartition> ofGroup(String groupId) {
        Map<TopicPartition, SharePartition> out = new java.util.TreeMap<>(java.util.Comparator.comparing(TopicPartition::topic)
                .thenComparingInt(TopicPartition::partition));
        partitions.forEach((k, v) -> {
            if (k.groupId().equals(groupId)) {
                out.put(k.partition(), v);
            }
        });
        return out;
    }

    /** The share-partition, created at the offset {@code share.auto.offset.reset} names if it does not exist yet. */
    public SharePartition get(String groupId, Partition partition) {
        Key key = new Key(groupId, partition.topicPartition());
        SharePartition sp = partitions.get(key);
        if (sp != null) {
            return sp;
        }
        SharePartition created = new SharePartition(startOffset(groupId, partition), () -> settings(groupId).limits());
        synchronized (created) {
            SharePartition previous = partitions.putIfAbsent(key, created);
            if (previous != null) {
                return previous;
            }
            stateLog.write(key, created.snapshot(), clock.getAsLong());
        }
        return created;
    }

    private long startOffset(String groupId, Partition partition) {
        ShareSettings s = settings(groupId);
        if (s.autoOffsetReset().equals("earliest")) {
            return partition.logStartOffset();
        }
        if (s.autoOffsetReset().startsWith("by_duration:")) {
            long since = clock.getAsLong() - Duration.parse(s.autoOffsetReset().substring("by_duration:".length())).toMillis();
            return partition.offsetForTimestamp(since).map(t -> t.offset()).orElse(partition.highWatermark());
        }
        return partition.highWatermark();
    }

    /**
     * Acquires up to {@code maxRecords} records of {@code partition} for {@code member}, reading at most {@code
     * maxBytes} of the log.
     */
    public Fetched acquire(String groupId, String member, Partition partition, int maxRecords, int maxBytes, boolean recordLimit) {
        Key key = new Key(groupId, partition.topicPartition());
        SharePartition sp = get(groupId, partition);
        ShareSettings s = settings(groupId);
        long now = clock.getAsLong();
        long from;
        synchronized (sp) {
            sp.logStartMoved(partition.logStartOffset());
            persistIfDirty(key, sp);
            from = sp.nextFetchOffset(now);
            if (from == sp.endOffset() && sp.endOffset() - sp.startOffset() >= s.maxRecordLocks()) {
                return new Fetched(org.apache.kafka.common.record.internal.MemoryRecords.EMPTY, List.of()); // the window is full
            }
        }
        boolean committed = s.readCommitted();
        long readable = committed ? partition.lastStableOffset() : partition.highWatermark();
        if (from >= readable) {
            return new Fetched(org.apache.kafka.common.record.internal.MemoryRecords.EMPTY, List.of());
        }
        int budget = Math.max(1, Math.min(maxBytes, READ_BYTES));
        ReadResult read = committed ? partition.read(from, budget, readable) : partition.read(from, budget);
        List<SharePartition.Span> spans = new ArrayList<>();
        List<dev.brook.log.AbortedTransaction> aborted = committed ? partition.abortedTransactions(from, readable) : List.of();
        for (RecordBatch b : read.records().batches()) {
            boolean deliverable = !b.isControlBatch() && !(committed && b.isTransactional() && abortedBatch(aborted, b));
            spans.add(new SharePartition.Span(b.baseOffset(), b.lastOffset(), deliverable));
        }
        List<List<SharePartition.Acquired>> result = new ArrayList<>(1);
        change(key, sp, p -> result.add(p.acquire(member, spans, maxRecords, recordLimit, clock.getAsLong())));
        List<SharePartition.Acquired> acquired = result.get(0);
        if (acquired.isEmpty()) {
            return new Fetched(org.apache.kafka.common.record.internal.MemoryRecords.EMPTY, acquired);
        }
        return new Fetched(upTo(read.records(), acquired.get(acquired.size() - 1).last()), acquired);
    }

    /** The leading batches of {@code records} up to the one holding {@code lastOffset}: no more is sent than was acquired. */
    private static Records upTo(Records records, long lastOffset) {
        int bytes = 0;
        for (RecordBatch b : records.batches()) {
            bytes += b.sizeInBytes();
            if (b.lastOffset() >= lastOffset) {
                break;
            }
        }
        if (bytes >= records.sizeInBytes()) {
            return records;
        }
        if (records instanceof org.apache.kafka.common.record.internal.FileRecords file) {
            return file.slice(0, bytes);
        }
        if (records instanceof org.apache.kafka.common.record.internal.MemoryRecords memory) {
            java.nio.ByteBuffer head = memory.buffer().duplicate();
            head.limit(head.position() + bytes);
            return org.apache.kafka.common.record.internal.MemoryRecords.readableRecords(head.slice());
        }
        return records;
    }

    private static boolean abortedBatch(List<dev.brook.log.AbortedTransaction> aborted, RecordBatch b) {
        for (dev.brook.log.AbortedTransaction t : aborted) {
            if (t.covers(b.producerId(), b.baseOffset())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Applies {@code member}'s acknowledgements to one share-partition (all or none); the future completes once the
     * new state is fsynced.
     */
    public CompletableFuture<Void> acknowledge(String groupId, String member, TopicPartition tp, List<SharePartition.AckBatch> batches) {
        SharePartition sp = find(groupId, tp);
        if (sp == null) {
            throw new org.apache.kafka.common.errors.InvalidRecordStateException("No records of " + tp + " have been acquired by group "
                    + groupId + ".");
        }
        boolean renew = settings(groupId).renewEnabled();
        return change(new Key(groupId, tp), sp, p -> p.acknowledge(member, batches, renew, clock.getAsLong()));
    }

    /** Makes what {@code member} holds in {@code partitions} available again (its share session ended). */
    public void releaseAll(String groupId, String member, Iterable<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            SharePartition sp = find(groupId, tp);
            if (sp != null) {
                change(new Key(groupId, tp), sp, p -> p.releaseAll(member, clock.getAsLong()));
            }
        }
    }

    /** Sets the start offset of an empty group's share-partition (AlterShareGroupOffsets); completes once durable. */
    public CompletableFuture<Void> reset(String groupId, Partition partition, long offset) {
        Key key = new Key(groupId, partition.topicPartition());
        SharePartition sp = partitions.computeIfAbsent(key, k -> new SharePartition(offset, () -> settings(groupId).limits()));
        synchronized (sp) {
            sp.resetTo(offset);
            return persistIfDirty(key, sp);
        }
    }

    /** Forgets the share-partitions of {@code groupId} on {@code topic} (DeleteShareGroupOffsets); false if there were none. */
    public boolean delete(String groupId, String topic) {
        return forget(k -> k.groupId().equals(groupId) && k.partition().topic().equals(topic));
    }

    /** Forgets every share-partition of {@code groupId} (DeleteGroups). */
    public void deleteGroup(String groupId) {
        forget(k -> k.groupId().equals(groupId));
    }

    private boolean forget(java.util.function.Predicate<Key> which) {
        List<Key> gone = new ArrayList<>();
        for (Key k : partitions.keySet()) {
            if (which.test(k) && partitions.remove(k) != null) {
                gone.add(k);
            }
        }
        stateLog.delete(gone, clock.getAsLong());
        return !gone.isEmpty();
    }

    /** Makes sure an expiry check runs by {@code deadline}; one pending check per share-partition is enough. */
    private void scheduleExpiry(Key key, SharePartition sp, long deadline) {
        if (deadline == Long.MAX_VALUE) {
            return;
        }
        boolean[] schedule = {false};
        expiryAt.compute(key, (k, at) -> {
            if (at != null && at <= deadline) {
                return at;
            }
            schedule[0] = true;
            return deadline;
        });
        if (schedule[0]) {
            scheduler.schedule(() -> expire(key, sp, deadline), Math.max(0, deadline - clock.getAsLong()) + 1, TimeUnit.MILLISECONDS);
        }
    }

    private void expire(Key key, SharePartition sp, long scheduledFor) {
        expiryAt.remove(key, scheduledFor);
        if (partitions.get(key) == sp) {
            change(key, sp, p -> p.expire(clock.getAsLong()));
        }
    }

    /**
     * Writes archived records to the group's dead-letter topic (KIP-1191), when it names one: one record per offset, to
     * partition {@code source partition % partitions}, with {@code __dlq.errors.*} headers saying where it came from and
     * why, and the original key and value if {@code errors.deadletterqueue.copy.record.enable}. As in Kafka, the topic
     * must start with {@value #DLQ_PREFIX} and have {@code errors.deadletterqueue.group.enable=true} (it is not created
     * on demand), and a record is archived whether or not its dead letter could be written; a failure is logged.
     */
    void deadLetters(String groupId, TopicPartition tp, List<SharePartition.DeadLetter> dead) {
        ShareSettings s = settings(groupId);
        String name = s.deadLetterTopic();
        if (name.isEmpty()) {
            return;
        }
        Topic dlq = topics.topic(name);
        String problem = name.startsWith("__") ? "names an internal topic"
                : !name.startsWith(DLQ_PREFIX) ? "does not start with " + DLQ_PREFIX
                : dlq == null ? "does not exist"
                : !"true".equals(dlq.overrides().get("errors.deadletterqueue.group.enable"))
                        ? "does not have errors.deadletterqueue.group.enable=true" : null;
        if (problem != null) {
            DLQ_FAILURES.log(groupId + " " + name, "Share group {}: dead-letter topic {} {}; {} archived records of {} not written there",
                    groupId, name, problem, dead.size(), tp);
            return;
        }
        Topic source = topics.topic(tp.topic());
        Partition from = source == null ? null : source.partition(tp.partition());
        long now = clock.getAsLong();
        List<org.apache.kafka.common.record.internal.SimpleRecord> records = new ArrayList<>();
        for (SharePartition.DeadLetter d : dead) {
            byte[][] kv = s.copyRecord() && from != null ? original(from, d.offset()) : new byte[2][];
            org.apache.kafka.common.header.Header[] headers = {
                    header("__dlq.errors.topic", tp.topic()),
                    header("__dlq.errors.partition", String.valueOf(tp.partition())),
                    header("__dlq.errors.offset", String.valueOf(d.offset())),
                    header("__dlq.errors.group", groupId),
                    header("__dlq.errors.delivery.count", String.valueOf(d.deliveryCount())),
                    header("__dlq.errors.message", d.cause())};
            records.add(new org.apache.kafka.common.record.internal.SimpleRecord(now, kv[0], kv[1], headers));
        }
        try {
            dlq.partition(tp.partition() % dlq.partitions().size()).append(org.apache.kafka.common.record.internal.MemoryRecords.withRecords(
                    org.apache.kafka.common.compress.Compression.NONE, records.toArray(org.apache.kafka.common.record.internal.SimpleRecord[]::new)));
        } catch (RuntimeException e) {
            DLQ_FAILURES.log(groupId + " " + name, "Share group {}: could not write {} dead letters of {} to {}: {}", groupId, dead.size(), tp,
                    name, e.toString());
        }
    }

    /** The key and value of the record at {@code offset}, or nulls if it is gone. */
    private static byte[][] original(Partition partition, long offset) {
        try {
            for (RecordBatch b : partition.read(offset, 1).records().batches()) {
                for (org.apache.kafka.common.record.internal.Record r : b) {
                    if (r.offset() == offset) {
                        return new byte[][] {bytes(r.key()), bytes(r.value())};
                    }
                }
            }
        } catch (RuntimeException gone) {
            // deleted by retention meanwhile: the dead letter carries the headers only
        }
        return new byte[2][];
    }

    private static byte[] bytes(java.nio.ByteBuffer b) {
        if (b == null) {
            return null;
        }
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private static org.apache.kafka.common.header.Header header(String key, String value) {
        return new org.apache.kafka.common.header.internals.RecordHeader(key, value.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The topic registry, for handlers resolving partitions. */
    public TopicRegistry topics() {
        return topics;
    }

    Topic topic(String name) {
        return topics.topic(name);
    }
}
