package dev.brook.streams;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Rebuilds new tasks' stores from their changelog partitions without holding a changelog in memory. Each partition is
 * read twice, from its beginning to the end it has when restoring starts:
 * <ol>
 *   <li>to find its last checkpoint record and the keys written after it: those come from a flush that never completed
 *       (the input offsets they belong with were never recorded), so they must not count;</li>
 *   <li>to apply every record before that checkpoint to the stores, as it arrives, remembering of the keys written
 *       after the checkpoint only the value each had at it; those keys are then marked changed with that value, so the
 *       next flush rewrites them and a later checkpoint cannot make the unfinished flush count.</li>
 * </ol>
 * What stays in memory is the stores themselves and the keys of one unfinished flush. A partition without any
 * checkpoint restores nothing: its task starts from the committed offsets with empty stores. Owned by the job thread.
 */
final class ChangelogRestore {
    private final Consumer<byte[], byte[]> consumer;
    private long records;

    ChangelogRestore(Consumer<byte[], byte[]> consumer) {
        this.consumer = consumer;
    }

    /** What the first read of one partition found. */
    private static final class Tail {
        long checkpointOffset = -1;
        byte[] checkpoint;
        final Set<ByteBuffer> keys = new HashSet<>();
        final Map<ByteBuffer, byte[]> atCheckpoint = new HashMap<>();
    }

    /** Restores each task's stores; returns the input offsets of each one's last checkpoint (empty: none). */
    Map<Task, Map<String, Long>> restore(Collection<Task> tasks) {
        Map<TopicPartition, Task> byPartition = new HashMap<>();
        Map<TopicPartition, Tail> tails = new HashMap<>();
        for (Task t : tasks) {
            TopicPartition tp = new TopicPartition(t.changelogTopic(), t.partition);
            byPartition.put(tp, t);
            tails.put(tp, new Tail());
        }
        Map<TopicPartition, Long> end = consumer.endOffsets(byPartition.keySet());
        read(end, (tp, r) -> {
            Tail tail = tails.get(tp);
            if (Arrays.equals(r.key(), Task.CHECKPOINT_KEY)) {
                tail.checkpointOffset = r.offset();
                tail.checkpoint = r.value();
                tail.keys.clear();
            } else {
                tail.keys.add(ByteBuffer.wrap(r.key()));
            }
        });
        Map<TopicPartition, Long> upToCheckpoint = new HashMap<>();
        tails.forEach((tp, tail) -> upToCheckpoint.put(tp, tail.checkpointOffset));
        read(upToCheckpoint, (tp, r) -> {
            if (!Arrays.equals(r.key(), Task.CHECKPOINT_KEY)) {
                Tail tail = tails.get(tp);
                byPartition.get(tp).restoreRecord(r.key(), r.value());
                records++;
                ByteBuffer key = ByteBuffer.wrap(r.key());
                if (tail.keys.contains(key)) {
                    tail.atCheckpoint.put(key, r.value());
                }
            }
        });
        Map<Task, Map<String, Long>> checkpoints = new HashMap<>();
        tails.forEach((tp, tail) -> {
            Task t = byPartition.get(tp);
            for (ByteBuffer key : tail.keys) {
                t.rewriteAtNextFlush(key.array(), tail.atCheckpoint.get(key));
            }
            checkpoints.put(t, tail.checkpoint == null ? Map.of() : t.restoredCheckpoint(tail.checkpoint));
        });
        return checkpoints;
    }

    /** Changelog records applied to stores so far. */
    long records() {
        return records;
    }

    /** Reads each partition from its beginning up to (not including) its offset in {@code until}. */
    private void read(Map<TopicPartition, Long> until, BiConsumer<TopicPartition, ConsumerRecord<byte[], byte[]>> visitor) {
        Map<TopicPartition, Long> open = new HashMap<>(until);
        open.values().removeIf(v -> v <= 0);
        if (open.isEmpty()) {
            return;
        }
        consumer.assign(open.keySet());
        consumer.seekToBeginning(open.keySet());
        open.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
        while (!open.isEmpty()) {
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                Long limit = open.get(tp);
                if (limit != null && r.offset() < limit) {
                    visitor.accept(tp, r);
                }
            }
            open.entrySet().removeIf(e -> consumer.position(e.getKey()) >= e.getValue());
            consumer.pause(consumer.assignment().stream().filter(tp -> !open.containsKey(tp)).toList());
        }
        consumer.unsubscribe();
    }
}
