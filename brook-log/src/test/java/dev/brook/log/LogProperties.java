package dev.brook.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.LongRange;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;

/**
 * Random sequences of appends (random sizes, sometimes compressed), clean restarts, crash restarts, retention
 * and DeleteRecords, checked after every step against a model list of the values appended: the log end equals
 * the number of records ever appended, the log start never moves back, and reading from the start returns
 * exactly the model's records from there, at contiguous offsets.
 */
class LogProperties {

    /** Segment file names sort by base offset as text: 20 digits, zero-padded, as Kafka names them. */
    @Property
    void segmentFileNamesAreTheOffsetInTwentyDigits(@ForAll @LongRange(min = 0, max = Long.MAX_VALUE) long offset) {
        assertThat(Segment.fileName(offset, ".log")).isEqualTo(String.format("%020d.log", offset));
    }

    enum Kind { APPEND, APPEND_COMPRESSED, CLEAN_RESTART, CRASH_RESTART, RETENTION, DELETE_RECORDS }

    record Op(Kind kind, int a, int b) {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Kind> kinds = Arbitraries.frequencyOf(
                Tuple.of(10, Arbitraries.just(Kind.APPEND)), Tuple.of(3, Arbitraries.just(Kind.APPEND_COMPRESSED)),
                Tuple.of(1, Arbitraries.just(Kind.CLEAN_RESTART)), Tuple.of(1, Arbitraries.just(Kind.CRASH_RESTART)),
                Tuple.of(1, Arbitraries.just(Kind.RETENTION)), Tuple.of(1, Arbitraries.just(Kind.DELETE_RECORDS)));
        return Combinators.combine(kinds, Arbitraries.integers().between(1, 12), Arbitraries.integers().between(0, 400))
                .as(Op::new).list().ofMinSize(1).ofMaxSize(60);
    }

    @Property(tries = 40)
    void theLogAlwaysHoldsExactlyTheAppendedRecordsFromItsStart(@ForAll("ops") List<Op> ops) throws IOException {
        Path dir = Files.createTempDirectory("brook-log-prop");
        MutableClock clock = new MutableClock();
        LogConfig config = new LogConfig(2048, Long.MAX_VALUE, -1, -1, 256, 4096, 1 << 20, TimestampType.CREATE_TIME, Long.MAX_VALUE, Long.MAX_VALUE, false, Long.MAX_VALUE, Long.MAX_VALUE);
        Log log = Log.open(dir, config, clock, false, 0);
        List<String> model = new ArrayList<>();
        long start = 0;
        int counter = 0;
        try {
            for (Op op : ops) {
                switch (op.kind()) {
                    case APPEND, APPEND_COMPRESSED -> {
                        String[] values = new String[op.a()];
                        for (int i = 0; i < values.length; i++) {
                            values[i] = "r" + (counter++) + "-" + "x".repeat(op.b() / (i + 1));
                        }
                        Compression c = op.kind() == Kind.APPEND ? Compression.NONE : Compression.lz4().build();
                        AppendResult r = log.append(Batches.of(c, clock.millis(), values));
                        assertThat(r.firstOffset()).isEqualTo(model.size());
                        for (String v : values) {
                            model.add(v);
                        }
                    }
                    case CLEAN_RESTART -> {
                        log.close();
                        log = Log.open(dir, config, clock, false, 0);
                    }
                    case CRASH_RESTART -> log = Log.open(dir, config, clock, true, 0);
                    case RETENTION -> {
                        log.updateConfig(new LogConfig(2048, Long.MAX_VALUE, -1, op.b() * 10L, 256, 4096, 1 << 20, TimestampType.CREATE_TIME, Long.MAX_VALUE, Long.MAX_VALUE, false, Long.MAX_VALUE, Long.MAX_VALUE));
                        log.applyRetention();
                        log.updateConfig(config);
                    }
                    case DELETE_RECORDS -> {
                        if (!model.isEmpty()) {
                            long target = start + (long) (op.b() % (model.size() - start + 1));
                            log.deleteRecordsBefore(target);
                        }
                    }
                }
                assertThat(log.logEndOffset()).as("log end after %s", op).isEqualTo(model.size());
                assertThat(log.logStartOffset()).as("log start after %s", op).isGreaterThanOrEqualTo(start).isLessThanOrEqualTo(model.size());
                start = log.logStartOffset();
                List<String> expected = new ArrayList<>();
                for (long o = start; o < model.size(); o++) {
                    expected.add(o + ":" + model.get((int) o));
                }
                assertThat(Batches.readAll(log)).as("contents after %s", op).isEqualTo(expected);
            }
        } finally {
            log.close();
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
