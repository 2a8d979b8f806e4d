package dev.brook.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Where damaged segment files go instead of being deleted: {@code <data-dir>/quarantine/<topic>-<partition>/}, one
 * file per damaged segment as it was on disk (moved there, not copied), beside a {@code .txt} report of what was
 * found in it, byte range by byte range, and what the log kept. An operator can inspect them, salvage records with
 * any tool that reads Kafka segments, and delete them; Brook never reads or removes them again.
 *
 * <p>Why: corruption in a flushed segment is not a torn tail. Cutting the log there, as recovery did, deleted every
 * later segment with it (24,599 acknowledged records in one test). Now the log keeps every whole batch and only the
 * bytes that cannot be served leave it, to here.
 */
final class Quarantine {
    static final String DIR = "quarantine";

    private final Path dir;

    /** The quarantine of the log in {@code logDir}, a directory of the data directory. */
    Quarantine(Path logDir) {
        Path dataDir = logDir.toAbsolutePath().getParent();
        this.dir = dataDir.resolve(DIR).resolve(logDir.getFileName());
    }

    Path dir() {
        return dir;
    }

    /**
     * Moves {@code segmentFile} here with its report, durably (the file and both directories are fsynced), and
     * returns where it went. A name already taken by an earlier quarantine gets a numbered suffix.
     */
    Path moveHere(Path segmentFile, String report) throws IOException {
        Files.createDirectories(dir);
        String name = segmentFile.getFileName().toString();
        Path target = dir.resolve(name);
        for (int n = 1; Files.exists(target) || Files.exists(reportOf(target)); n++) {
            target = dir.resolve(name + "." + n);
        }
        Path reportFile = reportOf(target);
        Files.writeString(reportFile, report, StandardCharsets.UTF_8);
        fsync(reportFile);
        Files.move(segmentFile, target, StandardCopyOption.ATOMIC_MOVE);
        fsync(dir);
        fsync(dir.getParent());
        fsync(dir.getParent().getParent());
        fsync(segmentFile.getParent());
        return target;
    }

    private static Path reportOf(Path quarantined) {
        return quarantined.resolveSibling(quarantined.getFileName() + ".txt");
    }

    static void fsync(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
