package dev.brook.streams;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Records held by a stateful step, per key and ordered by event time (the records of sliding windows, each side of
 * a stream-stream join), with their changelog entries kept in step. Owned by the step's task thread.
 *
 * <p>Changelog record per held record: key = the owner's prefix + 8 bytes event time + 4 bytes sequence within
 * that time + the key's bytes; value = the record's value bytes.
 */
final class TimeBuffer {
    /** A record put back by {@link #restore}. */
    record Restored(Object key, long timestamp) {
    }

    private final Stateful owner;
    private final byte[] prefix;
    @SuppressWarnings("rawtypes")
    private final Serde keySerde;
    @SuppressWarnings("rawtypes")
    private final Serde valueSerde;
    private final Map<Object, TreeMap<Long, List<Object>>> byKey = new HashMap<>();

    TimeBuffer(Stateful owner, byte[] prefix, Serde<?> keySerde, Serde<?> valueSerde) {
        this.owner = owner;
        this.prefix = prefix;
        this.keySerde = keySerde;
        this.valueSerde = valueSerde;
    }

    /** The key's records by time (live view), or null when it has none. */
    TreeMap<Long, List<Object>> get(Object key) {
        return byKey.get(key);
    }

    /** Holds a record and returns the key's records by time. */
    @SuppressWarnings("unchecked")
    TreeMap<Long, List<Object>> add(Object key, Object value, long ts) {
        TreeMap<Long, List<Object>> byTime = byKey.computeIfAbsent(key, k -> new TreeMap<>());
        List<Object> at = byTime.computeIfAbsent(ts, t -> new ArrayList<>());
        at.add(value);
        owner.changed(changelogKey(ts, at.size() - 1, key), valueSerde.serialize(value));
        return byTime;
    }

    /** Drops every record older than {@code keepFrom}. */
    void dropBefore(long keepFrom) {
        Iterator<Map.Entry<Object, TreeMap<Long, List<Object>>>> keys = byKey.entrySet().iterator();
        while (keys.hasNext()) {
            Map.Entry<Object, TreeMap<Long, List<Object>>> k = keys.next();
            Map<Long, List<Object>> old = k.getValue().headMap(keepFrom, false);
            for (Map.Entry<Long, List<Object>> e : old.entrySet()) {
                for (int i = 0; i < e.getValue().size(); i++) {
                    owner.changed(changelogKey(e.getKey(), i, k.getKey()), null);
                }
            }
            old.clear();
            if (k.getValue().isEmpty()) {
                keys.remove();
            }
        }
    }

    /** Replays one changelog record; returns what it put back, or null for a deletion. */
    Restored restore(byte[] k, byte[] v) {
        ByteBuffer b = ByteBuffer.wrap(k, prefix.length, k.length - prefix.length);
        long ts = b.getLong();
        int seq = b.getInt();
        Object key = keySerde.deserialize(Stateful.suffix(k, prefix.length + 12));
        TreeMap<Long, List<Object>> byTime = byKey.computeIfAbsent(key, x -> new TreeMap<>());
        if (v == null) {
            byTime.remove(ts);
            if (byTime.isEmpty()) {
                byKey.remove(key);
            }
            return null;
        }
        List<Object> at = byTime.computeIfAbsent(ts, t -> new ArrayList<>());
        while (at.size() <= seq) {
            at.add(null);
        }
        at.set(seq, valueSerde.deserialize(v));
        return new Restored(key, ts);
    }

    @SuppressWarnings("unchecked")
    private byte[] changelogKey(long ts, int seq, Object key) {
        byte[] head = ByteBuffer.allocate(prefix.length + 12).put(prefix).putLong(ts).putInt(seq).array();
        return Stateful.concat(head, keySerde.serialize(key));
    }
}
