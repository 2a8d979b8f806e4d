package dev.brook.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A segment's aborted-transaction index, {@code <base offset, 20 digits>.txnindex}: one entry for every transaction
 * whose abort marker is in this segment, in marker order. Fixed-size entries, big-endian, nothing else in the file:
 * <pre>
 *   int16 version (0) | int64 producer id | int64 first offset | int64 last offset (the abort marker's) |
 *   int64 last stable offset (the log's, once the marker was written)
 * </pre>
 * 34 bytes each. The last stable offsets only grow from entry to entry and segment to segment, which is what lets a
 * read_committed fetch stop looking ({@link Log#abortedTransactions}).
 *
 * <p>Durability follows the segment's records: {@link #flush} forces the file with them, so every entry below a log's
 * flushed offset is on disk; after a crash the segments from the recovery point on are walked again and their indexes
 * rebuilt from the markers ({@link Segment#rebuild}). A file whose length is not a whole number of entries loses the
 * partial one at open. Entries are held in memory too (aborts are rare), copied on write so reads never lock.
 *
 * <p>Threads: appends and clears under the owning log's lock; {@link #entries} from any thread.
 */
final class TransactionIndex {
    static final int ENTRY = 2 + 8 + 8 + 8 + 8;
    private static final short VERSION = 0;

    private final Path file;
    private final CopyOnWriteArrayList<AbortedTransaction> entries = new CopyOnWriteArrayList<>();
    private boolean dirty;

    TransactionIndex(Path file) throws IOException {
        this.file = file;
        if (Files.exists(file)) {
            byte[] bytes = Files.readAllBytes(file);
            ByteBuffer b = ByteBuffer.wrap(bytes);
            List<AbortedTransaction> read = new ArrayList<>();
            while (b.remaining() >= ENTRY) {
                short version = b.getShort();
                AbortedTransaction t = new AbortedTransaction(b.getLong(), b.getLong(), b.getLong(), b.getLong());
                if (version != VERSION) {
                    break;
                }
                read.add(t);
            }
            entries.addAll(read);
            if (bytes.length != read.size() * ENTRY) {
                rewrite();
            }
        }
    }

    /** Adds the entry of an abort marker just written. Caller holds the log's lock. */
    void append(AbortedTransaction t) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(ENTRY);
        b.putShort(VERSION).putLong(t.producerId()).putLong(t.firstOffset()).putLong(t.lastOffset()).putLong(t.lastStableOffset()).flip();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }
        entries.add(t);
        dirty = true;
    }

    /** fsyncs the file if an entry was added since the last flush. */
    void flush() throws IOException {
        if (!dirty) {
            return;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        dirty = false;
    }

    /** Forgets every entry (the segment is walked again and its markers add them back). */
    void clear() throws IOException {
        entries.clear();
        Files.deleteIfExists(file);
        dirty = false;
    }

    /** The entries, in marker order. */
    List<AbortedTransaction> entries() {
        return entries;
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    void deleteFile() throws IOException {
        Files.deleteIfExists(file);
    }

    private void rewrite() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(entries.size() * ENTRY);
        for (AbortedTransaction t : entries) {
            b.putShort(VERSION).putLong(t.producerId()).putLong(t.firstOffset()).putLong(t.lastOffset()).putLong(t.lastStableOffset());
        }
        AtomicFile.write(file, b.array());
    }
}
