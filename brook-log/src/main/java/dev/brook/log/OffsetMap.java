package dev.brook.log;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * The cleaner's key-to-latest-offset map, of a fixed size: a key is known by the 128-bit MD5 of its bytes (two keys
 * sharing one by chance is a 2^-128 event, as in Kafka's cleaner), so each entry is 24 bytes whatever the key's length,
 * in open addressing with linear probing. It holds at most {@link #capacity()} keys, {@value #LOAD_FACTOR} of its
 * slots: the cleaner maps the dirty part of a log until the map is full, cleans up to there, and maps the rest in the
 * next pass.
 *
 * <p>Why MD5: it is in every JDK, its 16 bytes make a collision negligible, and hashing is a small part of a pass (the
 * segment reads and writes are most of it).
 *
 * <p>Used by one cleaner thread at a time; not thread-safe.
 */
final class OffsetMap {
    static final int ENTRY_BYTES = 24;
    static final double LOAD_FACTOR = 0.9;

    private final long[] hi;
    private final long[] lo;
    private final long[] offsets;
    private final int mask;
    private final int capacity;
    private final MessageDigest md5;
    private final byte[] digest = new byte[16];
    private final ByteBuffer digestView = ByteBuffer.wrap(digest);
    private int size;
    private long lastHi;
    private long lastLo;

    /** A map of at most {@code bytes} of entries (rounded down to a power of two slots). */
    OffsetMap(long bytes) {
        long slots = Long.highestOneBit(Math.max(16, bytes / ENTRY_BYTES));
        slots = Math.min(slots, 1 << 30);
        this.hi = new long[(int) slots];
        this.lo = new long[(int) slots];
        this.offsets = new long[(int) slots];
        this.mask = (int) slots - 1;
        this.capacity = (int) (slots * LOAD_FACTOR);
        Arrays.fill(offsets, -1);
        try {
            this.md5 = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no MD5", e);
        }
    }

    /** How many keys it can hold. */
    int capacity() {
        return capacity;
    }

    int size() {
        return size;
    }

    boolean isFull() {
        return size >= capacity;
    }

    /** Bytes of memory its slots take. */
    long bytes() {
        return (long) offsets.length * ENTRY_BYTES;
    }

    void clear() {
        Arrays.fill(offsets, -1);
        size = 0;
    }

    /** Records {@code offset} as the latest of {@code key} (the key's bytes from its position to its limit). */
    void put(ByteBuffer key, long offset) {
        hash(key);
        store(offset);
    }

    /** As {@link #put(ByteBuffer, long)}, for the key at {@code array[start..start+length)}. */
    void put(byte[] array, int start, int length, long offset) {
        md5.update(array, start, length);
        digest();
        store(offset);
    }

    /** The latest offset recorded for {@code key}, or -1. */
    long get(ByteBuffer key) {
        hash(key);
        return offsets[slotOf(lastHi, lastLo)];
    }

    /** As {@link #get(ByteBuffer)}, for the key at {@code array[start..start+length)}. */
    long get(byte[] array, int start, int length) {
        md5.update(array, start, length);
        digest();
        return offsets[slotOf(lastHi, lastLo)];
    }

    /** Stores {@code offset} under the hash just computed. */
    private void store(long offset) {
        int slot = slotOf(lastHi, lastLo);
        if (offsets[slot] < 0) {
            hi[slot] = lastHi;
            lo[slot] = lastLo;
            size++;
        }
        offsets[slot] = offset;
    }

    /** The slot holding the hash, or the empty slot where it would go. */
    private int slotOf(long h, long l) {
        int slot = (int) (l ^ (l >>> 32)) & mask;
        while (offsets[slot] >= 0 && (hi[slot] != h || lo[slot] != l)) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    private void hash(ByteBuffer key) {
        if (key.hasArray()) {
            md5.update(key.array(), key.arrayOffset() + key.position(), key.remaining());
        } else {
            md5.update(key.duplicate());
        }
        digest();
    }

    private void digest() {
        try {
            md5.digest(digest, 0, 16);
        } catch (java.security.DigestException e) {
            throw new IllegalStateException(e);
        }
        lastHi = digestView.getLong(0);
        lastLo = digestView.getLong(8);
    }
}
