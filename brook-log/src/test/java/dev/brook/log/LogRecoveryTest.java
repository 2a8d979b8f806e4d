package dev.brook.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    private final LogConfig config = new LogConfig(700, Long.MAX_VALUE, -1, -1, 128, 4096, 1 << 20, TimestampType.CREATE_TIME, Long.MAX_VALUE, Long.MAX_VALUE, false, Long.MAX_VALUE, Long.MAX_VALUE);

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

    private List<Path> segmentFiles() throws Exception {
        try (var files = Files.list(dir())) {
            return files.filter(f -> f.toString().endsWith(".log")).sorted().toList();
        }
    }

    private static long baseOf(Path segment) {
        return Long.parseLong(segment.getFileName().toString().replace(".log", ""));
    }


    private Path quarantine() {
        return root.resolve("quarantine").resolve("t-0");
    }

    @Test
    void aCorruptPayloadByteInAnOlderSegmentLosesOnlyItsBatchAndQuarantinesTheFileInsteadOfDroppingLaterSegments() throws Exception {
        Log log = Log.open(dir(), config, clock, false, 0);
        List<String> expected = fill(log, 20);
        assertThat(log.segmentCount()).isGreaterThan(3);
        Path second = segmentFiles().get(1);
        long secondBase = baseOf(second);
        int secondCount = (int) (baseOf(segmentFiles().get(2)) - secondBase);
        DiskDamage.flip(second, -10, 0xff); // inside the last batch of the second segment: its CRC no longer holds

        Log recovered = Log.open(dir(), config, clock, true, 0); // a full recovery, as with no checkpoint

        long lost = secondBase + secondCount - 1;
        List<String> kept = new ArrayList<>(expected);
        kept.remove((int) lost);
        assertThat(Batches.readAll(recovered)).as("every record but the damaged batch's, at its offset").isEqualTo(kept);
        assertThat(recovered.logEndOffset()).isEqualTo(20);
        assertThat(quarantine().resolve(second.getFileName())).exists();
        assertThat(Files.readString(quarantine().resolve(second.getFileName() + ".txt")))
                .contains("no whole batch", "offsets " + secondBase + ".." + (lost - 1) + ", kept");
        assertThat(recovered.append(Batches.of(5, "after")).firstOffset()).isEqualTo(20);
        recovered.close();

        Log again = Log.open(dir(), config, clock, true, 0);
        assertThat(Batches.readAll(again)).as("a second recovery finds nothing more to do").hasSize(20);
        again.close();
    }

    @Test
    void aCorruptByteInTheMiddleOfTheActiveSegmentIsNotATornTailAndTheBatchesAfterItAreKept() throws Exception {
        LogConfig oneSegment = config.withSegmentBytes(1 << 20);
        Log log = Log.open(dir(), oneSegment, clock, false, 0);
        List<String> expected = fill(log, 10);
        DiskDamage.flip(segmentFiles().get(0), 3 * 230 + 100, 0x01); // inside the fourth batch

        Log recovered = Log.open(dir(), oneSegment, clock, true, 0);

        List<String> kept = new ArrayList<>(expected);
        kept.remove(3);
        assertThat(Batches.readAll(recovered)).isEqualTo(kept);
        assertThat(recovered.logEndOffset()).isEqualTo(10);
        assertThat(recovered.segmentCount()).as("split around the lost batch, so offsets stay contiguous in each segment").isEqualTo(2);
        assertThat(recovered.read(3, 1 << 20).records().batches().iterator().next().baseOffset()).as("a read in the gap").isEqualTo(4);
        recovered.close();
    }

    @Test
    void aFlippedBaseOffsetByteFoundAfterACleanRestartIsRepairedAtTheNextAndEveryRecordStaysReachable() throws Exception {
        Log log = Log.open(dir(), config, clock, false, 0);
        List<String> expected = fill(log, 20);
        log.close();
        Path third = segmentFiles().get(2);
        DiskDamage.flip(third, 0, 0x40); // the high byte of the first batch's base offset: 2^62 higher

        // a clean open trusts its snapshot and does not read old segments' headers: a read finds the damage
        Log first = Log.open(dir(), config, clock, false, 0);
        assertThatThrownBy(() -> Batches.readAll(first)).isInstanceOf(LogException.class).hasMessageContaining("damaged");
        first.close();
        Log again = Log.open(dir(), config, clock, false, 0);

        assertThat(Batches.readAll(again)).isEqualTo(expected);
        for (int offset = 0; offset < 20; offset++) {
            assertThat(Batches.values(again.read(offset, 1).records())).first().asString().startsWith(offset + ":");
        }
        assertThat(Files.readString(quarantine().resolve(third.getFileName() + ".txt"))).contains("base offset read");
        again.close();
    }

    @Test
    void aFlippedLowBaseOffsetByteInTheActiveSegmentIsRepairedToo() throws Exception {
        Log log = Log.open(dir(), config, clock, false, 0);
        List<String> expected = fill(log, 20);
        log.close();
        Path last = segmentFiles().get(segmentFiles().size() - 1);
        long firstBatchSize;
        try (RandomAccessFile raf = new RandomAccessFile(last.toFile(), "r")) {
            raf.seek(8);
            firstBatchSize = 12 + raf.readInt();
        }
        DiskDamage.flip(last, firstBatchSize + 7, 0x04); // the low byte of the second batch's base offset: 4 off

        Log again = Log.open(dir(), config, clock, false, 0);

        assertThat(Batches.readAll(again)).isEqualTo(expected);
        assertThat(again.append(Batches.of(5, "next")).firstOffset()).isEqualTo(20);
        again.close();
    }

    @Test
    void aBaseOffsetDamagedWhileTheLogIsOpenGetsCorruptMessageInsteadOfAnEmptyAnswer() throws Exception {
        Log log = Log.open(dir(), config.withSegmentBytes(1 << 20), clock, false, 0);
        fill(log, 10);
        long batchSize = Batches.of(1000, "v0-" + "p".repeat(150)).sizeInBytes();
        DiskDamage.flip(segmentFiles().get(0), 5 * batchSize, 0x40); // batch 5 now says it starts 2^62 later

        assertThat(Batches.values(log.read(4, 1 << 20).records())).as("up to the damage").containsExactly(
                "4:v4-" + "p".repeat(150));
        LogException e = org.assertj.core.api.Assertions.catchThrowableOfType(LogException.class, () -> log.read(5, 1 << 20));
        assertThat(e.error()).isEqualTo(org.apache.kafka.common.protocol.Errors.CORRUPT_MESSAGE);
        assertThat(e.getMessage()).contains("damaged");
        log.close();
    }

    @Test
    void anInterruptedRepairIsFinishedOrStartedOverAtTheNextOpen() throws Exception {
        Log log = Log.open(dir(), config, clock, false, 0);
        List<String> expected = fill(log, 20);
        log.close();
        Path third = segmentFiles().get(2);
        // a repair file whose original is still in place: the repair never reached its commit point
        Files.write(dir().resolve(Segment.fileName(baseOf(third), ".log.from-" + Segment.fileName(baseOf(third), "") + ".repair")),
                new byte[] {1, 2, 3});
        // a repair whose original is gone (moved to the quarantine): only the rename is left to do
        Path fourth = segmentFiles().get(3);
        Path moved = dir().resolve(Segment.fileName(baseOf(fourth), ".log.from-" + Segment.fileName(baseOf(fourth), "") + ".repair"));
        Files.move(fourth, moved);

        Log again = Log.open(dir(), config, clock, false, 0);

        assertThat(Batches.readAll(again)).isEqualTo(expected);
        try (var files = Files.list(dir())) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".repair"));
        }
        again.close();
    }

    @Test
    void aCommittedRepairOfSeveralFilesIsFinishedWhicheverOfThemWereAlreadyRenamed() throws Exception {
        Log log = Log.open(dir(), config, clock, false, 0);
        List<String> expected = fill(log, 20);
        log.close();
        Path fourth = segmentFiles().get(3);
        Path fifth = segmentFiles().get(4);
        String from = ".log.from-" + Segment.fileName(baseOf(fourth), "") + ".repair";
        // as if the fourth segment had been split into two files, the original moved to the quarantine, and the crash
        // came before either rename
        Files.move(fourth, dir().resolve(Segment.fileName(baseOf(fourth), from)));
        Files.move(fifth, dir().resolve(Segment.fileName(baseOf(fifth), from)));

        Log again = Log.open(dir(), config, clock, false, 0);

        assertThat(Batches.readAll(again)).isEqualTo(expected);
        again.close();
    }

    @Test
    void aDamagedLengthFieldInTheActiveSegmentIsFoundAtACleanRestartAndTheBatchesAfterItAreKept() throws Exception {
        LogConfig oneSegment = config.withSegmentBytes(1 << 20);
        Log log = Log.open(dir(), oneSegment, clock, false, 0);
        List<String> expected = fill(log, 10);
        log.close();
        long batchSize = Batches.of(1000, "v0-" + "p".repeat(150)).sizeInBytes();
        DiskDamage.flip(segmentFiles().get(0), 3 * batchSize + 8, 0x40); // batch 3's length now runs past the file

        Log again = Log.open(dir(), oneSegment, clock, false, 0);

        List<String> kept = new ArrayList<>(expected);
        kept.remove(3);
        assertThat(Batches.readAll(again)).as("a walk that stopped at the bad length used to end the log there").isEqualTo(kept);
        assertThat(again.logEndOffset()).isEqualTo(10);
        again.close();
    }

    @Test
    void aLengthFieldDamagedWhileTheLogIsOpenGetsCorruptMessage() throws Exception {
        Log log = Log.open(dir(), config.withSegmentBytes(1 << 20), clock, false, 0);
        fill(log, 10);
        long batchSize = Batches.of(1000, "v0-" + "p".repeat(150)).sizeInBytes();
        DiskDamage.flip(segmentFiles().get(0), 6 * batchSize + 8, 0x40);

        LogException e = org.assertj.core.api.Assertions.catchThrowableOfType(LogException.class, () -> log.read(6, 1 << 20));
        assertThat(e).as("a read at the damaged batch").isNotNull();
        assertThat(e.error()).isEqualTo(org.apache.kafka.common.protocol.Errors.CORRUPT_MESSAGE);
        assertThat(Batches.values(log.read(5, 1 << 20).records())).as("a read up to it serves what comes before")
                .containsExactly("5:v5-" + "p".repeat(150));
        assertThat(Batches.values(log.read(7, 1 << 20).records())).as("the index still finds the batches after it")
                .first().asString().startsWith("7:");
        log.close();
    }

    @Test
    void garbageAppendedToTheActiveSegmentIsATornTailAndIsCut() throws Exception {
        Log log = Log.open(dir(), config, clock, false, 0);
        List<String> expected = fill(log, 12);
        byte[] garbage = new byte[300];
        new java.util.Random(42).nextBytes(garbage);
        Files.write(lastSegmentFile(), garbage, StandardOpenOption.APPEND);

        Log recovered = Log.open(dir(), config, clock, true, 0);

        assertThat(Batches.readAll(recovered)).isEqualTo(expected);
        assertThat(quarantine()).as("a torn tail is cut, not quarantined").doesNotExist();
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
