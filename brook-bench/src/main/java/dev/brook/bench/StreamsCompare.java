package dev.brook.bench;

import dev.brook.streams.Job;
import dev.brook.streams.JobRunner;
import dev.brook.streams.Serde;
import dev.brook.streams.Serdes;
import dev.brook.streams.Watermarks;
import dev.brook.streams.Windowed;
import dev.brook.streams.Windows;
import dev.brook.testkit.KafkaExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.LongSerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.Stores;

/**
 * brook-streams against Kafka Streams 4.4, same broker (a Brook started with {@code bin/brook server}), same
 * workload, same client library underneath: a count per key in 1-second tumbling event-time windows, final results
 * only (brook-streams emits on window close; Kafka Streams suppresses until the window closes), no grace, state in
 * memory for both, one processing thread each, commits every second. For the latency runs Kafka Streams' record
 * cache is off (with it, updates reach suppression only at a commit, and results come ~1 s late).
 *
 * <ul>
 *   <li>Throughput: {@code records} records (100 keys, 4 partitions, 10 per millisecond of event time) are
 *       produced first; the clock runs from the job's first partition assignment until the consumer has read every
 *       final window result.</li>
 *   <li>Event-to-result latency: records produced at 2,000/s with the wall clock as event time; for each window
 *       result, the time from the window's end to the result's arrival at a consumer (a window can only close
 *       when a later record arrives, 2 ms later on average per partition).</li>
 * </ul>
 * Engines alternate within each round; the report gives medians over rounds. With {@code --eos} both run exactly
 * once (brook-streams {@code processing.guarantee=exactly_once}, Kafka Streams {@code exactly_once_v2}) and the result
 * consumer reads read_committed, so results count once their transaction commits. Owned by one thread.
 */
final class StreamsCompare {
    enum Engine { BROOK_STREAMS, KAFKA_STREAMS }

    /** A job started by one engine. */
    private interface Running extends AutoCloseable {
        /** Waits until the job holds its partitions; returns {@link System#nanoTime()} then. */
        long awaitStarted() throws InterruptedException;

        @Override
        void close();
    }

    static final String START = "<!-- streams:start -->";
    static final String END = "<!-- streams:end -->";
    static final String EOS_START = "<!-- streams-eos:start -->";
    static final String EOS_END = "<!-- streams-eos:end -->";
    private static final int PARTITIONS = 4;
    private static final int KEYS = 100;
    private static final long WINDOW = 1_000;
    private static final long BASE = 1_767_225_600_000L; // 2026-01-01T00:00Z

    private final Path root;
    private final int rounds;
    private final int records;
    private final int latencySeconds;
    private final boolean eos;
    final Map<String, Map<Engine, List<Double>>> results = new LinkedHashMap<>();
    final Map<Engine, Histogram> latencies = new EnumMap<>(Engine.class);

    StreamsCompare(Path root, int rounds, int records, int latencySeconds, boolean eos) {
        this.eos = eos;
        this.root = root;
        this.rounds = rounds;
        this.records = records;
        this.latencySeconds = latencySeconds;
        for (Engine e : Engine.values()) {
            latencies.put(e, new Histogram(3_600_000_000L, 3));
        }
    }

    void run() throws Exception {
        try (BrokerProcess brook = BrokerProcess.start(BrokerProcess.Kind.BROOK, root, KafkaExtension.freePortPair())) {
            for (int r = 0; r < rounds; r++) {
                Engine[] order = r % 2 == 0 ? Engine.values() : new Engine[] {Engine.KAFKA_STREAMS, Engine.BROOK_STREAMS};
                for (Engine e : order) {
                    System.out.printf("round %d/%d: %s%n", r + 1, rounds, e);
                    throughput(brook.bootstrap(), e, r);
                    latency(brook.bootstrap(), e, r);
                }
            }
        }
    }

    private void record(String metric, Engine e, double value) {
        results.computeIfAbsent(metric, m -> new EnumMap<>(Engine.class)).computeIfAbsent(e, x -> new ArrayList<>()).add(value);
        System.out.printf("  %-45s %,.1f%n", metric, value);
    }

    private void throughput(String bootstrap, Engine e, int round) throws Exception {
        String in = "tput-in-" + e.ordinal() + "-" + round;
        String out = "tput-out-" + e.ordinal() + "-" + round;
        createTopics(bootstrap, in, out);
        try (KafkaProducer<String, Long> p = producer(bootstrap)) {
            for (int i = 0; i < records; i++) {
                p.send(new ProducerRecord<>(in, null, BASE + i / 10, "k" + (i % KEYS), (long) i));
            }
            for (int part = 0; part < PARTITIONS; part++) { // a later record everywhere: every real window closes
                p.send(new ProducerRecord<>(in, part, BASE + records, "closer", 0L));
            }
            p.flush();
        }
        long windows = (records / 10 + WINDOW - 1) / WINDOW;
        long expected = windows * KEYS;
        try (Running job = start(e, bootstrap, "tput-" + e.ordinal() + "-" + round, in, out)) {
            long t0 = job.awaitStarted();
            long seen = 0;
            long last = t0;
            try (KafkaConsumer<String, byte[]> c = consumer(bootstrap, out, eos)) {
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
                while (seen < expected && System.nanoTime() < deadline) {
                    int n = c.poll(Duration.ofMillis(100)).count();
                    if (n > 0) {
                        seen += n;
                        last = System.nanoTime();
                    }
                }
            }
            if (seen < expected) {
                throw new IllegalStateException(e + " wrote " + seen + " of " + expected + " window results");
            }
            record("windowed count throughput (records/s)", e, records / ((last - t0) / 1e9));
        }
    }

    private void latency(String bootstrap, Engine e, int round) throws Exception {
        String in = "lat-in-" + e.ordinal() + "-" + round;
        String out = "lat-out-" + e.ordinal() + "-" + round;
        createTopics(bootstrap, in, out);
        Histogram h = new Histogram(3_600_000_000L, 3);
        try (Running job = start(e, bootstrap, "lat-" + e.ordinal() + "-" + round, in, out);
                KafkaConsumer<String, byte[]> c = consumer(bootstrap, out, eos);
                KafkaProducer<String, Long> p = producer(bootstrap)) {
            job.awaitStarted();
            int rate = 2_000;
            long start = System.nanoTime();
            long measureFrom = System.currentTimeMillis() + 3_000; // windows ending in the first 3 s warm up
            long i = 0;
            long end = start + TimeUnit.SECONDS.toNanos(latencySeconds);
            while (System.nanoTime() < end) {
                long due = start + i * 1_000_000_000L / rate;
                while (System.nanoTime() < due) {
                    drain(c, h, measureFrom, 0);
                }
                p.send(new ProducerRecord<>(in, null, System.currentTimeMillis(), "k" + (i % KEYS), i));
                i++;
            }
            p.flush();
            long stop = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (System.nanoTime() < stop) {
                drain(c, h, measureFrom, 50);
            }
        }
        latencies.get(e).add(h);
        record("event-to-result p50 (ms)", e, h.getValueAtPercentile(50) / 1000.0);
        record("event-to-result p99 (ms)", e, h.getValueAtPercentile(99) / 1000.0);
        record("event-to-result p99.9 (ms)", e, h.getValueAtPercentile(99.9) / 1000.0);
    }

    /** Each result's key is {@code key@windowStart}: the latency is now minus the window's end, in microseconds. */
    private static void drain(KafkaConsumer<String, byte[]> c, Histogram h, long measureFrom, long pollMillis) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(pollMillis))) {
            long now = System.currentTimeMillis();
            long windowEnd = Long.parseLong(r.key().substring(r.key().lastIndexOf('@') + 1)) + WINDOW;
            if (windowEnd >= measureFrom) {
                h.recordValue(Math.max(0, now - windowEnd) * 1000);
            }
        }
    }

    // ---- the two engines ----

    private Running start(Engine e, String bootstrap, String appId, String in, String out) {
        return e == Engine.BROOK_STREAMS ? brookStreams(bootstrap, appId, in, out, eos)
                : kafkaStreams(bootstrap, appId, in, out, appId.startsWith("lat"), eos);
    }

    private static Running brookStreams(String bootstrap, String appId, String in, String out, boolean eos) {
        Serde<Windowed<String>> keyAtStart = new Serde<>() {
            @Override
            public byte[] serialize(Windowed<String> w) {
                return (w.key() + "@" + w.start()).getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public Windowed<String> deserialize(byte[] bytes) {
                throw new UnsupportedOperationException("write-only");
            }
        };
        Job job = Job.named(appId);
        job.source(in, Serdes.string(), Serdes.longs())
                .withWatermarks(Watermarks.boundedOutOfOrderness(Duration.ZERO))
                .window(Windows.tumbling(Duration.ofMillis(WINDOW)))
                .count()
                .to(out, keyAtStart, Serdes.longs());
        JobRunner runner = JobRunner.start(job, Map.of("bootstrap.servers", bootstrap, JobRunner.COMMIT_INTERVAL_MS, 1_000,
                JobRunner.PROCESSING_GUARANTEE, eos ? "exactly_once" : "at_least_once"));
        return new Running() {
            @Override
            public long awaitStarted() throws InterruptedException {
                if (!runner.awaitAssignment(Duration.ofMinutes(1)) || runner.state() != JobRunner.State.RUNNING) {
                    throw new IllegalStateException("brook-streams did not start: " + runner.failure());
                }
                return System.nanoTime();
            }

            @Override
            public void close() {
                runner.close();
            }
        };
    }

    /**
     * Kafka Streams at its defaults but for one thread, in-memory state and 1 s commits; for the latency runs also
     * without its record cache, which otherwise holds window updates back from suppression until a commit.
     */
    private static Running kafkaStreams(String bootstrap, String appId, String in, String out, boolean noCache, boolean eos) {
        StreamsBuilder b = new StreamsBuilder();
        b.stream(in, Consumed.with(org.apache.kafka.common.serialization.Serdes.String(), org.apache.kafka.common.serialization.Serdes.Long()))
                .groupByKey()
                .windowedBy(TimeWindows.ofSizeWithNoGrace(Duration.ofMillis(WINDOW)))
                .count(Materialized.<String, Long>as(Stores.inMemoryWindowStore("counts", Duration.ofMinutes(1), Duration.ofMillis(WINDOW), false))
                        .withKeySerde(org.apache.kafka.common.serialization.Serdes.String())
                        .withValueSerde(org.apache.kafka.common.serialization.Serdes.Long()))
                .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
                .toStream((wk, v) -> wk.key() + "@" + wk.window().start())
                .to(out, Produced.with(org.apache.kafka.common.serialization.Serdes.String(), org.apache.kafka.common.serialization.Serdes.Long()));
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1_000);
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        props.put(StreamsConfig.STATE_DIR_CONFIG, System.getProperty("java.io.tmpdir") + "/kafka-streams-bench");
        props.put("consumer.auto.offset.reset", "earliest");
        if (eos) {
            props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        }
        if (noCache) {
            props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0L);
        }
        KafkaStreams streams = new KafkaStreams(b.build(), props);
        CountDownLatch running = new CountDownLatch(1);
        streams.setStateListener((now, before) -> {
            if (now == KafkaStreams.State.RUNNING) {
                running.countDown();
            }
        });
        streams.start();
        return new Running() {
            @Override
            public long awaitStarted() throws InterruptedException {
                if (!running.await(1, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("Kafka Streams did not reach RUNNING: " + streams.state());
                }
                return System.nanoTime();
            }

            @Override
            public void close() {
                streams.close(Duration.ofSeconds(30));
                streams.cleanUp();
            }
        };
    }

    // ---- clients ----

    private static void createTopics(String bootstrap, String... topics) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            List<NewTopic> t = new ArrayList<>();
            for (String name : topics) {
                t.add(new NewTopic(name, Optional.of(PARTITIONS), Optional.empty()));
            }
            admin.createTopics(t).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static KafkaProducer<String, Long> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "linger.ms", 5, "batch.size", 65_536),
                new StringSerializer(), new LongSerializer());
    }

    private static KafkaConsumer<String, byte[]> consumer(String bootstrap, String topic, boolean readCommitted) {
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", bootstrap, "enable.auto.commit", false,
                "isolation.level", readCommitted ? "read_committed" : "read_uncommitted"),
                new StringDeserializer(), new org.apache.kafka.common.serialization.ByteArrayDeserializer());
        List<TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < PARTITIONS; p++) {
            tps.add(new TopicPartition(topic, p));
        }
        c.assign(tps);
        c.seekToBeginning(tps);
        return c;
    }

    // ---- report ----

    String table() {
        StringBuilder sb = new StringBuilder();
        sb.append("| metric | brook-streams | Kafka Streams | brook/Kafka Streams | target | met |\n|---|---:|---:|---:|---|---|\n");
        for (Map.Entry<String, Map<Engine, List<Double>>> e : results.entrySet()) {
            double brook = Compare.median(e.getValue().getOrDefault(Engine.BROOK_STREAMS, List.of()));
            double ks = Compare.median(e.getValue().getOrDefault(Engine.KAFKA_STREAMS, List.of()));
            double ratio = brook / ks;
            boolean tput = e.getKey().contains("throughput");
            String target = tput ? "≥ 2×" : e.getKey().contains("p99") ? "< 1×" : "";
            String met = tput ? (ratio >= 2 ? "yes" : "no") : target.isEmpty() ? "" : ratio < 1 ? "yes" : "no";
            sb.append(String.format("| %s | %,.1f | %,.1f | %.2f | %s | %s |%n", e.getKey(), brook, ks, ratio, target, met));
        }
        return sb.toString();
    }

    /** Replaces the part of {@code docs/benchmarks.md} between the streams markers (appending them if absent). */
    void write(Path file, String command) throws java.io.IOException {
        String doc = java.nio.file.Files.exists(file) ? java.nio.file.Files.readString(file) : "";
        String start = eos ? EOS_START : START;
        String end = eos ? EOS_END : END;
        String block = start + "\n" + "Command: `" + command + "` (" + rounds + " rounds, " + String.format("%,d", records)
                + " records per throughput run, " + latencySeconds + " s at 2,000 records/s per latency run; medians).  \n"
                + "Machine: " + Report.machine() + "\n\n" + table() + end;
        int a = doc.indexOf(start);
        int b = doc.indexOf(end);
        doc = a >= 0 && b > a ? doc.substring(0, a) + block + doc.substring(b + end.length())
                : doc + "\n## brook-streams against Kafka Streams" + (eos ? ", exactly once" : "") + "\n\n" + block + "\n";
        java.nio.file.Files.writeString(file, doc);
    }
}
