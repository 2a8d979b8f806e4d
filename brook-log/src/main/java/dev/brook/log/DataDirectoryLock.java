package dev.brook.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The lock that makes a data directory one broker's: an OS lock ({@code fcntl}, via {@link FileChannel#tryLock}) on
 * {@code <data-dir>/.lock}, held from {@link LogManager#open} until the process ends or {@link #release}. The file
 * holds the holder's process id as text, for the message the next contender prints; the lock itself, not the
 * file, is what counts, so a file left by a killed process is simply locked again.
 *
 * <p>Why: two brokers on one directory both run recovery and append to the same segments. That once made the live
 * broker fault on its memory-mapped indexes and left 1.49 million acknowledged records unreadable.
 *
 * <p>The kernel drops the lock when the process dies, however it dies. A second broker in the same JVM is refused
 * too ({@link OverlappingFileLockException}).
 */
final class DataDirectoryLock {
    static final String FILE = ".lock";
    /**
     * Directories locked by this JVM. Checked before the lock file is even opened: closing any descriptor of a file
     * drops every POSIX lock this process holds on it, so a second broker in the same JVM must not open it at all.
     */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path dataDir;
    private final FileChannel channel;
    private final FileLock lock;

    private DataDirectoryLock(Path dataDir, FileChannel channel, FileLock lock) {
        this.dataDir = dataDir;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock, or throws without having changed anything in the directory.
     *
     * @throws DataDirectoryInUseException when another broker holds it
     */
    static DataDirectoryLock acquire(Path dataDir) throws IOException {
        Path real = dataDir.toRealPath();
        if (!HELD.add(real)) {
            throw new DataDirectoryInUseException(dataDir, "process " + ProcessHandle.current().pid() + " (this one)");
        }
        Path file = real.resolve(FILE);
        FileChannel channel;
        FileLock lock;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            if (lock == null) {
                String holder = holder(channel);
                channel.close();
                throw new DataDirectoryInUseException(dataDir, holder);
            }
        } catch (IOException | RuntimeException e) {
            HELD.remove(real);
            throw e;
        }
        try {
            byte[] pid = Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(pid), 0);
        } catch (IOException e) {
            // a full disk: the lock holds all the same; only the next contender's message loses the pid
        }
        return new DataDirectoryLock(real, channel, lock);
    }

    private static String holder(FileChannel channel) {
        try {
            ByteBuffer buf = ByteBuffer.allocate(32);
            int n = channel.read(buf, 0);
            String pid = n <= 0 ? "" : new String(buf.array(), 0, n, StandardCharsets.UTF_8).trim();
            return pid.isEmpty() || !pid.chars().allMatch(Character::isDigit) ? "another process" : "process " + pid;
        } catch (IOException e) {
            return "another process";
        }
    }

    /** Lets the next broker in. The file stays (removing it would race with a contender that just opened it). */
    void release() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel releases it too
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing left to do
        }
        HELD.remove(dataDir);
    }
}
