package dev.brook.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a restart finds after a clean close, a torn write, a corrupt byte or a damaged index. */
class LogRecoveryTest {
    @TempDir
    Path root;
    private final MutableClock clock = new MutableClock();
    private final LogConfig config = new LogConfig(700, Long.MAX_VALUE, -1, -1, 128, 4096, 1 << 20, TimestampType.CREATE_TIME, Long.MAX_VALUE, Long.MAX_VALUE);

    private Path dir() {
        return root.resolve("t-0");
    }

    /** Appends {@code n} batches and leaves the log open, as a killed process would. */
    private List<String> fill(Log log, int n) {
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String v = "v" + i + "-" + "p".repeat(150);
            long off = log.append(Batches.of(1000 + i, v)).firstOffset();
            expected.add(off + ":" + v);
        }
        log.flush();
        return expected;
    }

    private Path lastSegmentFile() throws Exception {
        try (var files = Files.list(dir())) {
            return files.filter(f -> f.toString().endsWith(".log")).sorted().reduce((a, b) -> b).orElseThrow();
        }
    }

    @Test
    void aCleanCloseKeepsEverythingAndAppendsContinue() {
        Log log = Log.open(dir(), config, clock, false, 0);
        List<String> expected = fill(log, 12);
        log.close();
        Log again = Log.open(dir(), config, clock, false, 0);
        assertThat(Batches.readAll(again)).isEqualTo(expected);
        assertThat(again.append(Batches.of(5, "next")).firstOffset()).isEqualTo(12);
        again.close();
    }

    @Test
    void aTornTailIsCutAndEveryCompleteBatchSurvives() throws Exception {
        Log log = Log.open(dir(), config, clock, false, 0);
        List<String> expected = fill(log, 12);
        byte[] partial = new byte[40];
        byte[] whole = Batches.of(2000, "torn").buffer().array();
        System.arraycopy(whole, 0, partial, 0, partial.length);
        Files.write(lastSegmentFile(), partial, StandardOpenOption.APPEND);

        Log recovered = Log.open(dir(), config, clock, true, 0);
        assertThat(Batches.readAll(recovered)).isEqualTo(expected);
        assertThat(recovered.logEndOffset()).isEqualTo(12);
        assertThat(recovered.append(Batches.of(5, "after")).firstOffset()).isEqualTo(12);
        assertThat(Batches.readAll(recovered)).hasSize(13).last().asString().isEqualTo("12:after");
        recovered.close();
    }

    @Test
    void aZeroFilledTailIsCut() throws Exception {
        Log log = Log.open(dir(), config, clock, false, 0);
        List<String> expected = fill(log, 5);
        Files.write(lastSegmentFile(), new byte[4096], StandardOpenOption.APPEND);
        Log recovered = Log.open(dir(), config, clock, true, 0);
        assertThat(Batches.readAll(recovered)).isEqualTo(expected);
        recovered.close();
    }

    @Test
    void aCorruptByteInAnEarlierSegmentTruncatesThereAndDropsLaterSegments() throws Exception {
        Log log = Log.open(dir(), config, clock, false, 0);
        List<String> expected = fill(log, 20);
        assertThat(log.segmentCount()).isGreaterThan(3);
        Path second;
        try (var files = Files.list(dir())) {
            second = files.filter(f -> f.toString().endsWith(".log")).sorted().skip(1).findFirst().orElseThrow();
        }
        long secondBase = Long.parseLong(second.getFileName().toString().replace(".log", ""));
        try (RandomAccessFile raf = new RandomAccessFile(second.toFile(), "rw")) {
            raf.seek(raf.length() - 10);
            int b = raf.read();
            raf.seek(raf.length() - 10);
            raf.write(b ^ 0xff);
        }
        Log recovered = Log.open(dir(), config, clock, true, 0);
        List<String> survived = Batches.readAll(recovered);
        assertThat(survived).isEqualTo(expected.subList(0, survived.size()));
        assertThat(survived.size()).isGreaterThanOrEqualTo((int) secondBase).isLessThan(20);
        assertThat(recovered.logEndOffset()).isEqualTo(survived.size());
        recovered.close();
    }

    @Test
    void damagedIndexesAreRebuiltFromTheSegments() throws Exception {
        Log log = Log.open(dir(), config, clock, false, 0);
        List<String> expected = fill(log, 20);
        log.close();
        try (var files = Files.list(dir())) {
            for (Path p : files.filter(f -> f.toString().endsWith(".index")).toList()) {
                Files.write(p, new byte[] {1, 2, 3});
            }
        }
        Log again = Log.open(dir(), config, clock, false, 0);
        assertThat(Batches.readAll(again)).isEqualTo(expected);
        for (int offset = 0; offset < 20; offset++) {
            assertThat(Batches.values(again.read(offset, 1).records())).first().asString().startsWith(offset + ":");
        }
        again.close();
    }
}
