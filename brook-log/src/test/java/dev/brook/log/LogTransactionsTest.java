package dev.brook.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Transactions in one log: the last stable offset, markers, the aborted-transaction index, recovery and cleaning. */
class LogTransactionsTest {
    @TempDir
    Path dir;
    private final MutableClock clock = new MutableClock();
    private Log log;
    private final int[] sequences = new int[16];

    @AfterEach
    void close() {
        if (log != null) {
            log.close();
        }
    }

    private Log open(LogConfig config, boolean recover) {
        log = Log.open(dir.resolve("t-0"), config, clock, recover, 0);
        return log;
    }

    private static LogConfig compacted() {
        return new LogConfig(4096, Long.MAX_VALUE, -1, -1, 512, 64 * 1024, 1 << 20, TimestampType.CREATE_TIME,
                Long.MAX_VALUE, Long.MAX_VALUE, true, Long.MAX_VALUE, Long.MAX_VALUE).withCompaction(Compaction.DEFAULTS);
    }

    /** A transactional batch of producer {@code pid} (its sequences kept here), keyed records "key=value". */
    private MemoryRecords txn(int pid, short epoch, String... keyValues) {
        SimpleRecord[] records = new SimpleRecord[keyValues.length];
        for (int i = 0; i < keyValues.length; i++) {
            String[] kv = keyValues[i].split("=");
            records[i] = new SimpleRecord(clock.millis(), kv[0].getBytes(StandardCharsets.UTF_8), kv[1].getBytes(StandardCharsets.UTF_8));
        }
        MemoryRecords m = MemoryRecords.withTransactionalRecords(Compression.NONE, pid, epoch, sequences[pid], records);
        sequences[pid] += keyValues.length;
        return m;
    }

    private static MemoryRecords plain(String key, String value) {
        return MemoryRecords.withRecords(Compression.NONE, new SimpleRecord(0, key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * What a read_committed consumer delivers, as "key=value": batches below the last stable offset, skipping those of
     * the aborted transactions the log reports (the Java consumer's algorithm), and never a control record.
     */
    private static List<String> readCommitted(PartitionLog log) {
        List<String> out = new ArrayList<>();
        long lso = log.lastStableOffset();
        ArrayDeque<AbortedTransaction> pending = new ArrayDeque<>(log.abortedTransactions(log.logStartOffset(), lso).stream()
                .sorted(java.util.Comparator.comparingLong(AbortedTransaction::firstOffset)).toList());
        Set<Long> abortedProducers = new HashSet<>();
        long next = log.logStartOffset();
        while (next < lso) {
            ReadResult r = log.read(next, 1 << 16, lso);
            for (RecordBatch batch : r.records().batches()) {
                while (!pending.isEmpty() && pending.peekFirst().firstOffset() <= batch.lastOffset()) {
                    abortedProducers.add(pending.pollFirst().producerId());
                }
                if (batch.isControlBatch()) {
                    for (Record rec : batch) {
                        if (ControlRecordType.parse(rec.key()) == ControlRecordType.ABORT) {
                            abortedProducers.remove(batch.producerId());
                        }
                    }
                } else if (!(batch.isTransactional() && abortedProducers.contains(batch.producerId()))) {
                    for (Record rec : batch) {
                        if (rec.offset() >= next) {
                            out.add(StandardCharsets.UTF_8.decode(rec.key()) + "=" + StandardCharsets.UTF_8.decode(rec.value()));
                        }
                    }
                }
                next = batch.nextOffset();
            }
        }
        return out;
    }

    @Test
    void anOpenTransactionHoldsTheLastStableOffsetAtItsFirstBatchUntilItsMarker() {
        open(LogConfig.defaults(), false);
        log.append(plain("a", "1"));
        long first = log.append(txn(1, (short) 0, "t=1", "t=2")).firstOffset();
        log.append(plain("b", "2"));
        assertThat(log.lastStableOffset()).isEqualTo(first);
        assertThat(readCommitted(log)).containsExactly("a=1");
        log.append(txn(1, (short) 0, "t=3"));
        long marker = log.appendMarker(1, (short) 0, true, 0).firstOffset();
        assertThat(marker).isEqualTo(log.logEndOffset() - 1);
        assertThat(log.lastStableOffset()).isEqualTo(log.logEndOffset());
        assertThat(readCommitted(log)).containsExactly("a=1", "t=1", "t=2", "b=2", "t=3");
        assertThat(log.abortedTransactions(0, log.logEndOffset())).isEmpty();
    }

    @Test
    void anAbortedTransactionIsIndexedAndItsRecordsAreNotDelivered() {
        open(LogConfig.defaults(), false);
        long first = log.append(txn(1, (short) 0, "x=1")).firstOffset();
        log.append(txn(2, (short) 0, "y=1"));
        log.append(txn(1, (short) 0, "x=2"));
        long abort = log.appendMarker(1, (short) 0, false, 3).firstOffset();
        assertThat(log.lastStableOffset()).as("producer 2 is still open").isEqualTo(first + 1);
        log.appendMarker(2, (short) 0, true, 3);
        assertThat(log.abortedTransactions(0, log.logEndOffset()))
                .containsExactly(new AbortedTransaction(1, first, abort, first + 1));
        assertThat(readCommitted(log)).containsExactly("y=1");
        assertThat(log.producerStates()).extracting(ProducerState::producerId, ProducerState::coordinatorEpoch, ProducerState::currentTxnStartOffset)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(1L, 3, -1L), org.assertj.core.groups.Tuple.tuple(2L, 3, -1L));
    }

    @Test
    void theVerifierDecidesWhetherABatchMayOpenATransactionAndAnOlderEpochIsFenced() {
        open(LogConfig.defaults(), false);
        assertThatThrownBy(() -> log.append(txn(1, (short) 0, "x=1"), (id, epoch) -> Errors.INVALID_TXN_STATE))
                .isInstanceOfSatisfying(LogException.class, e -> assertThat(e.error()).isEqualTo(Errors.INVALID_TXN_STATE));
        assertThat(log.logEndOffset()).isZero();
        sequences[1] = 0;
        log.append(txn(1, (short) 0, "x=1"), (id, epoch) -> Errors.NONE);
        log.append(txn(1, (short) 0, "x=2"), (id, epoch) -> Errors.INVALID_TXN_STATE); // already open here: not asked
        log.appendMarker(1, (short) 1, false, 0); // the coordinator bumped the epoch (a timeout, a new instance)
        assertThatThrownBy(() -> log.append(txn(1, (short) 0, "x=3")))
                .isInstanceOfSatisfying(LogException.class, e -> assertThat(e.error()).isEqualTo(Errors.INVALID_PRODUCER_EPOCH));
        assertThatThrownBy(() -> log.appendMarker(1, (short) 0, true, 0))
                .isInstanceOfSatisfying(LogException.class, e -> assertThat(e.error()).isEqualTo(Errors.INVALID_PRODUCER_EPOCH));
    }

    @Test
    void openTransactionsAndAbortsSurviveACleanCloseAndACrash() throws Exception {
        open(LogConfig.defaults().withSegmentBytes(300), false);
        for (int i = 0; i < 5; i++) {
            log.append(txn(1, (short) 0, "a=" + i));
            log.appendMarker(1, (short) 0, i % 2 == 0, 0);
        }
        long open = log.append(txn(2, (short) 0, "open=1")).firstOffset();
        assertThat(log.segmentCount()).isGreaterThan(2);
        List<String> expected = readCommitted(log);
        assertThat(expected).containsExactly("a=0", "a=2", "a=4");
        List<AbortedTransaction> aborts = log.abortedTransactions(0, log.logEndOffset());
        assertThat(aborts).hasSize(2);
        log.close();

        open(LogConfig.defaults().withSegmentBytes(300), false);
        assertThat(log.lastStableOffset()).isEqualTo(open);
        assertThat(readCommitted(log)).isEqualTo(expected);
        assertThat(log.abortedTransactions(0, log.logEndOffset())).isEqualTo(aborts);
        log.close();

        // a crash: no snapshot, and the transaction indexes lost too; recovery walks every segment again
        Path d = dir.resolve("t-0");
        try (var files = Files.list(d)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".snapshot") || name.endsWith(".roll-snapshot") || name.endsWith(".txnindex")) {
                    Files.delete(f);
                }
            }
        }
        open(LogConfig.defaults().withSegmentBytes(300), true);
        assertThat(log.lastStableOffset()).isEqualTo(open);
        assertThat(log.abortedTransactions(0, log.logEndOffset())).isEqualTo(aborts);
        assertThat(readCommitted(log)).isEqualTo(expected);
        log.appendMarker(2, (short) 0, true, 0);
        assertThat(readCommitted(log)).containsExactly("a=0", "a=2", "a=4", "open=1");
    }

    @Test
    void theCleanerDropsAbortedRecordsSoTheyNeverShadowACommittedValueAndStopsAtAnOpenTransaction() throws Exception {
        open(compacted(), false);
        log.append(txn(1, (short) 0, "k=committed", "j=committed"));
        log.appendMarker(1, (short) 0, true, 0);
        log.append(txn(1, (short) 0, "k=aborted"));
        log.appendMarker(1, (short) 0, false, 0);
        rollWith("r=1");
        long open = log.append(txn(2, (short) 0, "j=open")).firstOffset();
        rollWith("r=2");
        assertThat(readCommitted(log)).containsExactly("k=committed", "j=committed", "r=1");

        Cleaning.Result result = new Cleaning(log, new OffsetMap(1 << 16), Cleaning.Throttle.NONE, () -> false, clock.millis()).run();
        assertThat(result.mappedTo()).as("not past the segment holding the open transaction").isLessThanOrEqualTo(open);
        assertThat(readCommitted(log)).containsExactly("k=committed", "j=committed", "r=1");
        assertThat(allValues()).doesNotContain("k=aborted").contains("j=open");
        assertThat(Files.exists(dir.resolve("t-0").resolve(Segment.fileName(0, ".txnindex")))).isFalse();

        log.appendMarker(2, (short) 0, true, 0);
        rollWith("r=3");
        new Cleaning(log, new OffsetMap(1 << 16), Cleaning.Throttle.NONE, () -> false, clock.millis()).run();
        assertThat(readCommitted(log)).containsExactly("k=committed", "j=open", "r=2", "r=3");
    }

    private void rollWith(String keyValue) {
        String[] kv = keyValue.split("=");
        log.updateConfig(log.config().withSegmentMs(1));
        clock.advance(1);
        log.append(plain(kv[0], kv[1]));
        log.updateConfig(log.config().withSegmentMs(Long.MAX_VALUE));
    }

    private List<String> allValues() {
        List<String> out = new ArrayList<>();
        Batches.forEachRecord(log, r -> {
            if (r.hasValue() && r.hasKey()) {
                out.add(StandardCharsets.UTF_8.decode(r.key()) + "=" + StandardCharsets.UTF_8.decode(r.value()));
            }
        });
        return out;
    }
}
