package dev.brook.broker.share;

import dev.brook.broker.cluster.Partition;
import dev.brook.log.Flusher;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * The share-partitions' state, made durable in the internal topic {@value #TOPIC} (one partition, compacted) and read
 * back at start: Brook's counterpart of Kafka's share coordinator, in process. Each record is a whole snapshot of one
 * share-partition ({@link SharePartition#snapshot()}), written whenever its state changes, so the last record of a
 * key is the state; the cleaner keeps only that one.
 *
 * <p>Record format (Brook's own; integers big-endian, strings an int16 byte length then UTF-8):
 * <pre>
 * key    int16 type = 0 | string group | string topic | int32 partition
 * value  int16 version = 0 | int64 start offset | int64 end offset | int32 run count
 *        | run count × (int64 first offset | int32 length - 1 | int8 state id | int16 delivery count)
 *        (the runs cover start..end-1 in order; an acquired record is stored as available, with its count)
 * value  null (a tombstone): the share-partition was deleted (DeleteGroups, DeleteShareGroupOffsets)
 * </pre>
 *
 * <p>Thread-safe as the partition's append is; callers append a share-partition's snapshots under its lock, so the
 * log's order is the state's order.
 */
public final class ShareStateLog {
    /** The internal topic's name (Kafka's share coordinator uses the same). */
    public static final String TOPIC = "__share_group_state";
    private static final short STATE_KEY = 0;
    private static final short VALUE_V0 = 0;

    private final java.util.function.Supplier<Partition> create;
    private final Flusher flusher;
    private volatile Partition partition;

    /**
     * A state log on {@code existing}, or, when that is null, on the partition {@code create} makes at the first write
     * (as Kafka, Brook creates the topic only once a share group is used).
     */
    public ShareStateLog(Partition existing, java.util.function.Supplier<Partition> create, Flusher flusher) {
        this.partition = existing;
        this.create = create;
        this.flusher = flusher;
    }

    /** Reads the whole log: the last snapshot of each share-partition that has not been deleted. */
    public Map<SharePartitions.Key, SharePartition.Snapshot> replay() {
        Map<SharePartitions.Key, SharePartition.Snapshot> out = new LinkedHashMap<>();
        if (partition != null) {
            partition.forEachRecord(r -> apply(r, out));
        }
        return out;
    }

    private Partition partition() {
        Partition p = partition;
        if (p == null) {
            synchronized (this) {
                if (partition == null) {
                    partition = create.get();
                }
                p = partition;
            }
        }
        return p;
    }

    private static void apply(Record r, Map<SharePartitions.Key, SharePartition.Snapshot> out) {
        if (!r.hasKey()) {
            return;
        }
        ByteBuffer key = r.key();
        if (key.getShort() != STATE_KEY) {
            return;
        }
        String group = readString(key);
        String topic = readString(key);
        SharePartitions.Key k = new SharePartitions.Key(group, new TopicPartition(topic, key.getInt()));
        if (!r.hasValue()) {
            out.remove(k);
            return;
        }
        ByteBuffer v = r.value();
        if (v.getShort() != VALUE_V0) {
            return;
        }
        long start = v.getLong();
        long end = v.getLong();
        int n = v.getInt();
        List<SharePartition.Run> runs = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long first = v.getLong();
            long last = first + v.getInt();
            runs.add(new SharePartition.Run(first, last, RecordState.of(v.get()), v.getShort()));
        }
        out.put(k, new SharePartition.Snapshot(start, end, runs));
    }

    /** Appends one share-partition's state; the future completes once it is fsynced. */
    public CompletableFuture<Void> write(SharePartitions.Key key, SharePartition.Snapshot snapshot, long nowMs) {
        ByteBuffer v = ByteBuffer.allocate(2 + 8 + 8 + 4 + snapshot.runs().size() * 15);
        v.putShort(VALUE_V0).putLong(snapshot.startOffset()).putLong(snapshot.endOffset()).putInt(snapshot.runs().size());
        for (SharePartition.Run run : snapshot.runs()) {
            v.putLong(run.first()).putInt((int) (run.last() - run.first())).put(run.state().id).putShort((short) run.deliveryCount());
        }
        return append(List.of(new SimpleRecord(nowMs, key(key), v.array())));
    }

    /** Appends tombstones for deleted share-partitions; completes once fsynced. */
    public CompletableFuture<Void> delete(Iterable<SharePartitions.Key> keys, long nowMs) {
        List<SimpleRecord> records = new ArrayList<>();
        keys.forEach(k -> records.add(new SimpleRecord(nowMs, key(k), null)));
        return records.isEmpty() ? CompletableFuture.completedFuture(null) : append(records);
    }

    private CompletableFuture<Void> append(List<SimpleRecord> records) {
        try {
            Partition p = partition();
            long last = p.append(MemoryRecords.withRecords(Compression.NONE, records.toArray(SimpleRecord[]::new))).lastOffset();
            return flusher.flushUpTo(p.storage(), last + 1);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static byte[] key(SharePartitions.Key k) {
        byte[] g = k.groupId().getBytes(StandardCharsets.UTF_8);
        byte[] t = k.partition().topic().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(2 + 2 + g.length + 2 + t.length + 4);
        b.putShort(STATE_KEY).putShort((short) g.length).put(g).putShort((short) t.length).put(t).putInt(k.partition().partition());
        return b.array();
    }

    private static String readString(ByteBuffer b) {
        short len = b.getShort();
        byte[] bytes = new byte[len];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
