package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brook.testkit.BrookExtension;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once processing on Brook with the client process SIGKILLed mid-stream, repeatedly: a consume-transform-produce
 * loop of Kafka's Java clients ({@link CopyLoopMain}, {@code sendOffsetsToTransaction}) and a Kafka Streams word count
 * with {@code exactly_once_v2} ({@link EosWordCountMain}). Each successor takes over the transactional id (and the static
 * group membership), which fences and aborts what the killed one had open. In the end read_committed output reflects
 * every input exactly once: each copied record once, and each word's counts exactly 1, 2, ..., n.
 */
@Timeout(600)
class ExactlyOnceTest {
    private static final int KILLS = 4;

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension();

    @TempDir
    Path state;

    /** A JVM running one of the test mains, its output counted by lines. */
    private static final class Child implements AutoCloseable {
        final Process process;
        final AtomicLong lines = new AtomicLong();
        final List<String> tail = new ArrayList<>();

        Child(Class<?> main, String... args) throws IOException {
            List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-cp", System.getProperty("java.class.path"), main.getName()));
            command.addAll(List.of(args));
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
            Thread pump = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.incrementAndGet();
                        synchronized (tail) {
                            tail.add(line);
                            if (tail.size() > 50) {
                                tail.remove(0);
                            }
                        }
                    }
                } catch (IOException ignored) {
                    // the process died
                }
            });
            pump.setDaemon(true);
            pump.start();
        }

        boolean printed(String needle) {
            synchronized (tail) {
                return tail.stream().anyMatch(l -> l.contains(needle));
            }
        }

        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws InterruptedException {
            kill();
        }
    }

    private static void createTopics(NewTopic... topics) throws Exception {
        try (Admin admin = Clients.admin(brook.bootstrapServers())) {
            admin.createTopics(List.of(topics)).all().get();
        }
    }

    private static <V> List<ConsumerRecord<String, V>> readCommitted(String topic, int partitions, org.apache.kafka.common.serialization.Deserializer<V> values) {
        Map<String, Object> config = new HashMap<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brook.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"));
        try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(config, Serdes.String().deserializer(), values)) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                tps.add(new TopicPartition(topic, p));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps);
            List<ConsumerRecord<String, V>> out = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (System.nanoTime() < deadline && tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }

    @Test
    void aConsumeTransformProduceLoopKilledRepeatedlyReflectsEveryInputExactlyOnce() throws Exception {
        int records = 4_000;
        createTopics(new NewTopic("copy-in", 2, (short) 1), new NewTopic("copy-out", 2, (short) 1));
        try (KafkaProducer<String, String> producer = Clients.producer(brook.bootstrapServers())) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>("copy-in", "k" + (i % 17), "v" + i));
            }
        }
        Random random = new Random();
        String[] args = {brook.bootstrapServers(), "copy-in", "copy-out", "copy-group", "copy-txn"};
        for (int kill = 0; kill < KILLS; kill++) {
            try (Child loop = new Child(CopyLoopMain.class, args)) {
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!loop.printed("C ") && System.nanoTime() < deadline) {
                    Thread.sleep(20); // committing
                }
                assertThat(loop.printed("C ")).as("commits before kill %d: %s", kill, loop.tail).isTrue();
                Thread.sleep(random.nextInt(400)); // then killed at a random moment, usually mid-transaction
            }
        }
        List<String> values;
        try (Child last = new Child(CopyLoopMain.class, args)) {
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (readCommitted("copy-out", 2, Serdes.String().deserializer()).size() < records && System.nanoTime() < deadline) {
                Thread.sleep(500);
            }
            values = readCommitted("copy-out", 2, Serdes.String().deserializer()).stream().map(ConsumerRecord::value).toList();
            assertThat(values).as("the last instance's output: %s", last.tail).hasSize(records).doesNotHaveDuplicates();
        }
        for (int i = 0; i < records; i += 397) {
            assertThat(values).contains("out-v" + i);
        }
    }

    @Test
    void kafkaStreamsExactlyOnceV2WordCountKilledMidStreamCountsEachWordExactly() throws Exception {
        int words = 12;
        int perWord = 150;
        createTopics(new NewTopic("words", 2, (short) 1), new NewTopic("counts", 1, (short) 1));
        String[] args = {brook.bootstrapServers(), "eos-word-count", state.toString()};
        Random random = new Random();
        try (KafkaProducer<String, String> producer = Clients.producer(brook.bootstrapServers())) {
            for (int kill = 0; kill <= KILLS; kill++) {
                try (Child streams = new Child(EosWordCountMain.class, args)) {
                    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                    while (!streams.printed("RUNNING") && System.nanoTime() < deadline) {
                        Thread.sleep(20);
                    }
                    assertThat(streams.printed("RUNNING")).as("started: %s", streams.tail).isTrue();
                    // a slice of the input while it runs, then a kill at a random moment of its processing
                    for (int r = kill * perWord / (KILLS + 1); r < (kill + 1) * perWord / (KILLS + 1); r++) {
                        for (int w = 0; w < words; w++) {
                            producer.send(new ProducerRecord<>("words", "r" + r, "word-" + w));
                        }
                    }
                    producer.flush();
                    if (kill == KILLS) {
                        deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                        while (System.nanoTime() < deadline && latest(readCommitted("counts", 1, Serdes.Long().deserializer())).values()
                                .stream().filter(c -> c == perWord).count() < words) {
                            Thread.sleep(500);
                        }
                    } else {
                        Thread.sleep(200 + random.nextInt(800));
                    }
                }
            }
        }
        Map<String, List<Long>> sequences = new HashMap<>();
        for (ConsumerRecord<String, Long> r : readCommitted("counts", 1, Serdes.Long().deserializer())) {
            sequences.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.value());
        }
        assertThat(sequences).hasSize(words);
        List<Long> expected = new ArrayList<>();
        for (long c = 1; c <= perWord; c++) {
            expected.add(c);
        }
        sequences.forEach((word, counts) -> assertThat(counts).as("the committed counts of %s", word).isEqualTo(expected));
    }

    private static Map<String, Long> latest(List<ConsumerRecord<String, Long>> records) {
        Map<String, Long> latest = new HashMap<>();
        records.forEach(r -> latest.put(r.key(), r.value()));
        return latest;
    }
}
