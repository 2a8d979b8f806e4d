package dev.brook.log;

import java.nio.file.Path;

/**
 * Sparse map from timestamp to offset in one segment, for ListOffsets by time and for time-based retention.
 *
 * <p>File {@code <base offset, 20 digits>.timeindex}, a sequence of 12-byte entries, big-endian:
 * <pre>
 *   int64 timestamp         the largest record timestamp in the segment up to and including this batch
 *   int32 relative offset   offset of that batch's first record, minus the segment's base offset
 * </pre>
 * An entry is added only when the largest timestamp grows, so timestamps are strictly increasing. When the
 * segment is rolled or closed a final entry records its exact largest timestamp, which is what retention reads.
 */
final class TimeIndex extends IndexFile {
    static final int ENTRY = 12;

    TimeIndex(Path path, long baseOffset, int maxBytes, boolean trustExisting) {
        super(path, baseOffset, maxBytes, ENTRY, trustExisting);
    }

    @Override
    long key(int n) {
        return mmap.getLong(slot(n));
    }

    long offset(int n) {
        return baseOffset + mmap.getInt(slot(n) + 8);
    }

    /** Adds an entry if {@code timestamp} is larger than the last one. Caller holds the log's lock. */
    void maybeAppend(long timestamp, long offset) {
        int n = entries();
        if (isFull() || (n > 0 && timestamp <= key(n - 1)) || !reserve(1)) {
            return;
        }
        mmap.putLong(slot(n), timestamp);
        mmap.putInt(slot(n) + 8, (int) (offset - baseOffset));
        published(n + 1);
    }

    /** The largest timestamp indexed, or -1. */
    long lastTimestamp() {
        return entries() == 0 ? -1 : key(entries() - 1);
    }

    /** The offset from which to scan for the first record at or after {@code timestamp}. */
    long lookup(long timestamp) {
        int n = floor(timestamp - 1);
        return n < 0 ? baseOffset : offset(n);
    }
}
