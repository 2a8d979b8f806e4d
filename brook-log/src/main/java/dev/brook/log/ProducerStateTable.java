package dev.brook.log;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * What an idempotent producer last wrote to one partition: its epoch and its last five batches' sequence
 * ranges with the offsets they got. It answers "is this batch a retry of one already written, the next one in
 * sequence, or out of order?", as Kafka brokers do. For a transactional producer it also holds the first offset of
 * its open transaction in this partition, from its first transactional batch to the commit or abort marker the
 * transaction coordinator writes ({@link #complete}); the smallest such offset is the log's first unstable offset.
 *
 * <p>A producer is forgotten once its last batch is {@code producer.id.expiration.ms} old ({@link #expire}), so memory
 * follows the producers writing now, not every producer that ever wrote. A log saves the table in its clean-shutdown
 * snapshot ({@link LogSnapshot}) and otherwise rebuilds it at open by scanning its batch headers. Guarded by the owning
 * log's lock.
 */
final class ProducerStateTable {
    static final int BATCHES_KEPT = 5;

    /** A written batch of one producer. */
    record Written(short epoch, int firstSeq, int lastSeq, long firstOffset, long lastOffset) {
    }

    /** The verdict on an incoming batch. */
    sealed interface Check permits Fresh, Duplicate {
    }

    record Fresh() implements Check {
    }

    record Duplicate(long firstOffset, long lastOffset) implements Check {
    }

    private static final Fresh FRESH = new Fresh();
    /**
     * A producer's recent batches, oldest first, the largest timestamp of its last batch, its current epoch (raised by
     * its batches and by markers), the first offset of its open transaction (-1: none) and the coordinator epoch of
     * its last marker.
     */
    private static final class Producer {
        final ArrayDeque<Written> history = new ArrayDeque<>(BATCHES_KEPT);
        long lastTimestamp;
        short epoch = -1;
        long txnFirstOffset = -1;
        int coordinatorEpoch = -1;
    }

    private final Map<Long, Producer> producers = new HashMap<>();
    /** Open transactions: first offset to producer id. Its first key is the first unstable offset. */
    private final java.util.TreeMap<Long, Long> open = new java.util.TreeMap<>();

    /**
     * @throws LogException OUT_OF_ORDER_SEQUENCE_NUMBER or INVALID_PRODUCER_EPOCH
     */
    Check check(RecordBatch batch) {
        Producer producer = producers.get(batch.producerId());
        short epoch = batch.producerEpoch();
        if (producer != null && epoch < producer.epoch) {
            throw new LogException(Errors.INVALID_PRODUCER_EPOCH, "Producer " + batch.producerId() + " epoch " + epoch
                    + " is older than the current epoch " + producer.epoch);
        }
        if (producer == null || producer.history.isEmpty()) {
            return FRESH;
        }
        ArrayDeque<Written> history = producer.history;
        Written last = history.peekLast();
        if (epoch < last.epoch()) {
            throw new LogException(Errors.INVALID_PRODUCER_EPOCH, "Producer " + batch.producerId() + " epoch " + epoch
                    + " is older than the current epoch " + last.epoch());
        }
        if (epoch > last.epoch()) {
            if (batch.baseSequence() != 0) {
                throw new LogException(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, "Producer " + batch.producerId() + " started epoch "
                        + epoch + " at sequence " + batch.baseSequence() + ", expected 0");
            }
            return FRESH;
        }
        for (Written w : history) {
            if (w.epoch() == epoch && w.firstSeq() == batch.baseSequence() && w.lastSeq() == batch.lastSequence()) {
                return new Duplicate(w.firstOffset(), w.lastOffset());
            }
        }
        int expected = last.lastSeq() == Integer.MAX_VALUE ? 0 : last.lastSeq() + 1;
        if (batch.baseSequence() != expected) {
            throw new LogException(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER, "Producer " + batch.producerId() + " sent sequence "
                    + batch.baseSequence() + ", expected " + expected);
        }
        return FRESH;
    }

    /** Remembers a batch written at {@code firstOffset..lastOffset} whose largest timestamp is {@code timestamp}. */
    void record(long producerId, short epoch, int firstSeq, int lastSeq, long firstOffset, long lastOffset, long timestamp) {
        record(producerId, epoch, firstSeq, lastSeq, firstOffset, lastOffset, timestamp, false);
    }

    /** As {@link #record(long, short, int, int, long, long, long)}; a transactional batch opens the producer's transaction here if none is open. */
    void record(long producerId, short epoch, int firstSeq, int lastSeq, long firstOffset, long lastOffset, long timestamp,
                boolean transactional) {
        Producer producer = producers.computeIfAbsent(producerId, id -> new Producer());
        producer.epoch = (short) Math.max(producer.epoch, epoch);
        if (transactional && producer.txnFirstOffset < 0) {
            producer.txnFirstOffset = firstOffset;
            open.put(firstOffset, producerId);
        }
        ArrayDeque<Written> history = producer.history;
        if (!history.isEmpty() && history.peekLast().epoch() != epoch) {
            history.clear();
        }
        history.addLast(new Written(epoch, firstSeq, lastSeq, firstOffset, lastOffset));
        while (history.size() > BATCHES_KEPT) {
            history.pollFirst();
        }
        producer.lastTimestamp = Math.max(producer.lastTimestamp, timestamp);
    }

    /** Whether a batch of this producer would open a transaction here (it has none open). */
    boolean opensTransaction(long producerId) {
        Producer p = producers.get(producerId);
        return p == null || p.txnFirstOffset < 0;
    }

    /**
     * @throws LogException INVALID_PRODUCER_EPOCH when a marker's epoch is older than the producer's
     */
    void checkMarker(long producerId, short epoch) {
        Producer p = producers.get(producerId);
        if (p != null && epoch < p.epoch) {
            throw new LogException(Errors.INVALID_PRODUCER_EPOCH, "Marker for producer " + producerId + " at epoch " + epoch
                    + " is older than its current epoch " + p.epoch);
        }
    }

    /**
     * Applies a commit or abort marker written at {@code markerOffset}: closes the producer's open transaction and
     * returns its first offset, or -1 if none was open (a marker repeated after a restart).
     */
    long complete(long producerId, short epoch, int coordinatorEpoch, long markerOffset, long timestamp) {
        Producer p = producers.computeIfAbsent(producerId, id -> new Producer());
        p.epoch = (short) Math.max(p.epoch, epoch);
        p.coordinatorEpoch = coordinatorEpoch;
        p.lastTimestamp = Math.max(p.lastTimestamp, timestamp);
        long first = p.txnFirstOffset;
        if (first >= 0) {
            open.remove(first);
            p.txnFirstOffset = -1;
        }
        return first;
    }

    /** The first offset of the oldest open transaction, or -1 if none is open. */
    long firstUnstableOffset() {
        return open.isEmpty() ? -1 : open.firstKey();
    }

    /** Every producer, for DescribeProducers. */
    java.util.List<ProducerState> states() {
        java.util.List<ProducerState> out = new java.util.ArrayList<>(producers.size());
        producers.forEach((id, p) -> out.add(new ProducerState(id, p.epoch, p.history.isEmpty() ? -1 : p.history.peekLast().lastSeq(),
                p.lastTimestamp, p.coordinatorEpoch, p.txnFirstOffset)));
        return out;
    }

    /**
     * Forgets the producers whose last batch's timestamp is more than {@code expirationMs} before {@code now}
     * ({@code producer.id.expiration.ms}, as Kafka does), but never one with an open transaction. Returns how many.
     */
    int expire(long now, long expirationMs) {
        int expired = 0;
        for (Iterator<Producer> it = producers.values().iterator(); it.hasNext(); ) {
            Producer p = it.next();
            if (p.txnFirstOffset < 0 && now - p.lastTimestamp > expirationMs) {
                it.remove();
                expired++;
            }
        }
        return expired;
    }

    /**
     * Writes the table: int32 producers, then for each: int64 producer id, int64 last timestamp, int16 current epoch,
     * int64 first offset of its open transaction (-1: none), int32 coordinator epoch of its last marker, int8 batches,
     * then for each batch, oldest first: int16 epoch, int32 first sequence, int32 last sequence, int64 first offset,
     * int64 last offset.
     */
    void writeTo(DataOutputStream out) throws IOException {
        out.writeInt(producers.size());
        for (Map.Entry<Long, Producer> e : producers.entrySet()) {
            out.writeLong(e.getKey());
            out.writeLong(e.getValue().lastTimestamp);
            out.writeShort(e.getValue().epoch);
            out.writeLong(e.getValue().txnFirstOffset);
            out.writeInt(e.getValue().coordinatorEpoch);
            out.writeByte(e.getValue().history.size());
            for (Written w : e.getValue().history) {
                out.writeShort(w.epoch());
                out.writeInt(w.firstSeq());
                out.writeInt(w.lastSeq());
                out.writeLong(w.firstOffset());
                out.writeLong(w.lastOffset());
            }
        }
    }

    /** Replaces the table by what {@link #writeTo} wrote. */
    void readFrom(DataInputStream in) throws IOException {
        clear();
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            Producer p = new Producer();
            long id = in.readLong();
            p.lastTimestamp = in.readLong();
            p.epoch = in.readShort();
            p.txnFirstOffset = in.readLong();
            p.coordinatorEpoch = in.readInt();
            if (p.txnFirstOffset >= 0) {
                open.put(p.txnFirstOffset, id);
            }
            int batches = in.readByte();
            for (int b = 0; b < batches; b++) {
                p.history.addLast(new Written(in.readShort(), in.readInt(), in.readInt(), in.readLong(), in.readLong()));
            }
            producers.put(id, p);
        }
    }

    /** Each producer's last batch written, by its last offset. */
    Map<Long, Long> lastOffsets() {
        Map<Long, Long> last = new HashMap<>();
        producers.forEach((id, p) -> {
            if (!p.history.isEmpty()) {
                last.put(id, p.history.peekLast().lastOffset());
            }
        });
        return last;
    }

    /** Forgets batches at or after {@code offset} (the log was truncated there), and transactions opened there. */
    void truncateFrom(long offset) {
        producers.values().forEach(p -> {
            p.history.removeIf(w -> w.lastOffset() >= offset);
            if (p.txnFirstOffset >= offset) {
                open.remove(p.txnFirstOffset);
                p.txnFirstOffset = -1;
            }
        });
        producers.values().removeIf(p -> p.history.isEmpty() && p.txnFirstOffset < 0);
    }

    /** Becomes a copy of {@code other} (a snapshot's table). */
    void copyFrom(ProducerStateTable other) {
        clear();
        producers.putAll(other.producers);
        open.putAll(other.open);
    }

    /** Forgets everything (the log is being loaded again from its first segment). */
    void clear() {
        producers.clear();
        open.clear();
    }

    int size() {
        return producers.size();
    }
}
