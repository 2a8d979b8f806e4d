package dev.brook.log;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.internals.Crc32C;

/**
 * What a log knew when it was closed cleanly, so that the next clean open needs to read neither its batch headers nor
 * its producers' batches: each segment's end offset and largest timestamp, and the idempotent producers' state. Its
 * open time then grows with the number of segments and the size of the active one, not with the log's size.
 *
 * <p>File {@code <log end offset, 20 digits>.snapshot} in the log's directory, written (temporary file, fsync, rename)
 * by {@link Log#close} ({@link AtomicFile}); big-endian:
 * <pre>
 *   int16 version (2; a version-1 snapshot, without transactions, is not used) | int64 log end offset
 *   int32 segments, then for each: int64 base offset | int64 next offset | int64 max timestamp | int64 offset of it
 *   producers ({@link ProducerStateTable#writeTo})
 *   int32 CRC-32C of everything before it
 * </pre>
 * It describes the log only as it was at that close: an open deletes it whatever it finds, and uses it only when the
 * data directory was shut down cleanly, its CRC holds, and the segments on disk and the log end it finds are the ones it
 * names; anything else, and the log is loaded by reading its headers, as after a crash.
 *
 * <p>Roll snapshots, {@code <offset, 20 digits>.roll-snapshot} in the same format, are written at every segment roll
 * ({@link #writeAtRoll}) for the open after a crash: the newest one at or below the recovery point stands in for the
 * batch headers of the segments it describes and gives the producers as of its offset, so only the segments after it
 * are walked. They are deleted when the cleaner swaps segments, and a segment they describe that is no longer as
 * described (retention removed it; its end offset overlaps the next segment) is walked instead.
 */
final class LogSnapshot {
    private static final String SUFFIX = ".snapshot";
    private static final String ROLL_SUFFIX = ".roll-snapshot";
    private static final int ROLL_SNAPSHOTS_KEPT = 2;
    private static final short VERSION = 2;

    /** One segment as the snapshot saw it. */
    record SegmentSummary(long nextOffset, long maxTimestamp, long offsetOfMaxTimestamp) {
    }

    final long logEndOffset;
    final Map<Long, SegmentSummary> segments;
    final ProducerStateTable producers;

    private LogSnapshot(long logEndOffset, Map<Long, SegmentSummary> segments, ProducerStateTable producers) {
        this.logEndOffset = logEndOffset;
        this.segments = segments;
        this.producers = producers;
    }

    /** Writes the snapshot of a log about to close (caller holds its lock, everything flushed). */
    static void write(Path dir, long logEndOffset, Iterable<Segment> segments, ProducerStateTable producers) throws IOException {
        AtomicFile.write(dir.resolve(Segment.fileName(logEndOffset, SUFFIX)), bytes(logEndOffset, segments, producers));
    }

    /**
     * Writes the roll snapshot {@code <offset>.roll-snapshot}: the segments below {@code offset} (the new active
     * segment's base) and the producers as of it, in the same format. Not fsynced: it counts only once the data below
     * it is flushed, and a torn or missing one fails its CRC or is not there, and the log is read as without it. Keeps
     * the newest {@value #ROLL_SNAPSHOTS_KEPT}. Caller holds the log's lock.
     */
    static void writeAtRoll(Path dir, long offset, Iterable<Segment> below, ProducerStateTable producers) throws IOException {
        Path file = dir.resolve(Segment.fileName(offset, ROLL_SUFFIX));
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, bytes(offset, below, producers));
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        List<Path> rolls = rollSnapshots(dir);
        for (int i = 0; i < rolls.size() - ROLL_SNAPSHOTS_KEPT; i++) {
            Files.deleteIfExists(rolls.get(i));
        }
    }

    /**
     * The newest readable roll snapshot taken at an offset of at most {@code atMost} (the recovery point after a crash:
     * what it describes must have been flushed), or null.
     */
    static LogSnapshot latestRoll(Path dir, long atMost) throws IOException {
        List<Path> rolls = rollSnapshots(dir);
        for (int i = rolls.size() - 1; i >= 0; i--) {
            String name = rolls.get(i).getFileName().toString();
            if (Long.parseLong(name.substring(0, name.length() - ROLL_SUFFIX.length())) <= atMost) {
                LogSnapshot s = parse(Files.readAllBytes(rolls.get(i)));
                if (s != null) {
                    return s;
                }
            }
        }
        return null;
    }

    /** Deletes every roll snapshot: the segments they describe are about to change (a cleaner swap). */
    static void deleteRollSnapshots(Path dir) throws IOException {
        for (Path p : rollSnapshots(dir)) {
            Files.deleteIfExists(p);
        }
    }

    /** The roll snapshot files in {@code dir}, oldest first. */
    private static List<Path> rollSnapshots(Path dir) throws IOException {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + ROLL_SUFFIX)) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                if (name.length() == 20 + ROLL_SUFFIX.length() && name.chars().limit(20).allMatch(Character::isDigit)) {
                    found.add(p);
                }
            }
        }
        found.sort(Comparator.comparing(Path::getFileName));
        return found;
    }

    private static byte[] bytes(long logEndOffset, Iterable<Segment> segments, ProducerStateTable producers) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeShort(VERSION);
        out.writeLong(logEndOffset);
        int n = 0;
        for (Segment ignored : segments) {
            n++;
        }
        out.writeInt(n);
        for (Segment s : segments) {
            out.writeLong(s.baseOffset);
            out.writeLong(s.nextOffset);
            out.writeLong(s.maxTimestamp);
            out.writeLong(s.offsetOfMaxTimestamp);
        }
        producers.writeTo(out);
        out.flush();
        byte[] body = bytes.toByteArray();
        return ByteBuffer.allocate(body.length + 4).put(body).putInt((int) Crc32C.compute(body, 0, body.length)).array();
    }

    /** Reads the newest snapshot in {@code dir} and deletes every snapshot there; null if there is none or it is unreadable. */
    static LogSnapshot takeFrom(Path dir) throws IOException {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX + "*")) {
            files.forEach(found::add);
        }
        Path newest = found.stream().filter(p -> p.getFileName().toString().endsWith(SUFFIX))
                .max(Comparator.comparing(Path::getFileName)).orElse(null);
        LogSnapshot snapshot = newest == null ? null : parse(Files.readAllBytes(newest));
        for (Path p : found) {
            Files.deleteIfExists(p);
        }
        return snapshot;
    }

    private static LogSnapshot parse(byte[] file) {
        if (file.length < 4 + 2 + 8 + 4) {
            return null;
        }
        int crc = ByteBuffer.wrap(file, file.length - 4, 4).getInt();
        if ((int) Crc32C.compute(file, 0, file.length - 4) != crc) {
            return null;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(file, 0, file.length - 4))) {
            if (in.readShort() != VERSION) {
                return null;
            }
            long end = in.readLong();
            int n = in.readInt();
            Map<Long, SegmentSummary> segments = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                segments.put(in.readLong(), new SegmentSummary(in.readLong(), in.readLong(), in.readLong()));
            }
            ProducerStateTable producers = new ProducerStateTable();
            producers.readFrom(in);
            return new LogSnapshot(end, segments, producers);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
