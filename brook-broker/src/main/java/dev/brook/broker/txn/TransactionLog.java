package dev.brook.broker.txn;

import dev.brook.broker.cluster.Partition;
import dev.brook.log.Flusher;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * Transaction state, made durable in the compacted internal topic {@code __transaction_state} (one partition) and
 * replayed at startup: every change of a transactional id's metadata is one record, the last per id wins.
 *
 * <p>Record format (Brook's own; integers big-endian, strings an int16 byte length then UTF-8):
 * <pre>
 * key    int16 version = 0 | string transactional id
 * value  int16 version = 0 | int64 producer id | int64 previous producer id | int16 epoch | int16 last epoch |
 *        int32 timeout ms | int8 state ({@link TransactionState} id) | int64 start ms | int64 last update ms |
 *        int8 client transaction version | int32 partitions, then each: string topic | int32 partition
 * value  null (a tombstone): the id expired
 * </pre>
 * Called only on the coordinator thread.
 */
final class TransactionLog {
    static final String TOPIC = "__transaction_state";
    private static final short VERSION = 0;

    private final Partition partition;
    private final Flusher flusher;

    TransactionLog(Partition partition, Flusher flusher) {
        this.partition = partition;
        this.flusher = flusher;
    }

    /** Receives replayed records. */
    interface Visitor {
        void metadata(TransactionMetadata m);

        void expired(String transactionalId);
    }

    /** Reads the whole log, oldest first. */
    void replay(Visitor visitor) {
        partition.forEachRecord(r -> {
            if (r.hasKey()) {
                apply(r, visitor);
            }
        });
    }

    private static void apply(Record r, Visitor visitor) {
        ByteBuffer key = r.key();
        if (key.getShort() != VERSION) {
            return;
        }
        String id = readString(key);
        if (!r.hasValue()) {
            visitor.expired(id);
            return;
        }
        ByteBuffer v = r.value();
        if (v.getShort() != VERSION) {
            return;
        }
        long producerId = v.getLong();
        long previous = v.getLong();
        short epoch = v.getShort();
        short lastEpoch = v.getShort();
        int timeout = v.getInt();
        TransactionState state = TransactionState.byId(v.get());
        long start = v.getLong();
        long update = v.getLong();
        TransactionMetadata m = new TransactionMetadata(id, producerId, epoch, timeout, update);
        m.previousProducerId = previous;
        m.lastEpoch = lastEpoch;
        m.state = state;
        m.startMs = start;
        m.clientVersion = v.get();
        int n = v.getInt();
        for (int i = 0; i < n; i++) {
            m.partitions.add(new TopicPartition(readString(v), v.getInt()));
        }
        visitor.metadata(m);
    }

    /** Appends the id's current metadata; completes once fsynced. */
    CompletableFuture<Void> write(TransactionMetadata m) {
        byte[] id = m.transactionalId.getBytes(StandardCharsets.UTF_8);
        int size = 2 + 8 + 8 + 2 + 2 + 4 + 1 + 8 + 8 + 1 + 4;
        for (TopicPartition tp : m.partitions) {
            size += 2 + tp.topic().getBytes(StandardCharsets.UTF_8).length + 4;
        }
        ByteBuffer v = ByteBuffer.allocate(size);
        v.putShort(VERSION).putLong(m.producerId).putLong(m.previousProducerId).putShort(m.epoch).putShort(m.lastEpoch)
                .putInt(m.timeoutMs).put(m.state.id).putLong(m.startMs).putLong(m.lastUpdateMs).put(m.clientVersion)
                .putInt(m.partitions.size());
        for (TopicPartition tp : m.partitions) {
            byte[] t = tp.topic().getBytes(StandardCharsets.UTF_8);
            v.putShort((short) t.length).put(t).putInt(tp.partition());
        }
        return append(new SimpleRecord(m.lastUpdateMs, key(id), v.array()));
    }

    /** Appends the tombstone of an expired id; completes once fsynced. */
    CompletableFuture<Void> expire(String transactionalId, long now) {
        return append(new SimpleRecord(now, key(transactionalId.getBytes(StandardCharsets.UTF_8)), null));
    }

    private CompletableFuture<Void> append(SimpleRecord record) {
        try {
            long last = partition.append(MemoryRecords.withRecords(Compression.NONE, record)).lastOffset();
            return flusher.flushUpTo(partition.storage(), last + 1);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static byte[] key(byte[] id) {
        return ByteBuffer.allocate(2 + 2 + id.length).putShort(VERSION).putShort((short) id.length).put(id).array();
    }

    private static String readString(ByteBuffer b) {
        short len = b.getShort();
        byte[] bytes = new byte[len];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
