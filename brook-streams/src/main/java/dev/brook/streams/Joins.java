package dev.brook.streams;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;

/** The join steps: stream-table (lookup in a table built from a topic) and windowed stream-stream. */
final class Joins {
    private Joins() {
    }

    /**
     * The latest value per key of a table topic, in memory. Its durable copy is the topic itself (compacted, in
     * the usual setup): the runner replays the task's partition of it from the beginning before processing anything
     * else, so no changelog is needed.
     */
    static final class TableStep extends Topology.Step {
        TableStep(String name) {
            super(name);
        }

        @Override
        Processor create(Task task, List<Processor> next) {
            return new TableProcessor();
        }
    }

    static final class TableProcessor implements Processor {
        final Map<Object, Object> rows = new HashMap<>();

        @Override
        public void process(Object key, Object value, long timestamp) {
            if (value == null) {
                rows.remove(key);
            } else {
                rows.put(key, value);
            }
        }
    }

    /** Each stream record looks up its key in the table as it is when the record is processed. */
    static final class StreamTableJoinStep extends Topology.Step {
        private final TableStep table;
        @SuppressWarnings("rawtypes")
        private final BiFunction joiner;
        private final boolean left;

        StreamTableJoinStep(String name, TableStep table, BiFunction<?, ?, ?> joiner, boolean left) {
            super(name);
            this.table = table;
            this.joiner = joiner;
            this.left = left;
        }

        @Override
        @SuppressWarnings("unchecked")
        Processor create(Task task, List<Processor> next) {
            TableProcessor rows = (TableProcessor) task.processor(table);
            return (k, v, ts) -> {
                Object row = rows.rows.get(k);
                if (row != null || left) {
                    Topology.forward(next, k, joiner.apply(v, row), ts);
                }
            };
        }
    }

    /**
     * A windowed inner join of two streams on their key: records whose event times are at most {@code within} apart
     * pair up, whichever arrives first; the result carries the later of the two times. Both sides are buffered
     * until the watermark guarantees no partner can still arrive. A record more than the allowed lateness behind
     * the watermark is late (side output).
     *
     * <p>Changelog record per buffered record: key = 1 byte side + 8 bytes time + 4 bytes sequence + the key's
     * bytes, value = the record's value bytes.
     */
    static final class StreamJoinStep extends Topology.Step {
        final long within;
        final long lateness;
        @SuppressWarnings("rawtypes")
        final BiFunction joiner;
        final Serde<?> keySerde;
        final Serde<?> leftSerde;
        final Serde<?> rightSerde;
        final Side leftSide = new Side(this, 0);
        final Side rightSide = new Side(this, 1);

        StreamJoinStep(String name, long within, long lateness, BiFunction<?, ?, ?> joiner, Serde<?> keySerde,
                Serde<?> leftSerde, Serde<?> rightSerde) {
            super(name);
            this.within = within;
            this.lateness = lateness;
            this.joiner = joiner;
            this.keySerde = keySerde;
            this.leftSerde = leftSerde;
            this.rightSerde = rightSerde;
        }

        @Override
        Processor create(Task task, List<Processor> next) {
            return new JoinState(name, task, this, next);
        }
    }

    /** The entry point of one input side; both sides share the join step's state. */
    static final class Side extends Topology.Step {
        final StreamJoinStep join;
        final int side;

        Side(StreamJoinStep join, int side) {
            super(join.name + (side == 0 ? "-left" : "-right"));
            this.join = join;
            this.side = side;
        }

        @Override
        Processor create(Task task, List<Processor> next) {
            JoinState state = (JoinState) task.processor(join);
            return (k, v, ts) -> state.arrive(side, k, v, ts);
        }
    }

    static final class JoinState extends Stateful implements Processor {
        private final Task task;
        private final StreamJoinStep step;
        private final List<Processor> next;
        @SuppressWarnings("unchecked")
        private final Map<Object, TreeMap<Long, List<Object>>>[] buffers = new Map[] {new HashMap<>(), new HashMap<>()};

        JoinState(String store, Task task, StreamJoinStep step, List<Processor> next) {
            super(store);
            this.task = task;
            this.step = step;
            this.next = next;
        }

        @Override
        public void process(Object key, Object value, long timestamp) {
            throw new IllegalStateException("a join is entered through one of its sides");
        }

        @SuppressWarnings("unchecked")
        void arrive(int side, Object key, Object value, long ts) {
            long watermark = task.watermark();
            Serde<Object> serde = (Serde<Object>) (side == 0 ? step.leftSerde : step.rightSerde);
            if (watermark != Long.MIN_VALUE && ts + step.lateness < watermark) {
                Topology.late(task, step.keySerde, serde, key, value, ts);
                return;
            }
            TreeMap<Long, List<Object>> mine = buffers[side].computeIfAbsent(key, k -> new TreeMap<>());
            List<Object> at = mine.computeIfAbsent(ts, t -> new ArrayList<>());
            at.add(value);
            changed(changelogKey(side, ts, at.size() - 1, key), serde.serialize(value));
            TreeMap<Long, List<Object>> theirs = buffers[1 - side].get(key);
            if (theirs == null) {
                return;
            }
            for (Map.Entry<Long, List<Object>> e : theirs.subMap(ts - step.within, true, ts + step.within, true).entrySet()) {
                for (Object other : e.getValue()) {
                    Object result = side == 0 ? step.joiner.apply(value, other) : step.joiner.apply(other, value);
                    Topology.forward(next, key, result, Math.max(ts, e.getKey()));
                }
            }
        }

        @Override
        public void onWatermark(long watermark) {
            long keepFrom = watermark - step.lateness - step.within - 1;
            for (int side = 0; side < 2; side++) {
                Iterator<Map.Entry<Object, TreeMap<Long, List<Object>>>> keys = buffers[side].entrySet().iterator();
                while (keys.hasNext()) {
                    Map.Entry<Object, TreeMap<Long, List<Object>>> k = keys.next();
                    Map<Long, List<Object>> old = k.getValue().headMap(keepFrom, false);
                    for (Map.Entry<Long, List<Object>> e : old.entrySet()) {
                        for (int i = 0; i < e.getValue().size(); i++) {
                            changed(changelogKey(side, e.getKey(), i, k.getKey()), null);
                        }
                    }
                    old.clear();
                    if (k.getValue().isEmpty()) {
                        keys.remove();
                    }
                }
            }
        }

        @SuppressWarnings("unchecked")
        private byte[] changelogKey(int side, long ts, int seq, Object key) {
            byte[] prefix = ByteBuffer.allocate(13).put((byte) side).putLong(ts).putInt(seq).array();
            return concat(prefix, ((Serde<Object>) step.keySerde).serialize(key));
        }

        @Override
        void restore(byte[] k, byte[] v) {
            ByteBuffer b = ByteBuffer.wrap(k);
            int side = b.get();
            long ts = b.getLong();
            int seq = b.getInt();
            Object key = step.keySerde.deserialize(suffix(k, 13));
            TreeMap<Long, List<Object>> byTime = buffers[side].computeIfAbsent(key, x -> new TreeMap<>());
            if (v == null) {
                byTime.remove(ts);
                if (byTime.isEmpty()) {
                    buffers[side].remove(key);
                }
                return;
            }
            List<Object> at = byTime.computeIfAbsent(ts, t -> new ArrayList<>());
            while (at.size() <= seq) {
                at.add(null);
            }
            at.set(seq, (side == 0 ? step.leftSerde : step.rightSerde).deserialize(v));
        }
    }
}
