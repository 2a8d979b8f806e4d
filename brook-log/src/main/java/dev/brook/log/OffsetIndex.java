package dev.brook.log;

import java.nio.file.Path;

/**
 * Sparse map from offset to byte position in a segment's {@code .log} file, one entry for every
 * {@code index.interval.bytes} appended.
 *
 * <p>File {@code <base offset, 20 digits>.index}, a sequence of 8-byte entries, big-endian:
 * <pre>
 *   int32 relative offset   offset of the first record of a batch, minus the segment's base offset
 *   int32 position          byte position of that batch in the .log file
 * </pre>
 * Entries are strictly increasing in both fields. A lookup finds the last entry at or below the wanted offset and
 * the log scans batch headers forward from its position. Losing the index loses nothing: it is rebuilt from the
 * segment after an unclean shutdown or whenever it looks wrong.
 */
final class OffsetIndex extends IndexFile {
    static final int ENTRY = 8;

    OffsetIndex(Path path, long baseOffset, int maxBytes, boolean trustExisting) {
        super(path, baseOffset, maxBytes, ENTRY, trustExisting);
    }

    @Override
    long key(int n) {
        return baseOffset + mmap.getInt(slot(n));
    }

    int position(int n) {
        return mmap.getInt(slot(n) + 4);
    }

    /** Records that the batch starting at {@code offset} sits at {@code position}. Caller holds the log's lock. */
    void append(long offset, int position) {
        int n = entries();
        if (isFull() || (n > 0 && offset <= key(n - 1)) || !reserve(1)) {
            return;
        }
        mmap.putInt(slot(n), (int) (offset - baseOffset));
        mmap.putInt(slot(n) + 4, position);
        published(n + 1);
    }

    /** The byte position from which to scan for {@code offset}: the last indexed batch at or before it, else 0. */
    int lookup(long offset) {
        int n = floor(offset);
        return n < 0 ? 0 : position(n);
    }

    @Override
    boolean isSane() {
        for (int i = 1; i < entries(); i++) {
            if (key(i) <= key(i - 1) || position(i) <= position(i - 1)) {
                return false;
            }
        }
        return true;
    }

    /** The last entry's position, or -1 when empty. */
    int lastPosition() {
        return entries() == 0 ? -1 : position(entries() - 1);
    }
}
