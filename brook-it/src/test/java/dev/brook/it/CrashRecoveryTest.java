package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash loop: an idempotent acks=all producer on 4 partitions while the broker is SIGKILLed at random moments,
 * mid-stream and while it is starting (recovering the logs the previous kill left). After the last restart every
 * acknowledged record is at its acknowledged offset with its value, nothing is duplicated, offsets have no holes,
 * and every batch passes its CRC check.
 *
 * <p>The broker runs in its own JVM ({@code brook server}), because only a separate process can be killed without
 * running any of its shutdown code. The kill moments come from a seeded {@link Random}, printed, so a failure can be
 * replayed with {@code -Dbrook.crash.seed=N}; {@code -Dbrook.crash.cycles=N} runs a longer soak.
 */
@Timeout(600)
class CrashRecoveryTest {

    private static final int PARTITIONS = 4;
    private static final int KILL_CYCLES = Integer.getInteger("brook.crash.cycles", 5);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** A kill comes after 0.2-2 s or this many acknowledgements, whichever is first, with sends still in flight. */
    private static final long KILL_AFTER_ACKS = 60_000;
    /** A bound on sends per cycle, far above what two seconds allow; the sender never runs unbounded. */
    private static final long MAX_SENDS_PER_CYCLE = 2_000_000;

    /** What the broker prints when it begins to recover after an unclean shutdown. */
    private static final String RECOVERING = "was not clean: recovering";

    /** One acknowledgement, as the producer's callback reported it. */
    private record Ack(int partition, long offset, String value) {
    }

    @TempDir
    Path dataDir;

    @Test
    void everyRecordAcknowledgedWithAcksAllSurvivesSigkillsMidStreamAndDuringRecovery() throws Exception {
        long seed = Long.getLong("brook.crash.seed", System.nanoTime());
        Random random = new Random(seed);
        System.out.printf("crash loop: seed %d (replay with -Dbrook.crash.seed=%d), %d cycles%n", seed, seed, KILL_CYCLES);
        int port = BrookProcess.freePort();
        String bootstrap = "127.0.0.1:" + port;
        String topic = "crash-" + AdminClientTest.uniqueTopic();
        Queue<Ack> acked = new ConcurrentLinkedQueue<>();
        AtomicLong nextValue = new AtomicLong();
        int killedWhileStarting = 0;

        BrookProcess broker = BrookProcess.start(port, dataDir, START_TIMEOUT);
        try {
            try (Admin admin = Clients.admin(bootstrap)) {
                admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
            }
            for (int cycle = 1; cycle <= KILL_CYCLES; cycle++) {
                int before = acked.size();
                long killAfterMs = 200 + random.nextInt(1_800);
                produceUntilKilled(bootstrap, topic, broker, acked, nextValue, killAfterMs);
                assertThat(acked.size() - before).as("records acknowledged before kill number %d", cycle).isPositive();
                System.out.printf("kill %d after %d ms: %d records acknowledged%n", cycle, killAfterMs, acked.size() - before);
                if (random.nextBoolean() || cycle == 1) {
                    long startKillMs = random.nextInt(40);
                    BrookProcess starting = BrookProcess.launch(port, dataDir);
                    boolean recovering = starting.awaitOutput(RECOVERING, START_TIMEOUT);
                    Thread.sleep(startKillMs);
                    boolean wasReady = starting.isReady();
                    starting.kill();
                    killedWhileStarting += recovering && !wasReady ? 1 : 0;
                    System.out.printf("  killed the restart %d ms into its recovery (%s)%n", startKillMs,
                            wasReady ? "it was already serving" : recovering ? "still recovering" : "it never began to recover");
                }
                broker = BrookProcess.start(port, dataDir, START_TIMEOUT);
            }

            Map<TopicPartition, Map<Long, String>> stored = readEverything(bootstrap, topic, broker);
            System.out.printf("after %d kills (%d while starting): %d acknowledged, %d stored%n", KILL_CYCLES, killedWhileStarting,
                    acked.size(), stored.values().stream().mapToInt(Map::size).sum());

            for (Ack ack : acked) {
                TopicPartition tp = new TopicPartition(topic, ack.partition());
                assertThat(stored.getOrDefault(tp, Map.of()).get(ack.offset()))
                        .as("value at %s offset %d, acknowledged as %s (seed %d)", tp, ack.offset(), ack.value(), seed)
                        .isEqualTo(ack.value());
            }
            for (Map.Entry<TopicPartition, Map<Long, String>> partition : stored.entrySet()) {
                List<Long> offsets = new ArrayList<>(partition.getValue().keySet());
                assertThat(offsets).as("offsets of %s have no holes", partition.getKey())
                        .isEqualTo(java.util.stream.LongStream.range(0, offsets.size()).boxed().toList());
                Set<String> unique = new HashSet<>(partition.getValue().values());
                assertThat(unique).as("values in %s appear once each", partition.getKey()).hasSize(partition.getValue().size());
            }
            assertThat(stored.keySet()).as("partitions written").hasSize(PARTITIONS);
            assertThat(killedWhileStarting).as("kills that hit a broker recovering its logs").isPositive();
        } finally {
            broker.close();
        }
    }

    /**
     * Sends records with increasing values as fast as an idempotent acks=all producer can, and SIGKILLs the
     * broker after {@code killAfterMs} or {@link #KILL_AFTER_ACKS} acknowledgements (and at least one), while sends
     * are still in flight.
     */
    private static void produceUntilKilled(String bootstrap, String topic, BrookProcess broker, Queue<Ack> acked,
            AtomicLong nextValue, long killAfterMs) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong ackedThisCycle = new AtomicLong();
        KafkaProducer<String, String> producer = Clients.producer(bootstrap, Map.of(
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 1,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000));
        Thread sender = new Thread(() -> {
            try {
                for (long sent = 0; !stop.get() && sent < MAX_SENDS_PER_CYCLE; sent++) {
                    String value = "v-" + nextValue.getAndIncrement();
                    producer.send(new ProducerRecord<>(topic, value, value), (metadata, error) -> {
                        if (error == null) {
                            acked.add(new Ack(metadata.partition(), metadata.offset(), value));
                            ackedThisCycle.incrementAndGet();
                        }
                    });
                }
            } catch (RuntimeException e) {
                // The broker is gone or the producer closed under us: sending stops, as it would for a real application.
            }
        }, "crash-recovery-producer");
        sender.start();
        try {
            long start = System.nanoTime();
            long deadline = start + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline && (ackedThisCycle.get() == 0
                    || (System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(killAfterMs) && ackedThisCycle.get() < KILL_AFTER_ACKS))) {
                Thread.sleep(10);
            }
            broker.kill();
        } finally {
            stop.set(true);
            producer.close(Duration.ZERO); // what was not acknowledged by now never will be
            sender.join(TimeUnit.SECONDS.toMillis(15));
        }
    }

    private static Map<TopicPartition, Map<Long, String>> readEverything(String bootstrap, String topic, BrookProcess broker) {
        Map<TopicPartition, Map<Long, String>> stored = new HashMap<>();
        try (KafkaConsumer<String, String> consumer = Clients.consumer(bootstrap, Map.of(
                ConsumerConfig.CHECK_CRCS_CONFIG, true,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000))) {
            List<ConsumerRecord<String, String>> records = Clients.readFromBeginningToEnd(consumer,
                    ProduceConsumeTest.partitions(topic, PARTITIONS), Duration.ofSeconds(120));
            for (ConsumerRecord<String, String> record : records) {
                String previous = stored.computeIfAbsent(new TopicPartition(topic, record.partition()), p -> new java.util.TreeMap<>())
                        .put(record.offset(), record.value());
                assertThat(previous).as("offset %d of partition %d delivered twice", record.offset(), record.partition()).isNull();
            }
            Map<TopicPartition, Long> end = consumer.endOffsets(ProduceConsumeTest.partitions(topic, PARTITIONS));
            for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
                assertThat(consumer.position(e.getKey())).as("read %s to its end; broker output:\n%s", e.getKey(), broker.outputTail())
                        .isEqualTo(e.getValue());
            }
        }
        return stored;
    }
}
