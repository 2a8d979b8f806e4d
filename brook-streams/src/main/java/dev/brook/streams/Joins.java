package dev.brook.streams;

import java.util.HashMap;
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
     * <p>Changelog: each side's records as {@link TimeBuffer} writes them, prefixed by 1 byte side (0 left, 1 right).
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
        private final TimeBuffer[] sides;

        JoinState(String store, Task task, StreamJoinStep step, List<Processor> next) {
            super(store);
            this.task = task;
            this.step = step;
            this.next = next;
            this.sides = new TimeBuffer[] {new TimeBuffer(this, new byte[] {0}, step.keySerde, step.leftSerde),
                    new TimeBuffer(this, new byte[] {1}, step.keySerde, step.rightSerde)};
        }

        @Override
        public void process(Object key, Object value, long timestamp) {
            throw new IllegalStateException("a join is entered through one of its sides");
        }

        @SuppressWarnings("unchecked")
        void arrive(int side, Object key, Object value, long ts) {
            long watermark = task.watermark();
            if (watermark != Long.MIN_VALUE && ts + step.lateness < watermark) {
                Topology.late(task, step.keySerde, side == 0 ? step.leftSerde : step.rightSerde, key, value, ts);
                return;
            }
            sides[side].add(key, value, ts);
            TreeMap<Long, List<Object>> theirs = sides[1 - side].get(key);
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
            sides[0].dropBefore(keepFrom);
            sides[1].dropBefore(keepFrom);
        }

        @Override
        void restore(byte[] k, byte[] v) {
            sides[k[0]].restore(k, v);
        }
    }
}
