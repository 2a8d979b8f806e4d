package dev.brook.streams;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Sliding windows: one window per distinct event time {@code t} of a key, covering {@code (t - size, t]} and
 * reported as {@code [t - size + 1, t + 1)}. The records themselves are the state (per key, ordered by time), and a
 * window's result is folded from them when it is emitted, so an out-of-order record simply lands in every window it
 * belongs to. Records are dropped from state once no open or future window can contain them.
 *
 * <p>Changelog: the records, as {@link TimeBuffer} writes them (no prefix).
 */
final class SlidingAggregate extends Stateful implements Processor {
    private final Task task;
    private final long size;
    private final long lateness;
    private final Emit emit;
    @SuppressWarnings("rawtypes")
    private final Aggregation agg;
    @SuppressWarnings("rawtypes")
    private final Serde keySerde;
    @SuppressWarnings("rawtypes")
    private final Serde valueSerde;
    private final List<Processor> next;
    private final TimeBuffer events;
    /** Window end time (inclusive, = an event time) -> keys with a window ending then, not yet emitted. */
    private final TreeMap<Long, Set<Object>> pending = new TreeMap<>();

    SlidingAggregate(String store, Task task, long size, long lateness, Emit emit, Aggregation<?, ?, ?> agg,
            Serde<?> keySerde, Serde<?> valueSerde, List<Processor> next) {
        super(store);
        this.task = task;
        this.size = size;
        this.lateness = lateness;
        this.emit = emit;
        this.agg = agg;
        this.keySerde = keySerde;
        this.valueSerde = valueSerde;
        this.next = next;
        this.events = new TimeBuffer(this, new byte[0], keySerde, valueSerde);
    }

    private boolean closed(long t, long watermark) {
        return watermark != Long.MIN_VALUE && watermark >= t + 1 + lateness;
    }

    @Override
    public void process(Object key, Object value, long ts) {
        long watermark = task.watermark();
        if (closed(ts, watermark)) {
            Topology.late(task, keySerde, valueSerde, key, value, ts);
            return;
        }
        TreeMap<Long, List<Object>> byTime = events.add(key, value, ts);
        if (emit == Emit.ON_EVERY_UPDATE) {
            // this record's own window, then every later open window that now contains it
            for (long end : new ArrayList<>(byTime.subMap(ts, true, ts + size, false).keySet())) {
                if (!closed(end, watermark)) {
                    emitWindow(key, byTime, end);
                }
            }
        } else {
            pending.computeIfAbsent(ts, t -> new LinkedHashSet<>()).add(key);
        }
    }

    @SuppressWarnings("unchecked")
    private void emitWindow(Object key, TreeMap<Long, List<Object>> byTime, long end) {
        Object acc = agg.init().get();
        for (List<Object> values : byTime.subMap(end - size, false, end, true).values()) {
            for (Object v : values) {
                acc = agg.add().apply(acc, v);
            }
        }
        Topology.forward(next, new Windowed<>(key, end - size + 1, end + 1), agg.result().apply(acc), end);
    }

    @Override
    public void onWatermark(long watermark) {
        Iterator<Map.Entry<Long, Set<Object>>> it = pending.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, Set<Object>> e = it.next();
            if (!closed(e.getKey(), watermark)) {
                break;
            }
            it.remove();
            for (Object key : e.getValue()) {
                TreeMap<Long, List<Object>> byTime = events.get(key);
                if (byTime != null) {
                    emitWindow(key, byTime, e.getKey());
                }
            }
        }
        // a record at t is in windows ending before t + size; once those are closed, nothing needs it
        events.dropBefore(watermark - size - lateness);
    }

    @Override
    void restore(byte[] k, byte[] v) {
        TimeBuffer.Restored r = events.restore(k, v);
        if (r != null && emit == Emit.ON_WINDOW_CLOSE) {
            pending.computeIfAbsent(r.timestamp(), t -> new LinkedHashSet<>()).add(r.key());
        }
    }
}
