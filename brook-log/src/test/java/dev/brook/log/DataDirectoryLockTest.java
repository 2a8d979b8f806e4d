package dev.brook.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoryLockTest {

    @TempDir
    Path dir;

    @Test
    void aSecondLogManagerOnAnOpenDirectoryIsRefusedAndTheFirstKeepsItsMarkerState() throws Exception {
        LogManager first = LogManager.open(dir, new MutableClock(), 60_000, 100);
        first.openLog(new TopicPartition("t", 0), LogConfig.defaults()).append(Batches.of(1, "a", "b", "c"));

        assertThatThrownBy(() -> LogManager.open(dir, new MutableClock(), 60_000, 100))
                .isInstanceOf(DataDirectoryInUseException.class)
                .hasMessageContaining(dir.toAbsolutePath().toString())
                .hasMessageContaining("process " + ProcessHandle.current().pid());

        first.close();
        assertThat(Files.exists(dir.resolve(LogManager.CLEAN_SHUTDOWN))).as("the first closed cleanly").isTrue();
        LogManager again = LogManager.open(dir, new MutableClock(), 60_000, 100);
        assertThat(again.wasCleanShutdown()).as("the lock is free again after close").isTrue();
        again.close();
    }

    @Test
    void aLockFileLeftBehindDoesNotMakeAnEmptyDirectoryLookUsed() throws Exception {
        Files.writeString(dir.resolve(".lock"), "12345");

        LogManager manager = LogManager.open(dir, new MutableClock(), 60_000, 100);

        assertThat(manager.wasCleanShutdown()).as("nothing to recover in a directory holding only a stale lock file").isTrue();
        manager.close();
    }
}
