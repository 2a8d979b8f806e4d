package dev.brook.log;

import java.io.Closeable;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;

/**
 * All the logs in one data directory, the clean-shutdown marker and the recovery-point checkpoint.
 * (Contract only; the storage engine fills it in.)
 */
public final class LogManager implements Closeable {

    /** Opens the data directory; reads and removes the clean-shutdown marker. */
    public static LogManager open(Path dataDir, Clock clock, long retentionCheckIntervalMs) {
        throw new UnsupportedOperationException("storage engine pending");
    }

    /** Opens or creates the log for {@code tp} (directory {@code <topic>-<partition>}), recovering it after an unclean shutdown. */
    public Log openLog(TopicPartition tp, LogConfig config) { throw new UnsupportedOperationException(); }

    public Optional<Log> log(TopicPartition tp) { throw new UnsupportedOperationException(); }

    public Map<TopicPartition, Log> logs() { throw new UnsupportedOperationException(); }

    /** Closes the log and deletes its files. */
    public void deleteLog(TopicPartition tp) { throw new UnsupportedOperationException(); }

    public boolean wasCleanShutdown() { throw new UnsupportedOperationException(); }

    public Path dataDir() { throw new UnsupportedOperationException(); }

    /** Flushes every log, checkpoints recovery points, writes the clean-shutdown marker. */
    @Override
    public void close() { throw new UnsupportedOperationException(); }
}
