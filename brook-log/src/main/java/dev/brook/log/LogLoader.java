package dev.brook.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a log's segments at startup, and recovers them: rebuilds indexes and producer state, cuts a torn tail off
 * the active segment, and moves damage anywhere else into the {@link Quarantine} while keeping every whole batch.
 *
 * <pre>
 *  for each segment, oldest first:
 *    recovering (unclean shutdown) and at or after the recovery point  ─▶ SegmentScan: whole batches, in line?
 *    otherwise                                                        ─▶ walk batch headers: offsets in line?
 *      in line          ─▶ open, indexes rebuilt where needed
 *      torn tail of the active segment (bad bytes to its end, nothing whole after)  ─▶ truncate
 *      any other damage ─▶ repair: whole batches copied into new segment files (renumbered where the base offset was
 *                          the damage), split around the bad bytes so offsets stay contiguous within each file; the
 *                          original file moved to the quarantine; then the whole log is loaded again
 * </pre>
 *
 * <p>A repair survives a crash at any moment: new files are written as {@code <base>.log.from-<original>.repair} and
 * fsynced, then the original moves to the quarantine (the commit point), then the new files are renamed into place.
 * At the next open, repair files whose original is still in the log are deleted (the repair starts over), and those
 * whose original is gone are renamed into place (it finishes).
 *
 * <p>Runs on the thread opening the log, before anyone reads it.
 */
final class LogLoader {
    private static final Logger log = LoggerFactory.getLogger(LogLoader.class);
    private static final String REPAIR = ".repair";
    private static final String FROM = ".log.from-";

    private final Path dir;
    private final LogConfig config;
    private final Clock clock;
    private final ProducerStateTable producers;
    private final Quarantine quarantine;

    LogLoader(Path dir, LogConfig config, Clock clock, ProducerStateTable producers) {
        this.dir = dir;
        this.config = config;
        this.clock = clock;
        this.producers = producers;
        this.quarantine = new Quarantine(dir);
    }

    /**
     * Loads the segments into {@code segments} (empty on entry), the active one last.
     *
     * @param recover       re-validate every batch from the segment holding {@code recoveryPoint} on
     * @param recoveryPoint everything below it was flushed before the crash
     */
    void load(ConcurrentSkipListMap<Long, Segment> segments, boolean recover, long recoveryPoint) throws IOException {
        load(segments, recover, recoveryPoint, null);
    }

    /**
     * As {@link #load(ConcurrentSkipListMap, boolean, long)}; with a {@code snapshot} (the clean-shutdown one, or a roll
     * snapshot whose producers the caller has put in the table), the segments it describes, but for the active one and
     * those to re-validate, are opened from it without walking their batches.
     */
    void load(ConcurrentSkipListMap<Long, Segment> segments, boolean recover, long recoveryPoint, LogSnapshot snapshot) throws IOException {
        Set<Long> rebuild = new HashSet<>(finishInterruptedRepairs());
        rebuild.addAll(SegmentSwap.recover(dir));
        for (int attempt = 0; ; attempt++) {
            List<Long> bases = Segment.bases(dir);
            Damage damage = loadOnce(segments, bases, recover, recoveryPoint, rebuild, attempt == 0 ? snapshot : null);
            if (damage == null) {
                return;
            }
            for (Segment s : segments.values()) {
                s.records.close();
            }
            segments.clear();
            producers.clear();
            if (attempt > bases.size() + 1) {
                throw new IOException("segment " + damage.base() + " of " + dir + " is still damaged after repairing it");
            }
            rebuild.addAll(repair(damage));
        }
    }

    /** A segment whose scan found damage that truncation cannot fix. */
    private record Damage(long base, long nextBase, SegmentScan.Result scan, boolean last) {
    }

    private Damage loadOnce(ConcurrentSkipListMap<Long, Segment> segments, List<Long> bases, boolean recover, long recoveryPoint,
                            Set<Long> rebuild, LogSnapshot snapshot) throws IOException {
        long recoverFrom = Long.MAX_VALUE;
        if (recover) {
            recoverFrom = 0;
            for (long b : bases) {
                if (b <= recoveryPoint) {
                    recoverFrom = b;
                }
            }
        }
        for (int i = 0; i < bases.size(); i++) {
            long base = bases.get(i);
            boolean last = i == bases.size() - 1;
            long nextBase = last ? -1 : bases.get(i + 1);
            boolean validate = base >= recoverFrom;
            LogSnapshot.SegmentSummary summary = snapshot == null || validate || last || rebuild.contains(base) ? null : snapshot.segments.get(base);
            if (summary != null && (nextBase < 0 || summary.nextOffset() <= nextBase)) {
                Segment s = Segment.open(dir, base, config, true);
                if (s.offsetIndex.lastPosition() < Math.max(1, s.size()) && (s.offsetIndex.entries() > 0 || s.isEmpty())) {
                    s.restore(summary);
                    s.trimIndexes();
                    s.firstAppendMs = clock.millis();
                    segments.put(base, s);
                    continue;
                }
                s.records.close();
            }
            if (validate) {
                SegmentScan.Result scan = SegmentScan.scan(Segment.logFile(dir, base), base, nextBase);
                if (scan.damaged()) {
                    // a torn tail is what a crash leaves after the last fsync; bad bytes holding flushed offsets are
                    // damage, and go to the quarantine with the rest of the file
                    if (!last || !scan.onlyTornTail() || scan.nextOffset(base) < recoveryPoint) {
                        return new Damage(base, nextBase, scan, last);
                    }
                    truncateTornTail(base, scan);
                }
            }
            boolean rebuildIndexes = validate || last || rebuild.contains(base);
            Segment s = Segment.open(dir, base, config, !rebuildIndexes);
            boolean inLine;
            // below a snapshot's offset its producers are already known: a walk there must not replay older batches over them
            ProducerStateTable seen = snapshot != null && base < snapshot.logEndOffset ? new ProducerStateTable() : producers;
            if (rebuildIndexes || !s.offsetIndex.isSane() || !s.timeIndex.isSane()
                    || s.offsetIndex.lastPosition() >= Math.max(1, s.size()) || (s.offsetIndex.entries() == 0 && !s.isEmpty())) {
                inLine = s.rebuild(seen, seen == producers);
            } else {
                inLine = s.load(seen);
            }
            if (inLine && nextBase >= 0 && s.nextOffset > nextBase) {
                inLine = false;
            }
            if (!inLine) {
                s.records.close();
                SegmentScan.Result scan = SegmentScan.scan(Segment.logFile(dir, base), base, nextBase);
                if (!scan.damaged()) {
                    throw new IOException("the offsets of segment " + base + " of " + dir + " do not line up, yet a scan finds no damage");
                }
                return new Damage(base, nextBase, scan, last);
            }
            if (!last) {
                s.trimIndexes();
                s.firstAppendMs = clock.millis();
            }
            segments.put(base, s);
        }
        return null;
    }

    private void truncateTornTail(long base, SegmentScan.Result scan) throws IOException {
        SegmentScan.Span tail = scan.spans().get(scan.spans().size() - 1);
        try (FileChannel ch = FileChannel.open(Segment.logFile(dir, base), StandardOpenOption.WRITE)) {
            ch.truncate(tail.from());
            ch.force(true);
        }
        log.warn("Recovered {}: truncated a torn tail of {} bytes at the end of segment {}", dir, tail.to() - tail.from(), base);
    }

    /**
     * Replaces a damaged segment by new files holding its whole batches, moves it to the quarantine, and returns the
     * base offsets of the new files (whose indexes must be built).
     */
    private List<Long> repair(Damage d) throws IOException {
        Path original = Segment.logFile(dir, d.base());
        List<SegmentScan.Span> spans = d.scan().spans();
        List<Path> written = new ArrayList<>();
        List<Long> bases = new ArrayList<>();
        long lost = 0;
        StringBuilder report = new StringBuilder();
        report.append("Segment ").append(original.getFileName()).append(" of ").append(dir.getFileName())
                .append(", quarantined by Brook when the log was opened.\n")
                .append("Its first batch should start at offset ").append(d.base()).append("; it is ")
                .append(d.scan().size()).append(" bytes. What was found, in file order:\n");
        try (FileChannel in = FileChannel.open(original, StandardOpenOption.READ)) {
            FileChannel out = null;
            try {
                for (int i = 0; i < spans.size(); i++) {
                    SegmentScan.Span span = spans.get(i);
                    boolean tornTail = d.last() && i == spans.size() - 1 && span instanceof SegmentScan.Bad;
                    report.append("  bytes ").append(span.from()).append("..").append(span.to()).append(": ");
                    if (span instanceof SegmentScan.Good g) {
                        report.append("whole batches, offsets ").append(g.firstOffset()).append("..").append(g.nextOffset() - 1)
                                .append(", kept\n");
                        out = out != null ? out : create(g.firstOffset(), d.base(), written, bases);
                        transfer(in, g.from(), g.to() - g.from(), out);
                    } else if (span instanceof SegmentScan.Renumbered r) {
                        report.append("a whole batch whose base offset read ").append(r.stored()).append(" where offset ")
                                .append(r.base()).append(" belongs (the 8 bytes outside its CRC were damaged), kept as offsets ")
                                .append(r.base()).append("..").append(r.nextOffset() - 1).append('\n');
                        out = out != null ? out : create(r.base(), d.base(), written, bases);
                        ByteBuffer batch = ByteBuffer.allocate(r.to() - r.from());
                        readFully(in, batch, r.from());
                        batch.putLong(0, r.base());
                        batch.flip();
                        while (batch.hasRemaining()) {
                            out.write(batch);
                        }
                    } else {
                        report.append(tornTail ? "no whole batch to the end of the file (a torn tail), dropped\n"
                                : "no whole batch, not served; the offsets between the batches around it are lost\n");
                        lost += span.to() - span.from();
                        if (out != null) {
                            out.force(true);
                            out.close();
                            out = null;
                        }
                    }
                }
            } finally {
                if (out != null) {
                    out.force(true);
                    out.close();
                }
            }
        }
        report.append("The log keeps the batches above in ").append(bases.isEmpty() ? "no segment" : "segments " + bases).append(".\n");
        Files.deleteIfExists(dir.resolve(Segment.fileName(d.base(), ".index")));
        Files.deleteIfExists(dir.resolve(Segment.fileName(d.base(), ".timeindex")));
        Path moved = quarantine.moveHere(original, report.toString());
        renameIntoPlace(written, original);
        log.error("Segment {} of {} was damaged: {} bytes hold no whole batch or a wrong base offset. Every whole batch "
                + "is kept (in segments {}); the damaged file is in {} with a report. Nothing else of the log was removed.",
                d.base(), dir, lost, bases, moved);
        return bases;
    }

    private FileChannel create(long base, long originalBase, List<Path> written, List<Long> bases) throws IOException {
        Path p = dir.resolve(Segment.fileName(base, FROM + Segment.fileName(originalBase, "") + REPAIR));
        written.add(p);
        bases.add(base);
        return FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    }

    private static void transfer(FileChannel in, long from, long count, FileChannel out) throws IOException {
        long done = 0;
        while (done < count) {
            long n = in.transferTo(from + done, count - done, out);
            if (n <= 0) {
                throw new IOException("could not copy bytes " + (from + done) + ".." + (from + count));
            }
            done += n;
        }
    }

    private static void readFully(FileChannel in, ByteBuffer into, long position) throws IOException {
        while (into.hasRemaining()) {
            if (in.read(into, position + into.position()) < 0) {
                throw new IOException("unexpected end of file at " + (position + into.position()));
            }
        }
    }

    /** {@code <base>.log.from-<original>.repair} to {@code <base>.log}. */
    private static Path finalName(Path repairFile) {
        String name = repairFile.getFileName().toString();
        return repairFile.resolveSibling(name.substring(0, name.indexOf(FROM)) + ".log");
    }

    /**
     * Renames the files of a committed repair into place, the one that takes the original's name last: until then the
     * original's name is free, which is how {@link #finishInterruptedRepairs} knows the repair was committed.
     */
    private void renameIntoPlace(List<Path> repairFiles, Path original) throws IOException {
        List<Path> ordered = new ArrayList<>(repairFiles);
        ordered.sort((a, b) -> Boolean.compare(finalName(a).equals(original), finalName(b).equals(original)));
        for (Path p : ordered) {
            Files.move(p, finalName(p), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        Quarantine.fsync(dir);
    }

    /**
     * Deletes the files of repairs whose original is still here (they start over) and completes those whose original
     * is gone (moved to the quarantine: committed). Returns the base offsets of the segments it completed.
     */
    private List<Long> finishInterruptedRepairs() throws IOException {
        Map<Path, List<Path>> byOriginal = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + REPAIR)) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                int from = name.indexOf(FROM);
                if (from < 0) {
                    Files.delete(p);
                    continue;
                }
                Path original = dir.resolve(name.substring(from + FROM.length(), name.length() - REPAIR.length()) + ".log");
                byOriginal.computeIfAbsent(original, o -> new ArrayList<>()).add(p);
            }
        }
        List<Long> completed = new ArrayList<>();
        for (Map.Entry<Path, List<Path>> repair : byOriginal.entrySet()) {
            if (Files.exists(repair.getKey())) {
                for (Path p : repair.getValue()) {
                    Files.delete(p);
                }
                Quarantine.fsync(dir);
                continue;
            }
            renameIntoPlace(repair.getValue(), repair.getKey());
            for (Path p : repair.getValue()) {
                String name = finalName(p).getFileName().toString();
                completed.add(Long.parseLong(name.substring(0, name.length() - 4)));
            }
            log.warn("Finished an interrupted repair of {}: segments {} are in place", dir, completed);
        }
        return completed;
    }
}
