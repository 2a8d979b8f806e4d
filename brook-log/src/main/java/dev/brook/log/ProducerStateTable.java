package dev.brook.log;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * What an idempotent producer last wrote to one partition: its epoch and its last five batches' sequence
 * ranges with the offsets they got. It answers "is this batch a retry of one already written, the next one in
 * sequence, or out of order?", as Kafka brokers do.
 *
 * <p>Not persisted: a log rebuilds it at open by scanning its batch headers. Guarded by the owning log's lock.
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
    private final Map<Long, ArrayDeque<Written>> producers = new HashMap<>();

    /**
     * @throws LogException OUT_OF_ORDER_SEQUENCE_NUMBER or INVALID_PRODUCER_EPOCH
     */
    Check check(RecordBatch batch) {
        ArrayDeque<Written> history = producers.get(batch.producerId());
        if (history == null || history.isEmpty()) {
            return FRESH;
        }
        Written last = history.peekLast();
        short epoch = batch.producerEpoch();
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

    /** Remembers a batch written at {@code firstOffset..lastOffset}. */
    void record(long producerId, short epoch, int firstSeq, int lastSeq, long firstOffset, long lastOffset) {
        ArrayDeque<Written> history = producers.computeIfAbsent(producerId, id -> new ArrayDeque<>(BATCHES_KEPT));
        if (!history.isEmpty() && history.peekLast().epoch() != epoch) {
            history.clear();
        }
        history.addLast(new Written(epoch, firstSeq, lastSeq, firstOffset, lastOffset));
        while (history.size() > BATCHES_KEPT) {
            history.pollFirst();
        }
    }

    /** Each producer's last batch written, by its last offset. */
    Map<Long, Long> lastOffsets() {
        Map<Long, Long> last = new HashMap<>();
        producers.forEach((id, history) -> {
            if (!history.isEmpty()) {
                last.put(id, history.peekLast().lastOffset());
            }
        });
        return last;
    }

    /** Forgets batches at or after {@code offset} (the log was truncated there). */
    void truncateFrom(long offset) {
        producers.values().forEach(h -> h.removeIf(w -> w.lastOffset() >= offset));
        producers.values().removeIf(ArrayDeque::isEmpty);
    }

    /** Forgets everything (the log is being loaded again from its first segment). */
    void clear() {
        producers.clear();
    }

    int size() {
        return producers.size();
    }
}
