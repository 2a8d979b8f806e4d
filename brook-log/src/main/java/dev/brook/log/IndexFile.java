package dev.brook.log;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A memory-mapped file of fixed-size entries sorted by their key, shared by {@link OffsetIndex} and
 * {@link TimeIndex}. The file is preallocated to its maximum size while its segment is active (so appends never
 * remap) and trimmed to exactly {@code entries × entrySize} bytes when the segment is rolled or closed; a file
 * whose length is not a whole number of entries, or whose entries are out of order, is rejected by
 * {@link #isSane} and rebuilt from the segment.
 *
 * <p>Threads: appends and trims happen under the owning log's lock; lookups may run concurrently and only read
 * entries below the published {@code entries} count.
 */
abstract class IndexFile implements AutoCloseable {
    protected final Path path;
    protected final long baseOffset;
    private final int entrySize;
    private final int maxEntries;
    protected MappedByteBuffer mmap;
    protected volatile int entries;
    /**
     * Bytes from the start of the file known to have disk blocks behind them. The file is sparse beyond its entries,
     * and a write through the mapping into a hole that the file system cannot fill (a full disk) is not an
     * {@link IOException} but a SIGBUS, which the JVM raises as an {@link InternalError} wherever it likes; so
     * {@link #reserve} writes zeros through the channel first, where a full disk is an ordinary error.
     */
    private int backed;
    private static final int RESERVE_STEP = 64 * 1024;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(RESERVE_STEP);

    IndexFile(Path path, long baseOffset, int maxBytes, int entrySize, boolean trustExisting) {
        this.path = path;
        this.baseOffset = baseOffset;
        this.entrySize = entrySize;
        this.maxEntries = Math.max(1, maxBytes / entrySize);
        try {
            boolean existed = Files.exists(path);
            long length = existed ? Files.size(path) : 0;
            int existing = trustExisting && existed && length % entrySize == 0 && length / entrySize <= maxEntries
                    ? (int) (length / entrySize) : 0;
            try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw")) {
                if (existing == 0) {
                    raf.setLength(0); // a fresh or untrusted index: start from a sparse, all-zero file, no writes
                    raf.setLength((long) maxEntries * entrySize);
                }
                // a trusted index is mapped at the size it has (a closed segment's was trimmed to its entries): no
                // resizing at open, which is most of what opening a segment costs; the first append grows it (reserve)
                mmap = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, existing == 0 ? (long) maxEntries * entrySize : length);
            }
            entries = existing;
            backed = existing * entrySize;
        } catch (IOException e) {
            throw new LogException(org.apache.kafka.common.protocol.Errors.KAFKA_STORAGE_ERROR, "cannot open index " + path, e);
        }
    }

    final int entries() {
        return entries;
    }

    final boolean isFull() {
        return entries >= maxEntries;
    }

    /** The key (offset or timestamp) of entry {@code n}. */
    abstract long key(int n);

    /** The index of the last entry whose key is at most {@code target}, or -1. */
    final int floor(long target) {
        int lo = 0;
        int hi = entries - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (key(mid) <= target) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /** Entries strictly increasing by key: what a well-formed index looks like. */
    boolean isSane() {
        for (int i = 1; i < entries; i++) {
            if (key(i) <= key(i - 1)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Makes sure the next {@code more} entries land on disk blocks that exist, allocating them (in steps of 64 KiB)
     * with ordinary writes, and says whether they do. An entry that finds no room is simply not added: the index is
     * sparse anyway, and a lookup scans a little further. Caller holds the owning log's lock.
     */
    final boolean reserve(int more) {
        long needed = Math.min((long) (entries + more) * entrySize, (long) maxEntries * entrySize);
        if (mmap.capacity() < needed) {
            expand(); // opened trimmed, now written to (a segment rebuilt or reopened for appends)
        }
        if (needed <= backed) {
            return true;
        }
        long end = Math.min((needed + RESERVE_STEP - 1) / RESERVE_STEP * RESERVE_STEP, (long) maxEntries * entrySize);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
            long at = backed;
            while (at < end) {
                ByteBuffer zeros = ZEROS.duplicate();
                zeros.limit((int) Math.min(zeros.capacity(), end - at));
                at += ch.write(zeros, at);
            }
        } catch (IOException e) {
            return false; // a full disk; blocks already allocated before the failure count next time
        }
        backed = (int) end;
        return true;
    }

    protected final int slot(int n) {
        return n * entrySize;
    }

    protected final void published(int count) {
        entries = count;
    }

    /** Forgets every entry, zeroing only the bytes entries used (the rest of the file was never written). */
    final void clear() {
        int used = entries * entrySize;
        entries = 0;
        for (int i = 0; i < used && i < mmap.capacity(); i++) {
            mmap.put(i, (byte) 0);
        }
    }

    /** Drops every entry whose key is at or above {@code key} (after a truncation). */
    final void truncateFrom(long key) {
        int keep = floor(key - 1) + 1;
        entries = keep;
    }

    /** Shrinks the file to its entries; the index stays usable (remapped read-write at the new size). */
    void trim() {
        if (mmap.capacity() != entries * entrySize) {
            resize(entries * entrySize);
        }
    }

    /** Grows the file back to its maximum size so that appends can continue (a trimmed index reopened for writing). */
    void expand() {
        resize(maxEntries * entrySize);
    }

    private void resize(int bytes) {
        try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw")) {
            mmap.force();
            raf.setLength(bytes);
            backed = Math.min(backed, bytes);
            mmap = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, Math.max(bytes, 0));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot resize " + path, e);
        }
    }

    @Override
    public void close() {
        trim();
    }

    void deleteFile() throws IOException {
        Files.deleteIfExists(path);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(" + path + ", " + entries + " entries)";
    }
}
