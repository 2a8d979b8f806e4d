package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
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
 * SIGKILLs while the log cleaner works: an idempotent acks=all producer overwrites a few thousand keys of a compacted
 * topic with small segments, so the cleaner is nearly always in a pass (mapping, writing a cleaned file, or swapping it
 * in), and the broker, in its own JVM, is killed at a random moment of each cycle. After every restart, reading from
 * the beginning gives strictly increasing offsets, each record at an acknowledged offset has the acknowledged value, and
 * every key acknowledged is there at or after its last acknowledged offset: nothing lost, nothing duplicated.
 *
 * <p>The kill moments come from a seeded {@link Random} ({@code -Dbrook.compaction.crash.seed=N} replays one);
 * {@code -Dbrook.compaction.crash.cycles=N} changes the number of kills (20).
 */
@Timeout(900)
class CompactionCrashTest {
    private static final int CYCLES = Integer.getInteger("brook.compaction.crash.cycles", 20);
    private static final int KEYS = 3_000;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path dataDir;

    /** What was acknowledged: key to its last acknowledged offset, and offset to value. */
    private final Map<String, Long> lastAcked = new ConcurrentHashMap<>();
    private final Map<Long, String> ackedValues = new ConcurrentHashMap<>();

    @Test
    void everyAcknowledgedKeySurvivesKillsDuringCleaning() throws Exception {
        long seed = Long.getLong("brook.compaction.crash.seed", System.nanoTime());
        System.out.println("CompactionCrashTest seed " + seed + " (replay with -Dbrook.compaction.crash.seed=" + seed + ")");
        Random random = new Random(seed);
        int port = BrookProcess.freePort();
        List<String> config = List.of("--set", "log.cleaner.backoff.ms=20");
        String topic = "compacted-crash";
        String bootstrap = "127.0.0.1:" + port;
        int interruptedCleanings = 0;
        BrookProcess broker = BrookProcess.start(port, dataDir, START_TIMEOUT, config);
        try {
            try (Admin admin = Clients.admin(bootstrap)) {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of("cleanup.policy", "compact",
                        "segment.bytes", "32768", "min.cleanable.dirty.ratio", "0.01")))).all().get();
            }
            long sequence = 0;
            for (int cycle = 0; cycle < CYCLES; cycle++) {
                sequence = produceUntilKilled(bootstrap, topic, broker, sequence, 300 + random.nextInt(1_500), random);
                interruptedCleanings += cleaningFilesIn(dataDir.resolve(topic + "-0")) > 0 ? 1 : 0;
                broker = BrookProcess.start(port, dataDir, START_TIMEOUT, config);
                check(bootstrap, topic, "after kill " + (cycle + 1));
            }
            System.out.println("CompactionCrashTest: " + CYCLES + " kills, " + interruptedCleanings
                    + " of them with a cleaning's files on disk; " + lastAcked.size() + " keys, " + sequence + " sends");
            assertThat(lastAcked).hasSize(KEYS);
        } finally {
            broker.close();
        }
    }

    /** Sends overwrites until about {@code killAfterMs} have passed, kills the broker mid-stream, returns the next sequence. */
    private long produceUntilKilled(String bootstrap, String topic, BrookProcess broker, long from, int killAfterMs, Random random)
            throws Exception {
        AtomicLong next = new AtomicLong(from);
        Map<String, Object> overrides = Map.of(ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 2,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 5_000, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000);
        KafkaProducer<String, String> producer = Clients.producer(bootstrap, overrides);
        try {
            long killAt = System.nanoTime() + Duration.ofMillis(killAfterMs).toNanos();
            while (System.nanoTime() < killAt && next.get() < from + 5_000_000) {
                long seq = next.getAndIncrement();
                String key = "key-" + (seq % KEYS);
                String value = "v" + seq + "-" + "x".repeat(60 + random.nextInt(60));
                producer.send(new ProducerRecord<>(topic, 0, key, value), (md, e) -> {
                    if (e == null) {
                        ackedValues.put(md.offset(), value);
                        lastAcked.merge(key, md.offset(), Math::max);
                    }
                });
            }
            broker.kill();
        } finally {
            producer.close(Duration.ofSeconds(10)); // what was in flight fails: not acknowledged
        }
        return next.get();
    }

    private static long cleaningFilesIn(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cleaned") || n.endsWith(".swap")).count();
        }
    }

    private void check(String bootstrap, String topic, String when) {
        List<ConsumerRecord<String, String>> records;
        try (KafkaConsumer<String, String> consumer = Clients.consumer(bootstrap)) {
            records = Clients.readFromBeginningToEnd(consumer, List.of(new TopicPartition(topic, 0)), Duration.ofSeconds(60));
        }
        Map<String, Long> latestInLog = new HashMap<>();
        long previous = -1;
        for (ConsumerRecord<String, String> r : records) {
            assertThat(r.offset()).as("offsets increase, %s", when).isGreaterThan(previous);
            previous = r.offset();
            String acked = ackedValues.get(r.offset());
            if (acked != null) {
                assertThat(r.value()).as("the acknowledged value at offset %d, %s", r.offset(), when).isEqualTo(acked);
            }
            latestInLog.merge(r.key(), r.offset(), Math::max);
        }
        for (Map.Entry<String, Long> acked : lastAcked.entrySet()) {
            assertThat(latestInLog.get(acked.getKey())).as("key %s, acknowledged at offset %d, %s", acked.getKey(), acked.getValue(), when)
                    .isNotNull().isGreaterThanOrEqualTo(acked.getValue());
        }
    }
}
