package dev.brook.log;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a cleaned segment replaces the segments it was cleaned from, so that a crash at any moment leaves either the old
 * segments or the new one, never a mix and never neither.
 *
 * <pre>
 *  1. the cleaner writes  &lt;base&gt;.log.cleaned                        and fsyncs it          (not yet decided)
 *  2. rename to           &lt;base&gt;.log.to-&lt;end&gt;.swap, fsync the dir                           (the commit point)
 *  3. delete the old segments with base offsets in (base, end), and the old &lt;base&gt;'s index files (its transaction index too: a cleaned segment holds no aborted records)
 *  4. rename the .swap to &lt;base&gt;.log (replacing the old one), fsync the dir                   (done)
 * </pre>
 * {@code <base>} and {@code <end>} are 20-digit offsets: the group covered {@code [base, end)}. At open,
 * {@link #recover} deletes {@code .cleaned} files (the swap was not decided; the old segments are whole) and completes
 * every {@code .swap} by steps 3 and 4, which may run again safely. Step 4 is one atomic rename, so the segment named
 * {@code <base>.log} is at every moment either the old one or the cleaned one.
 *
 * <p>Runs under the owning log's lock, or on the thread opening it.
 */
final class SegmentSwap {
    private static final Logger log = LoggerFactory.getLogger(SegmentSwap.class);
    static final String CLEANED = ".log.cleaned";
    private static final String SWAP = ".swap";
    private static final String TO = ".log.to-";

    /** For crash tests: called with the step number (2, 3, 4) before each step; throwing there is a crash there. */
    static volatile java.util.function.IntConsumer beforeStep = step -> { };

    private SegmentSwap() {
    }

    /** Where the cleaner writes the cleaned batches of the group starting at {@code base}. */
    static Path cleanedFile(Path dir, long base) {
        return dir.resolve(Segment.fileName(base, CLEANED));
    }

    /** Steps 2 to 4. */
    static void commitAndComplete(Path dir, Path cleaned, long base, long end) throws IOException {
        Path swap = dir.resolve(Segment.fileName(base, TO + Segment.fileName(end, SWAP)));
        beforeStep.accept(2);
        Files.move(cleaned, swap, StandardCopyOption.ATOMIC_MOVE);
        Quarantine.fsync(dir);
        complete(dir, swap, base, end);
    }

    private static void complete(Path dir, Path swap, long base, long end) throws IOException {
        beforeStep.accept(3);
        for (long old : Segment.bases(dir)) {
            if (old > base && old < end) {
                deleteSegmentFiles(dir, old);
                beforeStep.accept(3);
            }
        }
        beforeStep.accept(4);
        Files.deleteIfExists(dir.resolve(Segment.fileName(base, ".index")));
        Files.deleteIfExists(dir.resolve(Segment.fileName(base, ".timeindex")));
        Files.deleteIfExists(dir.resolve(Segment.fileName(base, ".txnindex")));
        Files.move(swap, Segment.logFile(dir, base), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Quarantine.fsync(dir);
    }

    private static void deleteSegmentFiles(Path dir, long base) throws IOException {
        Files.deleteIfExists(Segment.logFile(dir, base));
        Files.deleteIfExists(dir.resolve(Segment.fileName(base, ".index")));
        Files.deleteIfExists(dir.resolve(Segment.fileName(base, ".timeindex")));
        Files.deleteIfExists(dir.resolve(Segment.fileName(base, ".txnindex")));
    }

    /**
     * At open: deletes undecided cleanings, completes decided ones. Returns the base offsets of the segments it put in
     * place (their indexes must be built).
     */
    static List<Long> recover(Path dir) throws IOException {
        List<Long> completed = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + CLEANED)) {
            for (Path p : files) {
                Files.delete(p);
            }
        }
        List<Path> swaps = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SWAP)) {
            files.forEach(swaps::add);
        }
        swaps.sort(null);
        for (Path swap : swaps) {
            String name = swap.getFileName().toString();
            int to = name.indexOf(TO);
            long base;
            long end;
            try {
                base = Long.parseLong(name.substring(0, to));
                end = Long.parseLong(name.substring(to + TO.length(), name.length() - SWAP.length()));
            } catch (RuntimeException e) {
                log.warn("Ignoring {}: not a segment swap Brook writes", swap);
                continue;
            }
            complete(dir, swap, base, end);
            completed.add(base);
            log.info("Finished swapping the cleaned segment {} into {} (interrupted by a crash)", base, dir);
        }
        return completed;
    }
}
