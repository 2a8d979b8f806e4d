package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brook.testkit.BrookExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Kafka Streams 4.4 application with a KTable (a running count per key, in a persistent store) on Brook: its state is
 * lost (a new state directory, as on a new machine), it restores the table from its changelog, which Brook's cleaner has
 * compacted meanwhile (so the restore reads about one record per key, not every update), and counts on correctly.
 */
@Timeout(240)
class KafkaStreamsTableTest {
    private static final int KEYS = 20;
    private static final int ROUNDS = 50;

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension().withConfig("log.cleaner.backoff.ms", "100");

    @TempDir
    Path state;

    private KafkaStreams start(Path stateDir, AtomicLong restored) {
        StreamsBuilder builder = new StreamsBuilder();
        builder.stream("words", Consumed.with(Serdes.String(), Serdes.String()))
                .groupByKey()
                .count(Materialized.as("counts"))
                .toStream()
                .to("counts-out", Produced.with(Serdes.String(), Serdes.Long()));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "table-restore");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, brook.bootstrapServers());
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0); // every update reaches the changelog
        props.put(StreamsConfig.topicPrefix("segment.ms"), "500"); // the changelog rolls, so the cleaner gets to it
        props.put(StreamsConfig.topicPrefix("min.cleanable.dirty.ratio"), "0.01");
        props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
        KafkaStreams streams = new KafkaStreams(builder.build(), props);
        streams.setGlobalStateRestoreListener(new StateRestoreListener() {
            @Override
            public void onRestoreStart(TopicPartition tp, String store, long start, long end) {
            }

            @Override
            public void onBatchRestored(TopicPartition tp, String store, long batchEnd, long numRestored) {
                restored.addAndGet(numRestored);
            }

            @Override
            public void onRestoreEnd(TopicPartition tp, String store, long totalRestored) {
            }
        });
        streams.start();
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> streams.state() == KafkaStreams.State.RUNNING);
        return streams;
    }

    private static void words(int rounds) {
        try (KafkaProducer<String, String> producer = Clients.producer(brook.bootstrapServers())) {
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < KEYS; k++) {
                    producer.send(new ProducerRecord<>("words", "word-" + k, "x"));
                }
            }
            producer.flush();
        }
    }

    /** The latest count per key in counts-out, read from the beginning. */
    private static Map<String, Long> latestCounts() {
        Map<String, Long> latest = new ConcurrentHashMap<>();
        try (KafkaConsumer<String, Long> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brook.bootstrapServers()),
                Serdes.String().deserializer(), Serdes.Long().deserializer())) {
            TopicPartition tp = new TopicPartition("counts-out", 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (consumer.position(tp) < end && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> latest.put(r.key(), r.value()));
            }
        }
        return latest;
    }

    private static long changelogEnd() {
        TopicPartition tp = new TopicPartition("table-restore-counts-changelog", 0);
        try (KafkaConsumer<String, String> consumer = Clients.consumer(brook.bootstrapServers())) {
            return consumer.endOffsets(List.of(tp)).get(tp);
        }
    }

    @Test
    void aKTableRestoresFromItsCompactedChangelogAndCountsOn() throws Exception {
        try (Admin admin = Clients.admin(brook.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic("words", 1, (short) 1), new NewTopic("counts-out", 1, (short) 1))).all().get();
        }
        AtomicLong restoredFirst = new AtomicLong();
        try (KafkaStreams streams = start(state.resolve("first"), restoredFirst)) {
            words(ROUNDS);
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> latestCounts().values().stream().allMatch(c -> c == ROUNDS) && latestCounts().size() == KEYS);
            Thread.sleep(700); // segment.ms passes: the next changelog write rolls its segment
            words(1);
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> latestCounts().values().stream().allMatch(c -> c == ROUNDS + 1));
            streams.close(Duration.ofSeconds(30));
        }
        long changelogWrites = changelogEnd();
        assertThat(changelogWrites).as("updates written to the changelog").isGreaterThanOrEqualTo((long) KEYS * (ROUNDS + 1));

        // a new machine: no local state, so the table comes back from the changelog
        AtomicLong restored = new AtomicLong();
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            try (KafkaConsumer<String, String> consumer = Clients.consumer(brook.bootstrapServers())) {
                return Clients.readFromBeginningToEnd(consumer, List.of(new TopicPartition("table-restore-counts-changelog", 0)),
                        Duration.ofSeconds(10)).size() <= 2 * KEYS;
            }
        });
        try (KafkaStreams streams = start(state.resolve("second"), restored)) {
            words(2);
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> latestCounts().values().stream().allMatch(c -> c == ROUNDS + 3));
            streams.close(Duration.ofSeconds(30));
        }
        assertThat(restored.get()).as("records restored, of %d written to the changelog", changelogWrites)
                .isPositive().isLessThanOrEqualTo(2L * KEYS);
        assertThat(latestCounts()).hasSize(KEYS).allSatisfy((k, c) -> assertThat(c).isEqualTo(ROUNDS + 3L));
    }
}
