package dev.brook.streams;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
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
 * <p>Changelog record per stored record: key = 8 bytes event time + 4 bytes sequence within that time + the key's
 * bytes, value = the record's value bytes.
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
    private final Map<Object, TreeMap<Long, List<Object>>> events = new HashMap<>();
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
        TreeMap<Long, List<Object>> byTime = events.computeIfAbsent(key, k -> new TreeMap<>());
        List<Object> at = byTime.computeIfAbsent(ts, t -> new ArrayList<>());
        at.add(value);
        changed(changelogKey(ts, at.size() - 1, key), serializeValue(value));
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
        long keepFrom = watermark - size - lateness;
        Iterator<Map.Entry<Object, TreeMap<Long, List<Object>>>> keys = events.entrySet().iterator();
        while (keys.hasNext()) {
            Map.Entry<Object, TreeMap<Long, List<Object>>> k = keys.next();
            Map<Long, List<Object>> old = k.getValue().headMap(keepFrom, false);
            for (Map.Entry<Long, List<Object>> e : old.entrySet()) {
                for (int i = 0; i < e.getValue().size(); i++) {
                    changed(changelogKey(e.getKey(), i, k.getKey()), null);
                }
            }
            old.clear();
            if (k.getValue().isEmpty()) {
                keys.remove();
            }
        }
    }

    @SuppressWarnings("unchecked")
    private byte[] serializeValue(Object value) {
        return valueSerde.serialize(value);
    }

    @SuppressWarnings("unchecked")
    private byte[] changelogKey(long ts, int seq, Object key) {
        return concat(ByteBuffer.allocate(12).putLong(ts).putInt(seq).array(), keySerde.serialize(key));
    }

    @Override
    void restore(byte[] k, byte[] v) {
        ByteBuffer b = ByteBuffer.wrap(k);
        long ts = b.getLong();
        int seq = b.getInt();
        Object key = keySerde.deserialize(suffix(k, 12));
        TreeMap<Long, List<Object>> byTime = events.computeIfAbsent(key, x -> new TreeMap<>());
        if (v == null) {
            byTime.remove(ts);
            if (byTime.isEmpty()) {
                events.remove(key);
            }
            return;
        }
        List<Object> at = byTime.computeIfAbsent(ts, t -> new ArrayList<>());
        while (at.size() <= seq) {
            at.add(null);
        }
        at.set(seq, valueSerde.deserialize(v));
        if (emit == Emit.ON_WINDOW_CLOSE) {
            pending.computeIfAbsent(ts, t -> new LinkedHashSet<>()).add(key);
        }
    }
}
