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
 * <p>Not durable yet: the state lives in memory and a restart starts every share-partition afresh from
 * {@code share.auto.offset.reset}. Share groups are therefore off unless {@code brook.share.enable=true}.
 */
public final class SharePartitions {

    /** A share-partition's identity: the group and the topic partition. */
    public record Key(String groupId, TopicPartition partition) {
    }

    /** A fetch's result for one partition: the log batches read and the ranges acquired from them. */
    public record Fetched(Records records, List<SharePartition.Acquired> acquired) {
    }

    private final TopicRegistry topics;
    private final GroupConfigs groupConfigs;
    private final LongSupplier clock;
    private final ScheduledExecutorService scheduler;
    private final Consumer<TopicPartition> wake;
    private final ConcurrentHashMap<Key, SharePartition> partitions = new ConcurrentHashMap<>();
    /** For each share-partition with locks, the deadline its next expiry check is scheduled for. */
    private final ConcurrentHashMap<Key, Long> expiryAt = new ConcurrentHashMap<>();

    public SharePartitions(TopicRegistry topics, GroupConfigs groupConfigs, LongSupplier clock, ScheduledExecutorService scheduler,
                           Consumer<TopicPartition> wake) {
        this.topics = topics;
        this.groupConfigs = groupConfigs;
        this.clock = clock;
        this.scheduler = scheduler;
        this.wake = wake;
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
        return partitions.computeIfAbsent(new Key(groupId, partition.topicPartition()),
                k -> new SharePartition(startOffset(groupId, partition), () -> settings(groupId).limits()));
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
        SharePartition sp = get(groupId, partition);
        ShareSettings s = settings(groupId);
        long now = clock.getAsLong();
        long from;
        synchronized (sp) {
            sp.logStartMoved(partition.logStartOffset());
            if (!sp.canAcquire(now)) {
                return new Fetched(org.apache.kafka.common.record.internal.MemoryRecords.EMPTY, List.of());
            }
            from = sp.nextFetchOffset(now);
        }
        boolean committed = s.readCommitted();
        long readable = committed ? partition.lastStableOffset() : partition.highWatermark();
        if (from >= readable) {
            return new Fetched(org.apache.kafka.common.record.internal.MemoryRecords.EMPTY, List.of());
        }
        ReadResult read = committed ? partition.read(from, Math.max(1, maxBytes), readable) : partition.read(from, Math.max(1, maxBytes));
        List<SharePartition.Span> spans = new ArrayList<>();
        List<dev.brook.log.AbortedTransaction> aborted = committed ? partition.abortedTransactions(from, readable) : List.of();
        for (RecordBatch b : read.records().batches()) {
            boolean deliverable = !b.isControlBatch() && !(committed && b.isTransactional() && abortedBatch(aborted, b));
            spans.add(new SharePartition.Span(b.baseOffset(), b.lastOffset(), deliverable));
        }
        List<SharePartition.Acquired> acquired;
        List<SharePartition.DeadLetter> dead;
        boolean available;
        synchronized (sp) {
            acquired = sp.acquire(member, spans, maxRecords, recordLimit, clock.getAsLong());
            dead = sp.drainDeadLetters();
            available = sp.takeMadeAvailable();
            sp.takeDirty();
        }
        after(groupId, partition.topicPartition(), sp, dead, available);
        return new Fetched(acquired.isEmpty() ? org.apache.kafka.common.record.internal.MemoryRecords.EMPTY : read.records(), acquired);
    }

    private static boolean abortedBatch(List<dev.brook.log.AbortedTransaction> aborted, RecordBatch b) {
        for (dev.brook.log.AbortedTransaction t : aborted) {
            if (t.covers(b.producerId(), b.baseOffset())) {
                return true;
            }
        }
        return false;
    }

    /** Applies {@code member}'s acknowledgements to one share-partition (all or none). */
    public void acknowledge(String groupId, String member, TopicPartition tp, List<SharePartition.AckBatch> batches) {
        SharePartition sp = find(groupId, tp);
        if (sp == null) {
            throw new org.apache.kafka.common.errors.InvalidRecordStateException("No records of " + tp + " have been acquired by group "
                    + groupId + ".");
        }
        List<SharePartition.DeadLetter> dead;
        boolean available;
        synchronized (sp) {
            sp.acknowledge(member, batches, settings(groupId).renewEnabled(), clock.getAsLong());
            dead = sp.drainDeadLetters();
            available = sp.takeMadeAvailable();
            sp.takeDirty();
        }
        after(groupId, tp, sp, dead, available);
    }

    /** Makes what {@code member} holds in {@code partitions} available again (its share session ended). */
    public void releaseAll(String groupId, String member, Iterable<TopicPartition> partitions) {
        for (TopicPartition tp : partitions) {
            SharePartition sp = find(groupId, tp);
            if (sp == null) {
                continue;
            }
            List<SharePartition.DeadLetter> dead;
            boolean available;
            synchronized (sp) {
                sp.releaseAll(member, clock.getAsLong());
                dead = sp.drainDeadLetters();
                available = sp.takeMadeAvailable();
                sp.takeDirty();
            }
            after(groupId, tp, sp, dead, available);
        }
    }

    /** Sets the start offset of an empty group's share-partition (AlterShareGroupOffsets). */
    public void reset(String groupId, Partition partition, long offset) {
        SharePartition sp = partitions.computeIfAbsent(new Key(groupId, partition.topicPartition()),
                k -> new SharePartition(offset, () -> settings(groupId).limits()));
        synchronized (sp) {
            sp.resetTo(offset);
            sp.takeDirty();
        }
    }

    /** Forgets the share-partitions of {@code groupId} on {@code topic} (DeleteShareGroupOffsets); false if there were none. */
    public boolean delete(String groupId, String topic) {
        return partitions.keySet().removeIf(k -> k.groupId().equals(groupId) && k.partition().topic().equals(topic));
    }

    /** Forgets every share-partition of {@code groupId} (DeleteGroups). */
    public void deleteGroup(String groupId) {
        partitions.keySet().removeIf(k -> k.groupId().equals(groupId));
    }

    /** Wakes fetches if records came back, and schedules a look at the earliest lock deadline. */
    private void after(String groupId, TopicPartition tp, SharePartition sp, List<SharePartition.DeadLetter> dead, boolean available) {
        if (available) {
            wake.accept(tp);
        }
        if (!dead.isEmpty()) {
            deadLetters(groupId, tp, dead);
        }
        long deadline;
        synchronized (sp) {
            deadline = sp.nextDeadline();
        }
        scheduleExpiry(groupId, tp, sp, deadline);
    }

    /** Makes sure an expiry check runs by {@code deadline}; one pending check per share-partition is enough. */
    private void scheduleExpiry(String groupId, TopicPartition tp, SharePartition sp, long deadline) {
        if (deadline == Long.MAX_VALUE) {
            return;
        }
        Key key = new Key(groupId, tp);
        boolean[] schedule = {false};
        expiryAt.compute(key, (k, at) -> {
            if (at != null && at <= deadline) {
                return at;
            }
            schedule[0] = true;
            return deadline;
        });
        if (schedule[0]) {
            scheduler.schedule(() -> expire(groupId, tp, sp, deadline), Math.max(0, deadline - clock.getAsLong()) + 1, TimeUnit.MILLISECONDS);
        }
    }

    private void expire(String groupId, TopicPartition tp, SharePartition sp, long scheduledFor) {
        Key key = new Key(groupId, tp);
        expiryAt.remove(key, scheduledFor);
        if (partitions.get(key) != sp) {
            return;
        }
        List<SharePartition.DeadLetter> dead;
        boolean available;
        long deadline;
        synchronized (sp) {
            sp.expire(clock.getAsLong());
            dead = sp.drainDeadLetters();
            available = sp.takeMadeAvailable();
            sp.takeDirty();
            deadline = sp.nextDeadline();
        }
        if (available) {
            wake.accept(tp);
        }
        if (!dead.isEmpty()) {
            deadLetters(groupId, tp, dead);
        }
        scheduleExpiry(groupId, tp, sp, deadline);
    }

    /** Writes archived records to the group's dead-letter topic, when it has one. Not built yet: archived records are dropped. */
    private void deadLetters(String groupId, TopicPartition tp, List<SharePartition.DeadLetter> dead) {
        // the dead-letter topic (KIP-1191) is the next step
    }

    /** The topic registry, for handlers resolving partitions. */
    public TopicRegistry topics() {
        return topics;
    }

    Topic topic(String name) {
        return topics.topic(name);
    }
}
