package dev.brook.log;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;

/** What a bad disk does to a file, done on purpose by a test. Shared with brook-it through this module's test jar. */
public final class DiskDamage {
    private DiskDamage() {
    }

    /** XORs the byte at {@code position} of {@code file} (negative: counted from the end) with {@code mask}. */
    public static void flip(Path file, long position, int mask) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            long at = position < 0 ? raf.length() + position : position;
            raf.seek(at);
            int b = raf.read();
            raf.seek(at);
            raf.write(b ^ mask);
        }
    }
}
