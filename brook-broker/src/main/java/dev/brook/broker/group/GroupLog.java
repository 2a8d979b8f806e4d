package dev.brook.broker.group;

import dev.brook.broker.cluster.Partition;
import dev.brook.log.Flusher;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * Committed offsets, made durable in the internal topic {@code __consumer_offsets} (one partition), and read
 * back at startup.
 *
 * <p>Record format (Brook's own; every integer big-endian, every string an int16 byte length then UTF-8, -1
 * for null):
 * <pre>
 * key   (offset commit)  int16 type = 0 | string group | string topic | int32 partition
 * value (version 0)      int16 version = 0 | int64 offset | int32 leader epoch | string metadata | int64 commit time ms
 * value (deletion)       null (a tombstone): the offset was deleted or expired
 * key   (in a transaction) int16 type = 1 | int64 producer id | string group | string topic | int32 partition
 * value                  as an offset commit's; null once the transaction is decided
 * </pre>
 * Replay applies records in log order; the last one per key wins. An offset committed inside a transaction
 * (TxnOffsetCommit) is a type-1 record until the transaction coordinator decides the transaction: then one batch holds
 * the type-0 records of the offsets (on commit) and the type-1 tombstones, so a commit lands whole or not at all.
 *
 * <p>The topic is {@code cleanup.policy=compact}: the log cleaner keeps the last record of each key and drops
 * tombstones after {@code delete.retention.ms}, so replay reads about the live offsets plus the active segment, as for
 * Kafka's {@code __consumer_offsets} (with {@code log.cleaner.enable=false} it grows as Kafka's does). Called only on
 * the coordinator thread.
 */
final class GroupLog {
    private static final short OFFSET_KEY = 0;
    private static final short PENDING_KEY = 1;
    private static final short VALUE_V0 = 0;

    private final Partition partition;
    private final Flusher flusher;

    GroupLog(Partition partition, Flusher flusher) {
        this.partition = partition;
        this.flusher = flusher;
    }

    /** Receives replayed records. */
    interface Visitor {
        void offset(String group, TopicPartition tp, CommittedOffset offset);

        void offsetDeleted(String group, TopicPartition tp);

        /** An offset committed in producer {@code producerId}'s open transaction. */
        void pendingOffset(long producerId, String group, TopicPartition tp, CommittedOffset offset);

        /** A transactional offset whose transaction was decided. */
        void pendingResolved(long producerId, String group, TopicPartition tp);
    }

    /** Reads the whole log, oldest first. */
    void replay(Visitor visitor) {
        partition.forEachRecord(r -> apply(r, visitor));
    }

    private static void apply(Record r, Visitor visitor) {
        if (!r.hasKey()) {
            return;
        }
        ByteBuffer key = r.key();
        short type = key.getShort();
        if (type != OFFSET_KEY && type != PENDING_KEY) {
            return;
        }
        long producerId = type == PENDING_KEY ? key.getLong() : -1;
        String group = readString(key);
        String topic = readString(key);
        int part = key.getInt();
        TopicPartition tp = new TopicPartition(topic, part);
        if (!r.hasValue()) {
            if (type == PENDING_KEY) {
                visitor.pendingResolved(producerId, group, tp);
            } else {
                visitor.offsetDeleted(group, tp);
            }
            return;
        }
        ByteBuffer value = r.value();
        if (value.getShort() != VALUE_V0) {
            return;
        }
        long offset = value.getLong();
        int epoch = value.getInt();
        String metadata = readString(value);
        long ts = value.getLong();
        CommittedOffset o = new CommittedOffset(offset, epoch, metadata, ts);
        if (type == PENDING_KEY) {
            visitor.pendingOffset(producerId, group, tp, o);
        } else {
            visitor.offset(group, tp, o);
        }
    }

    /** Appends commits of one group; completes once they are fsynced. */
    CompletableFuture<Void> appendOffsets(String group, Map<TopicPartition, CommittedOffset> offsets, long nowMs) {
        List<SimpleRecord> records = new ArrayList<>(offsets.size());
        offsets.forEach((tp, o) -> records.add(new SimpleRecord(nowMs, key(group, tp), value(o))));
        return append(records);
    }

    /** Appends offsets committed in producer {@code producerId}'s open transaction; completes once fsynced. */
    CompletableFuture<Void> appendPending(long producerId, String group, Map<TopicPartition, CommittedOffset> offsets, long nowMs) {
        List<SimpleRecord> records = new ArrayList<>(offsets.size());
        offsets.forEach((tp, o) -> records.add(new SimpleRecord(nowMs, pendingKey(producerId, group, tp), value(o))));
        return append(records);
    }

    /**
     * Decides producer {@code producerId}'s transactional offsets, per group: on commit they become committed offsets;
     * either way their pending records are tombstoned. One batch; completes once fsynced.
     */
    CompletableFuture<Void> resolvePending(long producerId, Map<String, Map<TopicPartition, CommittedOffset>> pending,
                                           boolean commit, long nowMs) {
        List<SimpleRecord> records = new ArrayList<>();
        pending.forEach((group, offsets) -> offsets.forEach((tp, o) -> {
            if (commit) {
                records.add(new SimpleRecord(nowMs, key(group, tp), value(o)));
            }
            records.add(new SimpleRecord(nowMs, pendingKey(producerId, group, tp), null));
        }));
        return records.isEmpty() ? CompletableFuture.completedFuture(null) : append(records);
    }

    /** Appends deletions (tombstones); completes once fsynced. */
    CompletableFuture<Void> deleteOffsets(String group, Iterable<TopicPartition> partitions, long nowMs) {
        List<SimpleRecord> records = new ArrayList<>();
        partitions.forEach(tp -> records.add(new SimpleRecord(nowMs, key(group, tp), null)));
        return records.isEmpty() ? CompletableFuture.completedFuture(null) : append(records);
    }

    private CompletableFuture<Void> append(List<SimpleRecord> records) {
        try {
            long last = partition.append(MemoryRecords.withRecords(Compression.NONE, records.toArray(SimpleRecord[]::new))).lastOffset();
            return flusher.flushUpTo(partition.storage(), last + 1);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static byte[] key(String group, TopicPartition tp) {
        byte[] g = group.getBytes(StandardCharsets.UTF_8);
        byte[] t = tp.topic().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(2 + 2 + g.length + 2 + t.length + 4);
        b.putShort(OFFSET_KEY).putShort((short) g.length).put(g).putShort((short) t.length).put(t).putInt(tp.partition());
        return b.array();
    }

    private static byte[] pendingKey(long producerId, String group, TopicPartition tp) {
        byte[] g = group.getBytes(StandardCharsets.UTF_8);
        byte[] t = tp.topic().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(2 + 8 + 2 + g.length + 2 + t.length + 4);
        b.putShort(PENDING_KEY).putLong(producerId).putShort((short) g.length).put(g).putShort((short) t.length).put(t)
                .putInt(tp.partition());
        return b.array();
    }

    private static byte[] value(CommittedOffset o) {
        byte[] m = o.metadata() == null ? null : o.metadata().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(2 + 8 + 4 + 2 + (m == null ? 0 : m.length) + 8);
        b.putShort(VALUE_V0).putLong(o.offset()).putInt(o.leaderEpoch());
        if (m == null) {
            b.putShort((short) -1);
        } else {
            b.putShort((short) m.length).put(m);
        }
        b.putLong(o.commitTimestamp());
        return b.array();
    }

    private static String readString(ByteBuffer b) {
        short len = b.getShort();
        if (len < 0) {
            return null;
        }
        byte[] bytes = new byte[len];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
