package dev.brook.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The log refuses a batch whose CRC holds but whose records no consumer could read, and accepts exactly what
 * kafka-clients' producers write. Every refused case here was stored with error 0 before, and made the partition
 * unreadable for the Java consumer.
 */
class RecordValidationTest {
    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock();
    private Log log;

    @BeforeEach
    void open() {
        log = Log.open(dir.resolve("t-0"), LogConfig.defaults(), clock, false, 0);
    }

    @AfterEach
    void close() {
        log.close();
    }

    private long now() {
        return clock.millis();
    }

    static Stream<Arguments> brokenBatches() {
        long t = new MutableClock().millis();
        return Stream.of(
                Arguments.of("a key length of -5", (Supplier<MemoryRecords>) () -> new BatchForge().fields(0, -5).build(t)),
                Arguments.of("a value length of -7", (Supplier<MemoryRecords>) () -> new BatchForge().fields(0, 1, 0, -7).build(t)),
                Arguments.of("a value longer than the batch", (Supplier<MemoryRecords>) () -> new BatchForge().fields(0, -1, 1000).build(t)),
                Arguments.of("a negative header count", (Supplier<MemoryRecords>) () -> new BatchForge().fields(0, -1, -1, -3).build(t)),
                Arguments.of("a null header key", (Supplier<MemoryRecords>) () -> new BatchForge().fields(0, -1, -1, 1, -1, -1).build(t)),
                Arguments.of("a negative record length", (Supplier<MemoryRecords>) () ->
                        new BatchForge().varints(-20).raw(new byte[20]).countOneMore().build(t)),
                Arguments.of("a record length of 2^31-1", (Supplier<MemoryRecords>) () ->
                        new BatchForge().varints(Integer.MAX_VALUE).raw(new byte[20]).countOneMore().build(t)),
                Arguments.of("a record length longer than its fields", (Supplier<MemoryRecords>) () ->
                        new BatchForge().varints(12, 0, 0, 0, -1, -1, 0).raw(new byte[6]).countOneMore().build(t)),
                Arguments.of("an offset delta out of order", (Supplier<MemoryRecords>) () ->
                        new BatchForge().record("k0", "v0").record(5, 0, new byte[1], new byte[1]).build(t)),
                Arguments.of("fewer records than the count", (Supplier<MemoryRecords>) () ->
                        new BatchForge().record("k0", "v0").countOneMore().build(t)),
                Arguments.of("bytes after the last record", (Supplier<MemoryRecords>) () ->
                        new BatchForge().record("k0", "v0").raw(new byte[] {1, 2, 3}).build(t)),
                Arguments.of("a varint of six bytes", (Supplier<MemoryRecords>) () ->
                        new BatchForge().raw(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 1}).countOneMore().build(t)),
                Arguments.of("gzip: a negative key length", (Supplier<MemoryRecords>) () -> new BatchForge().fields(0, -9).build(Compression.gzip().build(), t)),
                Arguments.of("gzip: a record length of 2^31-1", (Supplier<MemoryRecords>) () ->
                        new BatchForge().varints(Integer.MAX_VALUE).raw(new byte[30]).countOneMore().build(Compression.gzip().build(), t)),
                Arguments.of("gzip: a stream that is not gzip", (Supplier<MemoryRecords>) () ->
                        new BatchForge().record("k", "v").buildClaiming(1, t)),
                Arguments.of("lz4: a stream that is not lz4", (Supplier<MemoryRecords>) () ->
                        new BatchForge().record("k", "v").buildClaiming(3, t)),
                Arguments.of("zstd: bytes after the last record", (Supplier<MemoryRecords>) () ->
                        new BatchForge().record("k", "v").raw(new byte[] {9, 9}).build(Compression.zstd().build(), t)),
                Arguments.of("snappy: a chunk that claims 500 MB (snappy-java would allocate it)", (Supplier<MemoryRecords>) () ->
                        new BatchForge().raw(new byte[] {(byte) 0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1,
                            0x1d, (byte) 0xcd, 0x65, 0x00, 1, 2, 3}).countOneMore().buildClaiming(2, t)),
                Arguments.of("snappy: a raw block that claims 2 GiB", (Supplier<MemoryRecords>) () ->
                        new BatchForge().raw(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07, 0, 0, 0})
                                .countOneMore().buildClaiming(2, t)),
                Arguments.of("snappy: fewer records than the count", (Supplier<MemoryRecords>) () ->
                        new BatchForge().record("k", "v").countOneMore().build(Compression.snappy().build(), t)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenBatches")
    void aBatchWithABrokenRecordIsRefusedAndNothingIsWritten(String what, Supplier<MemoryRecords> batch) {
        log.append(Batches.of(now(), "before"));
        MemoryRecords broken = batch.get();
        assertThat(broken.batches().iterator().next().isValid()).as("the forged batch's CRC holds").isTrue();

        LogException refused = catchThrowableOfType(LogException.class, () -> log.append(broken));

        assertThat(refused).as(what).isNotNull();
        assertThat(refused.error()).as(what + ": " + refused.getMessage()).isIn(Errors.INVALID_RECORD, Errors.CORRUPT_MESSAGE);
        assertThat(log.logEndOffset()).as("nothing appended").isEqualTo(1);
        log.append(Batches.of(now(), "after"));
        assertThat(Batches.readAll(log)).containsExactly("0:before", "1:after");
    }

    @Test
    void aRecordErrorNamesTheRecordAtFault() {
        MemoryRecords broken = new BatchForge().record("k0", "v0").record("k1", "v1").fields(2, -4).build(now());

        RecordValidationException e = catchThrowableOfType(RecordValidationException.class, () -> log.append(broken));

        assertThat(e.recordIndex()).isEqualTo(2);
        assertThat(e.error()).isEqualTo(Errors.INVALID_RECORD);
        assertThat(e.getMessage()).contains("record 2", "key length -4");
    }

    @Test
    void aBatchWhoseRecordsDecompressToMoreThanTheBoundIsRefusedWithoutInflatingItAll() {
        byte[] zeros = new byte[1 << 20];
        SimpleRecord[] records = new SimpleRecord[300];
        for (int i = 0; i < records.length; i++) {
            records[i] = new SimpleRecord(now(), null, zeros);
        }
        MemoryRecords bomb = MemoryRecords.withRecords(Compression.zstd().build(), records);
        assertThat(bomb.sizeInBytes()).as("300 MiB of zeros, compressed").isLessThan(LogConfig.defaults().maxMessageBytes());

        LogException e = catchThrowableOfType(LogException.class, () -> log.append(bomb));

        assertThat(e.error()).isEqualTo(Errors.INVALID_RECORD);
        assertThat(e.getMessage()).contains("would decompress to more than " + (256L << 20) + " bytes");
    }

    @Test
    void aSnappyChunkClaimingMoreThanTheBatchHoldsIsRefusedBeforeSnappyAllocatesIt() {
        MemoryRecords claim = new BatchForge().raw(new byte[] {(byte) 0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0, 0, 0, 0, 1, 0, 0, 0, 1,
            0x1d, (byte) 0xcd, 0x65, 0x00, 1, 2, 3}).countOneMore().buildClaiming(2, now());

        LogException e = catchThrowableOfType(LogException.class, () -> log.append(claim));

        assertThat(e.error()).isEqualTo(Errors.CORRUPT_MESSAGE);
        assertThat(e.getMessage()).contains("a chunk says it holds 500000000 bytes, but 3 are left");
    }

    @Test
    void aRawSnappyBlockClaimingMoreThanSnappyCanExpandIsRefusedBeforeSnappyAllocatesIt() {
        // varint 100,000,000 and four bytes: snappy-java would allocate 100 MB for the output
        MemoryRecords claim = new BatchForge().raw(new byte[] {(byte) 0x80, (byte) 0xc2, (byte) 0xd7, 0x2f, 1, 2, 3, 4})
                .countOneMore().buildClaiming(2, now());

        LogException e = catchThrowableOfType(LogException.class, () -> log.append(claim));

        assertThat(e.error()).isEqualTo(Errors.CORRUPT_MESSAGE);
        assertThat(e.getMessage()).contains("claims 100000000 uncompressed, more than snappy can expand");
    }

    @Test
    void aCompactedTopicRefusesARecordWithoutAKey() {
        log.updateConfig(LogConfig.defaults().withCompacted(true));

        assertThatThrownBy(() -> log.append(Batches.idempotent(1, (short) 0, 0, "keyless")))
                .isInstanceOfSatisfying(RecordValidationException.class, e -> assertThat(e.getMessage()).contains("without a key"));
        log.append(Batches.of(now(), "keyed"));
        assertThat(log.logEndOffset()).isEqualTo(1);
    }

    @Test
    void createTimeTimestampsOutsideTheBeforeAndAfterBoundsAreRefusedWithInvalidTimestamp() {
        log.updateConfig(LogConfig.defaults().withTimestampBeforeMaxMs(60_000).withTimestampAfterMaxMs(0));

        RecordValidationException tooOld = catchThrowableOfType(RecordValidationException.class,
                () -> log.append(Batches.of(now() - 60_001, "old")));
        RecordValidationException tooNew = catchThrowableOfType(RecordValidationException.class,
                () -> log.append(Batches.of(now() - 1, "ok", "still ok", "too new")));

        assertThat(tooOld.error()).isEqualTo(Errors.INVALID_TIMESTAMP);
        assertThat(tooNew.error()).isEqualTo(Errors.INVALID_TIMESTAMP);
        assertThat(tooNew.recordIndex()).as("now-1, now, now+1: the third is out").isEqualTo(2);
        log.append(Batches.of(now() - 60_000, "oldest allowed"));
        log.append(Batches.of(RecordBatch.NO_TIMESTAMP, "no timestamp"));
        assertThat(log.logEndOffset()).isEqualTo(2);
    }

    @Test
    void theDefaultAfterBoundIsAnHourAsInKafka() {
        assertThatThrownBy(() -> log.append(Batches.of(now() + 3_600_001, "from the future")))
                .isInstanceOfSatisfying(LogException.class, e -> assertThat(e.error()).isEqualTo(Errors.INVALID_TIMESTAMP));
    }

    @Test
    void aMaxTimestampThatDisagreesWithTheRecordsIsCorrectedAndTheCrcStillHolds() {
        MemoryRecords lying = new BatchForge().record(0, 0, null, bytes("a")).record(1, 500, null, bytes("b")).build(now());

        log.append(lying);

        RecordBatch stored = log.read(0, 1 << 20).records().batches().iterator().next();
        assertThat(stored.maxTimestamp()).isEqualTo(now() + 500);
        assertThat(stored.isValid()).isTrue();
        assertThat(log.offsetForTimestamp(now() + 400)).map(TimestampOffset::offset).contains(1L);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("codecs")
    void everyCodecsRealBatchWithKeysValuesNullsAndHeadersIsAcceptedAndReadBackIntact(String name, Compression compression) {
        SimpleRecord[] records = {
            new SimpleRecord(now(), bytes("k1"), bytes("v1"), new RecordHeader[] {new RecordHeader("h", bytes("x")), new RecordHeader("n", null)}),
            new SimpleRecord(now() + 1, null, bytes("no key")),
            new SimpleRecord(now() + 2, bytes("tombstone"), null),
            new SimpleRecord(now() + 3, bytes(""), bytes("")),
        };

        log.append(MemoryRecords.withRecords(compression, records));

        RecordBatch stored = log.read(0, 1 << 20).records().batches().iterator().next();
        stored.ensureValid();
        int i = 0;
        for (Record r : stored) {
            assertThat(r.offset()).isEqualTo(i);
            assertThat(r.hasKey()).isEqualTo(records[i].key() != null);
            assertThat(r.hasValue()).isEqualTo(records[i].value() != null);
            i++;
        }
        assertThat(i).isEqualTo(4);
    }

    static Stream<Arguments> codecs() {
        return Stream.of(Arguments.of("none", Compression.NONE), Arguments.of("gzip", Compression.gzip().build()),
                Arguments.of("snappy", Compression.snappy().build()), Arguments.of("lz4", Compression.lz4().build()),
                Arguments.of("zstd", Compression.zstd().build()));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
