package dev.brook.streams;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Tumbling and hopping windows: per window start, per key, one accumulator. Windows are kept ordered by start (all
 * have the same size, so also by end) and close in that order as the watermark passes end + allowed lateness.
 *
 * <p>Changelog record per (window, key): key = 8 bytes window start + the key's bytes, value = the accumulator's
 * bytes; a closed window's entries are deleted.
 */
final class WindowAggregate extends Stateful implements Processor {
    private final Task task;
    private final long size;
    private final long advance;
    private final long lateness;
    private final Emit emit;
    @SuppressWarnings("rawtypes")
    private final Aggregation agg;
    @SuppressWarnings("rawtypes")
    private final Serde keySerde;
    @SuppressWarnings("rawtypes")
    private final Serde valueSerde;
    private final List<Processor> next;
    private final TreeMap<Long, Map<Object, Object>> windows = new TreeMap<>();
    /** Per window start, the keys whose accumulator changed since the last flush. */
    private final Map<Long, Set<Object>> pending = new HashMap<>();

    WindowAggregate(String store, Task task, long size, long advance, long lateness, Emit emit, Aggregation<?, ?, ?> agg,
            Serde<?> keySerde, Serde<?> valueSerde, List<Processor> next) {
        super(store);
        this.task = task;
        this.size = size;
        this.advance = advance;
        this.lateness = lateness;
        this.emit = emit;
        this.agg = agg;
        this.keySerde = keySerde;
        this.valueSerde = valueSerde;
        this.next = next;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void process(Object key, Object value, long ts) {
        long watermark = task.watermark();
        long lastStart = ts - Math.floorMod(ts, advance);
        boolean accepted = false;
        // oldest window first, so on-every-update results come out in window order
        for (long start = lastStart - ((size - 1) / advance) * advance; start <= lastStart; start += advance) {
            long end = start + size;
            if (ts < start || ts >= end || closed(end, watermark)) {
                continue;
            }
            accepted = true;
            Map<Object, Object> byKey = windows.computeIfAbsent(start, s -> new LinkedHashMap<>());
            Object acc = byKey.containsKey(key) ? byKey.get(key) : agg.init().get();
            acc = agg.add().apply(acc, value);
            byKey.put(key, acc);
            pending.computeIfAbsent(start, x -> new HashSet<>()).add(key);
            if (emit == Emit.ON_EVERY_UPDATE) {
                Topology.forward(next, new Windowed<>(key, start, end), agg.result().apply(acc), end - 1);
            }
        }
        if (!accepted) {
            Topology.late(task, keySerde, valueSerde, key, value, ts);
        }
    }

    private boolean closed(long end, long watermark) {
        return watermark != Long.MIN_VALUE && watermark >= end + lateness;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void onWatermark(long watermark) {
        Iterator<Map.Entry<Long, Map<Object, Object>>> it = windows.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, Map<Object, Object>> w = it.next();
            long start = w.getKey();
            long end = start + size;
            if (!closed(end, watermark)) {
                break;
            }
            it.remove();
            for (Map.Entry<Object, Object> e : w.getValue().entrySet()) {
                if (emit == Emit.ON_WINDOW_CLOSE) {
                    Topology.forward(next, new Windowed<>(e.getKey(), start, end), agg.result().apply(e.getValue()), end - 1);
                }
                changed(changelogKey(start, e.getKey()), null);
            }
            pending.remove(start);
        }
    }

    /** Serializes the accumulators changed since the last flush: once per window and key, not once per record. */
    @Override
    @SuppressWarnings("unchecked")
    void beforeFlush() {
        for (Map.Entry<Long, Set<Object>> e : pending.entrySet()) {
            Map<Object, Object> byKey = windows.get(e.getKey());
            for (Object key : e.getValue()) {
                Object acc = byKey == null ? null : byKey.get(key);
                changed(changelogKey(e.getKey(), key), acc == null ? null : agg.accSerde().serialize(acc));
            }
        }
        pending.clear();
    }

    @SuppressWarnings("unchecked")
    private byte[] changelogKey(long start, Object key) {
        return concat(ByteBuffer.allocate(8).putLong(start).array(), keySerde.serialize(key));
    }

    @Override
    void restore(byte[] k, byte[] v) {
        long start = ByteBuffer.wrap(k).getLong();
        Object key = keySerde.deserialize(suffix(k, 8));
        if (v == null) {
            Map<Object, Object> byKey = windows.get(start);
            if (byKey != null) {
                byKey.remove(key);
                if (byKey.isEmpty()) {
                    windows.remove(start);
                }
            }
        } else {
            windows.computeIfAbsent(start, s -> new LinkedHashMap<>()).put(key, agg.accSerde().deserialize(v));
        }
    }
}
