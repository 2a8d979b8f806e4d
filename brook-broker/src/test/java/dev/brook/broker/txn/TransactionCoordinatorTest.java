package dev.brook.broker.txn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brook.broker.cluster.ClusterIdentity;
import dev.brook.broker.cluster.Partition;
import dev.brook.broker.cluster.TopicRegistry;
import dev.brook.broker.group.GroupConfig;
import dev.brook.broker.group.GroupCoordinator;
import dev.brook.log.Flusher;
import dev.brook.log.LogConfig;
import dev.brook.log.LogManager;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transaction coordinator over real logs, with a clock the test moves: timeouts abort and fence, idle ids expire,
 * v2 ends bump the epoch and recognise retries, and a restart settles what was open.
 */
class TransactionCoordinatorTest {
    @TempDir
    Path dir;

    private final TopicPartition orders0 = new TopicPartition("orders", 0);
    private SteppedTimer timer;
    private LogManager logs;
    private TopicRegistry topics;
    private Flusher flusher;
    private GroupCoordinator groups;
    private TransactionCoordinator txns;
    private TransactionConfig config = TransactionConfig.defaults().with("transactional.id.expiration.ms", 60_000)
            .with("transaction.remove.expired.transaction.cleanup.interval.ms", 10_000);

    private void open() {
        timer = new SteppedTimer();
        logs = LogManager.open(dir, Clock.systemUTC(), 300_000, 100);
        topics = new TopicRegistry(logs, LogConfig.defaults(), tp -> { });
        flusher = new Flusher("test-flusher", 0);
        if (topics.topic("orders") == null) {
            topics.create("orders", 2, Map.of());
        }
        groups = GroupCoordinator.open(GroupConfig.defaults(), null, topics, flusher);
        var stateTopic = topics.topic(TransactionLog.TOPIC) != null ? topics.topic(TransactionLog.TOPIC)
                : topics.createInternal(TransactionLog.TOPIC, 1, Map.of("cleanup.policy", "compact"));
        txns = TransactionCoordinator.start(config, timer, new TransactionLog(stateTopic.partition(0), flusher), topics, flusher,
                new ClusterIdentity(topics, 1), groups);
    }

    private void close() {
        timer.close();
        groups.close();
        flusher.close();
        logs.close();
        logs = null;
    }

    @AfterEach
    void tearDown() {
        if (logs != null) {
            close();
        }
    }

    private Partition orders0() {
        return topics.topic("orders").partition(0);
    }

    private void write(long producerId, short epoch, int sequence, String value) {
        orders0().append(MemoryRecords.withTransactionalRecords(Compression.NONE, producerId, epoch, sequence,
                new SimpleRecord(value.getBytes())), txns.openTransactions().verifier(orders0));
    }

    private TransactionCoordinator.Description describe(String id) throws Exception {
        return txns.describe(List.of(id)).get().get(id);
    }

    @Test
    void aTransactionPastItsTimeoutIsAbortedWithItsEpochBumpedAndItsProducerFenced() throws Exception {
        open();
        TransactionCoordinator.ProducerIdAndEpoch p = txns.initProducerId("t1", 5_000, -1, (short) -1).get();
        assertThat(txns.addPartitions("t1", p.producerId(), p.epoch(), List.of(orders0), (byte) 1).get()).containsEntry(orders0, Errors.NONE);
        write(p.producerId(), p.epoch(), 0, "open");
        assertThat(orders0().lastStableOffset()).isZero();
        timer.advance(4_000);
        assertThat(describe("t1").state()).isEqualTo(TransactionState.ONGOING);
        timer.advance(10_000); // the next abort check after the timeout
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> describe("t1").state() == TransactionState.COMPLETE_ABORT);
        assertThat(orders0().lastStableOffset()).as("the abort marker ends it").isEqualTo(orders0().logEndOffset()).isEqualTo(2);
        assertThat(describe("t1").epoch()).isEqualTo((short) (p.epoch() + 1));
        assertThat(txns.endTxn("t1", p.producerId(), p.epoch(), true, (byte) 1).get().error()).isEqualTo(Errors.PRODUCER_FENCED);
        assertThat(txns.addPartitions("t1", p.producerId(), p.epoch(), List.of(orders0), (byte) 1).get())
                .containsEntry(orders0, Errors.PRODUCER_FENCED);
    }

    @Test
    void aTimeoutAboveTheBrokersMaximumIsRefused() throws Exception {
        open();
        assertThat(txns.initProducerId("long", 900_001, -1, (short) -1).get().error()).isEqualTo(Errors.INVALID_TRANSACTION_TIMEOUT);
        assertThat(txns.initProducerId("long", 0, -1, (short) -1).get().error()).isEqualTo(Errors.INVALID_TRANSACTION_TIMEOUT);
        assertThat(txns.initProducerId("long", 900_000, -1, (short) -1).get().error()).isEqualTo(Errors.NONE);
        assertThat(describe("long").timeoutMs()).isEqualTo(900_000);
    }

    @Test
    void anIdleTransactionalIdIsForgottenAndStaysForgottenAfterARestart() throws Exception {
        open();
        txns.initProducerId("idle", 60_000, -1, (short) -1).get();
        TransactionCoordinator.ProducerIdAndEpoch busy = txns.initProducerId("busy", 60_000, -1, (short) -1).get();
        timer.advance(50_000);
        txns.addPartitions("busy", busy.producerId(), busy.epoch(), List.of(orders0), (byte) 1).get(); // still in use
        timer.advance(20_000);
        assertThat(txns.describe(List.of("idle", "busy")).get()).containsEntry("idle", null).doesNotContainEntry("busy", null);
        close();
        open();
        assertThat(describe("idle")).isNull();
        assertThat(describe("busy")).as("open at the restart: aborted, its epoch bumped").isNotNull()
                .extracting(TransactionCoordinator.Description::epoch).isEqualTo((short) (busy.epoch() + 1));
    }

    @Test
    void aVersion2EndBumpsTheEpochEveryTimeAndARetryOfItIsAnsweredTheSame() throws Exception {
        open();
        TransactionCoordinator.ProducerIdAndEpoch p = txns.initProducerId("v2", 60_000, -1, (short) -1).get();
        txns.addPartitions("v2", p.producerId(), p.epoch(), List.of(orders0), (byte) 2).get();
        write(p.producerId(), p.epoch(), 0, "a");
        TransactionCoordinator.EndResult end = txns.endTxn("v2", p.producerId(), p.epoch(), true, (byte) 2).get();
        assertThat(end.error()).isEqualTo(Errors.NONE);
        assertThat(end.epoch()).isEqualTo((short) (p.epoch() + 1));
        TransactionCoordinator.EndResult retry = txns.endTxn("v2", p.producerId(), p.epoch(), true, (byte) 2).get();
        assertThat(retry).isEqualTo(end);
        // aborting with the new epoch when nothing is open ends an empty transaction, bumping again
        TransactionCoordinator.EndResult empty = txns.endTxn("v2", p.producerId(), end.epoch(), false, (byte) 2).get();
        assertThat(empty.error()).isEqualTo(Errors.NONE);
        assertThat(empty.epoch()).isEqualTo((short) (end.epoch() + 1));
        assertThat(txns.endTxn("v2", p.producerId(), empty.epoch(), true, (byte) 2).get().error()).isEqualTo(Errors.INVALID_TXN_STATE);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> orders0().lastStableOffset() == orders0().logEndOffset());
    }

    @Test
    void aDecidedCommitIsCompletedAndAnOpenTransactionAbortedWhenTheCoordinatorStartsAgain() throws Exception {
        open();
        TransactionCoordinator.ProducerIdAndEpoch open = txns.initProducerId("open", 60_000, -1, (short) -1).get();
        txns.addPartitions("open", open.producerId(), open.epoch(), List.of(orders0), (byte) 1).get();
        write(open.producerId(), open.epoch(), 0, "left-open");
        close();
        open();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> describe("open").state() == TransactionState.COMPLETE_ABORT);
        assertThat(orders0().lastStableOffset()).isEqualTo(orders0().logEndOffset());
        assertThat(orders0().abortedTransactions(0, orders0().logEndOffset())).hasSize(1);
        TransactionCoordinator.ProducerIdAndEpoch next = txns.initProducerId("open", 60_000, -1, (short) -1).get();
        assertThat(next.producerId()).isEqualTo(open.producerId());
        assertThat(next.epoch()).as("bumped by the abort, then by this init").isEqualTo((short) (open.epoch() + 2));
        assertThat(txns.list(Set.of(TransactionState.COMPLETE_ABORT, TransactionState.EMPTY), Set.of(), -1, null).get())
                .extracting(TransactionCoordinator.Description::transactionalId).containsExactly("open");
    }
}
