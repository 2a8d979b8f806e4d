package dev.brook.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * Random writes, overwrites and tombstones over a small key space, with rolls (small segments), cleaning passes (with
 * an offset map so small that a pass covers only part of the dirty log), time passing, clean and crash restarts, and
 * crashes at every step of a segment swap; checked after every step against the model of everything appended:
 * <ul>
 *   <li>what the log holds, read from its start, is a subsequence of what was appended, every record at its original
 *       offset, offsets strictly increasing, the log end unchanged;</li>
 *   <li>each key's latest record is there, unless it is a tombstone older than {@code delete.retention.ms};</li>
 *   <li>a record is gone only if a later record has its key, or it is such a tombstone; and nothing newer than
 *       {@code min.compaction.lag.ms} is gone;</li>
 *   <li>after a pass, no key appears twice below the first dirty offset.</li>
 * </ul>
 */
class CompactionProperties {
    private static final long DELETE_RETENTION_MS = 5_000;
    private static final long MIN_LAG_MS = 2_000;

    enum Kind { APPEND, APPEND_COMPRESSED, CLEAN, TIME, CLEAN_RESTART, CRASH_RESTART, CRASH_IN_SWAP }

    record Op(Kind kind, int a, int b) {
    }

    /** One appended record. */
    record Entry(String key, String value, long timestamp) {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Kind> kinds = Arbitraries.frequencyOf(
                Tuple.of(12, Arbitraries.just(Kind.APPEND)), Tuple.of(3, Arbitraries.just(Kind.APPEND_COMPRESSED)),
                Tuple.of(5, Arbitraries.just(Kind.CLEAN)), Tuple.of(3, Arbitraries.just(Kind.TIME)),
                Tuple.of(1, Arbitraries.just(Kind.CLEAN_RESTART)), Tuple.of(1, Arbitraries.just(Kind.CRASH_RESTART)),
                Tuple.of(2, Arbitraries.just(Kind.CRASH_IN_SWAP)));
        return Combinators.combine(kinds, Arbitraries.integers().between(1, 10), Arbitraries.integers().between(0, 1000))
                .as(Op::new).list().ofMinSize(1).ofMaxSize(80);
    }

    @Property(tries = 200)
    void cleaningKeepsEachKeysLatestValueAtItsOffset(@ForAll("ops") List<Op> ops) throws Exception {
        Path dir = Files.createTempDirectory("brook-compaction-prop");
        MutableClock clock = new MutableClock();
        LogConfig config = new LogConfig(1024, Long.MAX_VALUE, -1, -1, 128, 4096, 1 << 20, TimestampType.CREATE_TIME,
                Long.MAX_VALUE, Long.MAX_VALUE, true, Long.MAX_VALUE, Long.MAX_VALUE)
                .withCompaction(new Compaction(0.0, MIN_LAG_MS, Long.MAX_VALUE, DELETE_RETENTION_MS));
        Log log = Log.open(dir, config, clock, false, 0);
        List<Entry> model = new ArrayList<>();
        OffsetMap map = new OffsetMap(16 * OffsetMap.ENTRY_BYTES * 4); // 64 slots: passes often end early
        int counter = 0;
        try {
            for (Op op : ops) {
                switch (op.kind()) {
                    case APPEND, APPEND_COMPRESSED -> {
                        SimpleRecord[] records = new SimpleRecord[op.a()];
                        for (int i = 0; i < records.length; i++) {
                            String key = "k" + ((op.b() + i * 7) % 13);
                            boolean tombstone = (op.b() + i) % 9 == 0;
                            String value = tombstone ? null : "v" + (counter++) + "-" + "x".repeat(op.b() % 40);
                            records[i] = new SimpleRecord(clock.millis(), key.getBytes(StandardCharsets.UTF_8),
                                    value == null ? null : value.getBytes(StandardCharsets.UTF_8));
                            model.add(new Entry(key, value, clock.millis()));
                        }
                        Compression c = op.kind() == Kind.APPEND ? Compression.NONE : Compression.lz4().build();
                        log.append(MemoryRecords.withRecords(c, records));
                    }
                    case CLEAN -> {
                        new Cleaning(log, map, Cleaning.Throttle.NONE, () -> false, clock.millis()).run();
                        assertNoDuplicateKeysBelow(log, log.firstDirtyOffset());
                    }
                    case TIME -> clock.advance(op.b() * 10L);
                    case CLEAN_RESTART -> {
                        log.close();
                        log = Log.open(dir, config, clock, false, 0);
                    }
                    // everything written is on disk (the page cache survives a process crash); half the time the
                    // recovery point says so too, and the newest roll snapshot below it stands in for older headers
                    case CRASH_RESTART -> log = Log.open(dir, config, clock, true, op.a() % 2 == 0 ? 0 : log.logEndOffset());
                    case CRASH_IN_SWAP -> {
                        int[] steps = {0};
                        int crashAt = op.a() % 5; // 0: while writing the cleaned file; 1..4: at the swap's steps
                        SegmentSwap.beforeStep = step -> {
                            if (++steps[0] >= crashAt) {
                                throw new SimulatedCrash();
                            }
                        };
                        Cleaning pass = new Cleaning(log, map, Cleaning.Throttle.NONE, () -> crashAt == 0, clock.millis());
                        try {
                            pass.run();
                        } catch (SimulatedCrash | InterruptedException crashed) {
                            // the process died here
                        } finally {
                            SegmentSwap.beforeStep = step -> { };
                        }
                        log = Log.open(dir, config, clock, true, 0);
                    }
                }
                check(log, model, clock.millis(), op);
            }
        } finally {
            SegmentSwap.beforeStep = step -> { };
            log.close();
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static final class SimulatedCrash extends RuntimeException {
    }

    private static void check(Log log, List<Entry> model, long now, Op op) {
        assertThat(log.logEndOffset()).as("log end after %s", op).isEqualTo(model.size());
        Map<Long, Entry> present = readAll(log);
        long previous = -1;
        for (Map.Entry<Long, Entry> e : present.entrySet()) {
            assertThat(e.getKey()).as("offsets increase after %s", op).isGreaterThan(previous);
            previous = e.getKey();
            assertThat(e.getValue()).as("record at offset %d after %s", e.getKey(), op).isEqualTo(model.get((int) (long) e.getKey()));
        }
        Map<String, Long> latest = new HashMap<>();
        for (int o = 0; o < model.size(); o++) {
            latest.put(model.get(o).key(), (long) o);
        }
        for (int o = 0; o < model.size(); o++) {
            Entry e = model.get(o);
            if (present.containsKey((long) o)) {
                continue;
            }
            boolean superseded = latest.get(e.key()) > o;
            boolean expiredTombstone = e.value() == null && now - e.timestamp() >= DELETE_RETENTION_MS;
            assertThat(superseded || expiredTombstone).as("offset %d (%s) is gone after %s", o, e, op).isTrue();
            assertThat(e.timestamp()).as("offset %d, newer than min.compaction.lag.ms, is gone after %s", o, op)
                    .isLessThanOrEqualTo(now - MIN_LAG_MS);
        }
    }

    private static void assertNoDuplicateKeysBelow(Log log, long firstDirty) {
        Set<String> seen = new HashSet<>();
        for (Map.Entry<Long, Entry> e : readAll(log).entrySet()) {
            if (e.getKey() < firstDirty) {
                assertThat(seen.add(e.getValue().key())).as("key %s twice below the first dirty offset %d", e.getValue().key(), firstDirty).isTrue();
            }
        }
    }

    static Map<Long, Entry> readAll(PartitionLog log) {
        Map<Long, Entry> out = new java.util.LinkedHashMap<>();
        Batches.forEachRecord(log, rec -> out.put(rec.offset(),
                new Entry(string(rec.key()), rec.hasValue() ? string(rec.value()) : null, rec.timestamp())));
        return out;
    }

    private static String string(ByteBuffer b) {
        return StandardCharsets.UTF_8.decode(b.duplicate()).toString();
    }
}
