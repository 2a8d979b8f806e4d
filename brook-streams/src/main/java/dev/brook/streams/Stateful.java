package dev.brook.streams;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * State of one stateful step in one task, kept in memory and made durable by a changelog topic
 * ({@code <job>-<store>-changelog}, partition = the task's partition, compacted).
 *
 * <p>Changes are not written one by one: the latest bytes per changelog key are kept until the task commits, then
 * written together ({@link #flush}), and the input offsets are committed only after those writes are acknowledged.
 * Restoring replays the changelog through {@link #restore} before the task processes anything.
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

    final void flush(TaskOutput out, String changelogTopic, int partition, long timestamp) {
        for (Map.Entry<ByteBuffer, byte[]> e : dirty.entrySet()) {
            out.send(changelogTopic, partition, e.getKey().array(), e.getValue(), timestamp);
        }
        dirty.clear();
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
