package dev.brook.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A small run of {@code brook-bench compaction}: the cleaner finishes and shrinks the log; both opens are timed. */
@Timeout(120)
class CompactionBenchSmokeTest {
    @TempDir
    Path dir;

    @Test
    void theCleanerShrinksTheLogAndBothOpensAreMeasured() throws Exception {
        CompactionBench b = new CompactionBench(dir, 2_000, 10, 200, new long[] {8L << 20}, 1);
        b.run();
        assertThat(b.lines).hasSize(2);
        assertThat(b.lines.get(0)).startsWith("| cleaner: 2,000 keys × 10 writes");
        assertThat(b.lines.get(1)).startsWith("| open: ").contains("after a clean close");
    }
}
