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
 * Session windows: per key, sessions of records at most {@code gap} apart. A record within the gap of one or more
 * sessions joins them (merging partial results); otherwise it starts a session. A session closes when the watermark
 * passes its last record + gap + allowed lateness. Under {@link Emit#ON_EVERY_UPDATE}, a session that was merged
 * away is retracted with a {@code null} result for its old window.
 *
 * <p>Changelog record per session: key = 8 bytes start + the key's bytes, value = 8 bytes last event time + the
 * accumulator's bytes.
 */
final class SessionAggregate extends Stateful implements Processor {
    private final Task task;
    private final long gap;
    private final long lateness;
    private final Emit emit;
    @SuppressWarnings("rawtypes")
    private final Aggregation agg;
    @SuppressWarnings("rawtypes")
    private final Serde keySerde;
    @SuppressWarnings("rawtypes")
    private final Serde valueSerde;
    private final List<Processor> next;
    private final Map<Object, TreeMap<Long, Session>> sessions = new HashMap<>();
    /** Close time -> sessions that close then (entries may be stale after merges; checked when popped). */
    private final TreeMap<Long, Set<Session>> closing = new TreeMap<>();

    private static final class Session {
        final Object key;
        final long start;
        final long last;
        final Object acc;

        Session(Object key, long start, long last, Object acc) {
            this.key = key;
            this.start = start;
            this.last = last;
            this.acc = acc;
        }
    }

    SessionAggregate(String store, Task task, long gap, long lateness, Emit emit, Aggregation<?, ?, ?> agg,
            Serde<?> keySerde, Serde<?> valueSerde, List<Processor> next) {
        super(store);
        this.task = task;
        this.gap = gap;
        this.lateness = lateness;
        this.emit = emit;
        this.agg = agg;
        this.keySerde = keySerde;
        this.valueSerde = valueSerde;
        this.next = next;
    }

    private long closeTime(long last) {
        return last + 1 + gap + lateness;
    }

    private boolean closed(long last, long watermark) {
        return watermark != Long.MIN_VALUE && watermark >= closeTime(last);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void process(Object key, Object value, long ts) {
        long watermark = task.watermark();
        TreeMap<Long, Session> byStart = sessions.computeIfAbsent(key, k -> new TreeMap<>());
        List<Session> merging = new ArrayList<>();
        for (Session s : byStart.headMap(ts + gap, true).values()) {
            if (s.last + gap >= ts && !closed(s.last, watermark)) {
                merging.add(s);
            }
        }
        if (merging.isEmpty() && closed(ts, watermark)) {
            if (byStart.isEmpty()) {
                sessions.remove(key);
            }
            Topology.late(task, keySerde, valueSerde, key, value, ts);
            return;
        }
        long start = ts;
        long last = ts;
        Object acc = agg.add().apply(agg.init().get(), value);
        for (Session s : merging) {
            start = Math.min(start, s.start);
            last = Math.max(last, s.last);
            acc = agg.merge().apply(s.acc, acc);
            byStart.remove(s.start);
            changed(changelogKey(s.start, key), null);
        }
        Session merged = new Session(key, start, last, acc);
        byStart.put(start, merged);
        closing.computeIfAbsent(closeTime(last), t -> new LinkedHashSet<>()).add(merged);
        changed(changelogKey(start, key), changelogValue(merged));
        if (emit == Emit.ON_EVERY_UPDATE) {
            for (Session s : merging) {
                if (s.start != start || s.last != last) {
                    Topology.forward(next, new Windowed<>(key, s.start, s.last + 1), null, s.last);
                }
            }
            Topology.forward(next, new Windowed<>(key, start, last + 1), agg.result().apply(acc), last);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public void onWatermark(long watermark) {
        Iterator<Map.Entry<Long, Set<Session>>> it = closing.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Long, Set<Session>> e = it.next();
            if (watermark < e.getKey()) {
                break;
            }
            it.remove();
            for (Session s : e.getValue()) {
                TreeMap<Long, Session> byStart = sessions.get(s.key);
                if (byStart == null || byStart.get(s.start) != s) {
                    continue; // merged into another session since
                }
                byStart.remove(s.start);
                if (byStart.isEmpty()) {
                    sessions.remove(s.key);
                }
                changed(changelogKey(s.start, s.key), null);
                if (emit == Emit.ON_WINDOW_CLOSE) {
                    Topology.forward(next, new Windowed<>(s.key, s.start, s.last + 1), agg.result().apply(s.acc), s.last);
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private byte[] changelogKey(long start, Object key) {
        return concat(ByteBuffer.allocate(8).putLong(start).array(), keySerde.serialize(key));
    }

    @SuppressWarnings("unchecked")
    private byte[] changelogValue(Session s) {
        return concat(ByteBuffer.allocate(8).putLong(s.last).array(), agg.accSerde().serialize(s.acc));
    }

    @Override
    void restore(byte[] k, byte[] v) {
        long start = ByteBuffer.wrap(k).getLong();
        Object key = keySerde.deserialize(suffix(k, 8));
        TreeMap<Long, Session> byStart = sessions.computeIfAbsent(key, x -> new TreeMap<>());
        if (v == null) {
            byStart.remove(start);
            if (byStart.isEmpty()) {
                sessions.remove(key);
            }
            return;
        }
        long last = ByteBuffer.wrap(v).getLong();
        Session s = new Session(key, start, last, agg.accSerde().deserialize(suffix(v, 8)));
        byStart.put(start, s);
        closing.computeIfAbsent(closeTime(last), t -> new LinkedHashSet<>()).add(s);
    }
}
