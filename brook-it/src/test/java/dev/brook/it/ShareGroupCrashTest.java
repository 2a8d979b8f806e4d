package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker, in its own JVM, SIGKILLed at random moments while a producer writes and two share consumers accept what
 * they get. After each restart the consumers carry on. Checked throughout: no record is delivered again once an
 * acknowledgement of it as ACCEPT was answered; a record's delivery count never goes down (counts survive restarts); at
 * the end every record the producer was told was written has been accepted (none not yet accepted was lost).
 *
 * <p>{@code -Dbrook.share.crash.seed=N} replays one run's kill moments; {@code -Dbrook.share.crash.cycles=N} changes the
 * number of kills (20).
 */
@Timeout(600)
class ShareGroupCrashTest {
    private static final int CYCLES = Integer.getInteger("brook.share.crash.cycles", 20);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final String TOPIC = "share-crash";
    private static final String GROUP = "share-crash-group";

    @TempDir
    Path dataDir;

    private final Set<String> produced = ConcurrentHashMap.newKeySet();
    private final Set<String> accepted = ConcurrentHashMap.newKeySet();
    /** Accepted by a commit whose answer the kill cut off: the broker may or may not have it. */
    private final Set<String> uncertain = ConcurrentHashMap.newKeySet();
    private final Map<String, Short> highestCount = new ConcurrentHashMap<>();
    private final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    private int nextRecord;

    @Test
    void acceptedRecordsStayAcceptedAndTheRestAreDeliveredAgainAcrossKills() throws Exception {
        long seed = Long.getLong("brook.share.crash.seed", System.nanoTime());
        System.out.println("ShareGroupCrashTest seed " + seed + " (replay with -Dbrook.share.crash.seed=" + seed + ")");
        Random random = new Random(seed);
        int port = BrookProcess.freePort();
        String bootstrap = "127.0.0.1:" + port;
        List<String> args = List.of();
        BrookProcess broker = BrookProcess.start(port, dataDir, START_TIMEOUT, args);
        try {
            try (Admin admin = Clients.admin(bootstrap)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get();
                admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, GROUP), List.of(
                        new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET),
                        new AlterConfigOp(new ConfigEntry("share.delivery.count.limit", "10"), AlterConfigOp.OpType.SET)))).all().get();
            }
            for (int cycle = 0; cycle < CYCLES; cycle++) {
                AtomicBoolean stop = new AtomicBoolean();
                List<Thread> threads = new ArrayList<>();
                threads.add(new Thread(() -> produce(bootstrap, stop), "crash-producer"));
                for (int c = 0; c < 2; c++) {
                    threads.add(new Thread(() -> consume(bootstrap, stop), "crash-consumer-" + c));
                }
                threads.forEach(Thread::start);
                Thread.sleep(300 + random.nextInt(1_000));
                broker.kill();
                stop.set(true);
                for (Thread t : threads) {
                    t.join(60_000);
                }
                assertThat(violations).as("after kill %d", cycle + 1).isEmpty();
                broker = BrookProcess.start(port, dataDir, START_TIMEOUT, args);
            }
            // the rest: everything written is eventually accepted
            AtomicBoolean stop = new AtomicBoolean();
            Thread last = new Thread(() -> consume(bootstrap, stop), "final-consumer");
            last.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!(settled() && nothingLeft(bootstrap)) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            stop.set(true);
            last.join(60_000);
            System.out.println("ShareGroupCrashTest: " + CYCLES + " kills, " + produced.size() + " records written, " + accepted.size()
                    + " accepted");
            assertThat(violations).isEmpty();
            assertThat(produced.size()).as("records written across the run").isGreaterThan(CYCLES * 10);
            Set<String> missing = new java.util.TreeSet<>(produced);
            missing.removeAll(accepted);
            missing.removeAll(uncertain);
            assertThat(missing).as("written, never accepted, and not in a commit the kill cut off").isEmpty();
            assertThat(nothingLeft(bootstrap)).as("both share-partitions have a lag of 0: nothing is left to deliver").isTrue();
        } finally {
            broker.close();
        }
    }

    private static boolean nothingLeft(String bootstrap) throws Exception {
        try (Admin admin = Clients.admin(bootstrap)) {
            var offsets = admin.listShareGroupOffsets(Map.of(GROUP, new org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec()))
                    .partitionsToOffsetInfo(GROUP).get();
            return offsets.size() == 2 && offsets.values().stream().allMatch(i -> i.lag().orElse(-1L) == 0L);
        }
    }

    private boolean settled() {
        Set<String> open = new java.util.HashSet<>(produced);
        open.removeAll(accepted);
        open.removeAll(uncertain);
        return open.isEmpty();
    }

    private void produce(String bootstrap, AtomicBoolean stop) {
        Map<String, Object> overrides = Map.of(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 4_000, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 3_000, ProducerConfig.LINGER_MS_CONFIG, 1);
        try (KafkaProducer<String, String> p = Clients.producer(bootstrap, overrides)) {
            while (!stop.get()) {
                String value;
                synchronized (this) {
                    value = "r" + nextRecord++;
                }
                p.send(new ProducerRecord<>(TOPIC, value, value), (md, e) -> {
                    if (e == null) {
                        produced.add(value);
                    }
                });
                Thread.sleep(2);
            }
        } catch (RuntimeException | InterruptedException e) {
            // the broker was killed
        }
    }

    private void consume(String bootstrap, AtomicBoolean stop) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
        c.put("share.acknowledgement.mode", "explicit");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50);
        c.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 3_000);
        c.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
        KafkaShareConsumer<String, String> consumer = new KafkaShareConsumer<>(c, new StringDeserializer(), new StringDeserializer());
        try {
            consumer.subscribe(List.of(TOPIC));
            while (!stop.get()) {
                Map<String, TopicIdPartition> pending = new HashMap<>();
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
                    String v = r.value();
                    if (accepted.contains(v)) {
                        violations.add(v + " delivered again (count " + r.deliveryCount() + ") after its ACCEPT was answered");
                    }
                    short count = r.deliveryCount().orElse((short) 0);
                    Short before = highestCount.get(v);
                    if (before != null && count <= before) {
                        violations.add(v + " delivered with count " + count + " after a delivery with count " + before);
                    }
                    highestCount.merge(v, count, (a, b) -> (short) Math.max(a, b));
                    consumer.acknowledge(r, AcknowledgeType.ACCEPT);
                    pending.put(v, new TopicIdPartition(org.apache.kafka.common.Uuid.ZERO_UUID, r.partition(), r.topic()));
                }
                if (pending.isEmpty()) {
                    continue;
                }
                uncertain.addAll(pending.keySet());
                Map<TopicIdPartition, Optional<KafkaException>> result = consumer.commitSync();
                Set<Integer> ok = new java.util.HashSet<>();
                result.forEach((tip, error) -> {
                    if (error.isEmpty()) {
                        ok.add(tip.partition());
                    }
                });
                pending.forEach((v, tip) -> {
                    if (ok.contains(tip.partition())) {
                        accepted.add(v);
                        uncertain.remove(v);
                    }
                });
            }
        } catch (RuntimeException e) {
            // the broker was killed
        } finally {
            try {
                consumer.close(Duration.ZERO);
            } catch (RuntimeException ignored) {
                // closing against a dead broker
            }
        }
    }
}
