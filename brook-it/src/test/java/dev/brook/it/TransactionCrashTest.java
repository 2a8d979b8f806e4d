package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker, in its own JVM, SIGKILLed at random moments while three transactional producers each commit transactions
 * of records spread over two partitions. After every restart: every transaction is wholly visible to read_committed or
 * wholly invisible (none torn, none twice), every transaction whose commit returned is visible, no partition's last
 * stable offset stays behind its end (the coordinator aborted what was open), and the producers, initialising again
 * with the same transactional ids, carry on.
 *
 * <p>{@code -Dbrook.txn.crash.seed=N} replays one run's kill moments; {@code -Dbrook.txn.crash.cycles=N} changes the number
 * of kills (20).
 */
@Timeout(900)
class TransactionCrashTest {
    private static final int CYCLES = Integer.getInteger("brook.txn.crash.cycles", 20);
    private static final int PRODUCERS = 3;
    private static final int RECORDS_PER_TXN = 6;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final String TOPIC = "txn-crash";

    @TempDir
    Path dataDir;

    /** Transactions whose commitTransaction returned, by name ("p1-t17"). */
    private final Set<String> committed = ConcurrentHashMap.newKeySet();

    @Test
    void everyTransactionIsWhollyVisibleOrWhollyInvisibleAfterEachKill() throws Exception {
        long seed = Long.getLong("brook.txn.crash.seed", System.nanoTime());
        System.out.println("TransactionCrashTest seed " + seed + " (replay with -Dbrook.txn.crash.seed=" + seed + ")");
        Random random = new Random(seed);
        int port = BrookProcess.freePort();
        String bootstrap = "127.0.0.1:" + port;
        BrookProcess broker = BrookProcess.start(port, dataDir, START_TIMEOUT);
        int[] nextTxn = new int[PRODUCERS];
        try {
            try (Admin admin = Clients.admin(bootstrap)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get();
            }
            for (int cycle = 0; cycle < CYCLES; cycle++) {
                AtomicBoolean stop = new AtomicBoolean();
                List<Thread> threads = new ArrayList<>();
                for (int p = 0; p < PRODUCERS; p++) {
                    int producer = p;
                    Thread t = new Thread(() -> nextTxn[producer] = run(bootstrap, producer, nextTxn[producer], stop), "txn-producer-" + p);
                    t.start();
                    threads.add(t);
                }
                Thread.sleep(300 + random.nextInt(1_500));
                broker.kill();
                stop.set(true);
                for (Thread t : threads) {
                    t.join(60_000);
                }
                broker = BrookProcess.start(port, dataDir, START_TIMEOUT);
                check(bootstrap, "after kill " + (cycle + 1));
            }
            System.out.println("TransactionCrashTest: " + CYCLES + " kills, " + committed.size() + " transactions committed");
            assertThat(committed.size()).as("transactions committed across the run").isGreaterThan(CYCLES);
        } finally {
            broker.close();
        }
    }

    /** Commits transactions until the broker goes away (or {@code stop}); returns the next transaction number. */
    private int run(String bootstrap, int producer, int from, AtomicBoolean stop) {
        int txn = from;
        Map<String, Object> overrides = Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "crash-producer-" + producer,
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 20_000, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 4_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000, ProducerConfig.MAX_BLOCK_MS_CONFIG, 3_000,
                ProducerConfig.LINGER_MS_CONFIG, 1);
        KafkaProducer<String, String> p = Clients.producer(bootstrap, overrides);
        try {
            p.initTransactions();
            while (!stop.get()) {
                String name = "p" + producer + "-t" + txn;
                txn++;
                p.beginTransaction();
                for (int r = 0; r < RECORDS_PER_TXN; r++) {
                    p.send(new ProducerRecord<>(TOPIC, r % 2, name, name + "-r" + r));
                }
                p.commitTransaction();
                committed.add(name);
            }
        } catch (RuntimeException e) {
            // the broker was killed: whatever was open is aborted at its restart
        } finally {
            p.close(Duration.ZERO);
        }
        return txn;
    }

    private void check(String bootstrap, String when) throws Exception {
        List<TopicPartition> partitions = List.of(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1));
        try (Admin admin = Clients.admin(bootstrap)) {
            // the coordinator aborts what the kill left open as it starts: the last stable offsets reach the ends
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            boolean stable = false;
            while (!stable && System.nanoTime() < deadline) {
                Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
                partitions.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
                var ends = admin.listOffsets(latest).all().get();
                var lsos = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get();
                stable = partitions.stream().allMatch(tp -> lsos.get(tp).offset() == ends.get(tp).offset());
                if (!stable) {
                    Thread.sleep(100);
                }
            }
            assertThat(stable).as("every partition's last stable offset reaches its end, %s", when).isTrue();
        }
        Map<String, Integer> seen = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = Clients.consumer(bootstrap,
                Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
            for (ConsumerRecord<String, String> r : Clients.readFromBeginningToEnd(consumer, partitions, Duration.ofSeconds(60))) {
                seen.merge(r.key(), 1, Integer::sum);
            }
        }
        for (Map.Entry<String, Integer> e : seen.entrySet()) {
            assertThat(e.getValue()).as("records of transaction %s visible to read_committed, %s", e.getKey(), when)
                    .isEqualTo(RECORDS_PER_TXN);
        }
        for (String c : committed) {
            assertThat(seen).as("transaction %s, whose commit returned, %s", c, when).containsKey(c);
        }
    }
}
