package dev.brook.streams;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * State of one stateful step in one task, kept in memory and made durable by its task's changelog (see
 * {@link Task}: one partition per task, shared by the task's stores, each record's key prefixed by the store).
 *
 * <p>Changes are not written one by one: the latest bytes per changelog key are kept until the task commits, then
 * written together ({@link #flush}), followed by the task's checkpoint. Restoring replays the changelog through
 * {@link #restore} before the task processes anything.
 */
abstract class Stateful {
    final String store;
    private final Map<ByteBuffer, byte[]> dirty = new LinkedHashMap<>();

    Stateful(String store) {
        this.store = store;
    }

    /** Records that the state under {@code key} is now {@code value} ({@code null}: gone). */
    final void changed(byte[] key, byte[] value) {
        dirty.put(ByteBuffer.wrap(key), value);
    }

    /** Writes the pending changes, each key behind {@code prefix}; returns how many. */
    final int flush(TaskOutput out, String changelogTopic, int partition, byte[] prefix, long timestamp) {
        beforeFlush();
        int n = dirty.size();
        for (Map.Entry<ByteBuffer, byte[]> e : dirty.entrySet()) {
            out.send(changelogTopic, partition, concat(prefix, e.getKey().array()), e.getValue(), timestamp);
        }
        dirty.clear();
        return n;
    }

    /**
     * Called at the start of every flush: a store that tracks what changed more cheaply than by serializing each
     * change as it happens reports its changes here, with {@link #changed}.
     */
    void beforeFlush() {
    }

    /** One changelog record, in log order; a {@code null} value deletes. */
    abstract void restore(byte[] key, byte[] value);

    static byte[] concat(byte[] prefix, byte[] key) {
        byte[] k = key == null ? new byte[0] : key;
        byte[] out = new byte[prefix.length + k.length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(k, 0, out, prefix.length, k.length);
        return out;
    }

    static byte[] suffix(byte[] bytes, int from) {
        byte[] out = new byte[bytes.length - from];
        System.arraycopy(bytes, from, out, 0, out.length);
        return out;
    }
}
