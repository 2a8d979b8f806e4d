package dev.brook.bench;

import dev.brook.testkit.KafkaExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code brook-bench compaction}, side by side: Brook's log cleaner and Apache Kafka 4.4's on the same data, each inside
 * its broker process as users run it ({@code bin/brook server}; Kafka with its stock 1 GiB heap), one after the other on
 * this machine. Per run and broker:
 * <ol>
 *   <li>a fresh broker; {@code log.cleaner.backoff.ms=100} on both (Kafka's 15 s default would only add idle waiting);</li>
 *   <li>a compacted topic of one partition ({@code segment.bytes} as given, {@code min.compaction.lag.ms} of an hour so
 *       nothing is cleaned while writing), filled by one producer with {@code keys} keys each written {@code overwrites}
 *       times, random values of {@code valueBytes} (the same seed for both);</li>
 *   <li>the clock starts when {@code min.compaction.lag.ms} is set to 0 and stops when the broker's cleaner checkpoint
 *       reaches the active segment (which neither cleans): Kafka's {@code cleaner-offset-checkpoint} in its log
 *       directory, Brook's in the partition's;</li>
 *   <li>reported: MB of non-active log cleaned per second, the log's size before and after (DescribeLogDirs), the
 *       broker's resident memory (VmRSS) idle before cleaning and its peak while cleaning (sampled every 20 ms), and the
 *       CPU time the broker used to clean.</li>
 * </ol>
 * The data was just written, so both read it from the page cache. Medians of {@code rounds} runs, with Brook/Kafka ratios.
 */
final class CleanerCompare {
    static final String TOPIC = "cleaner-bench";

    /** One broker's run. */
    record Run(double seconds, long cleanableBytes, long bytesBefore, long bytesAfter, double idleRssMiB, double peakRssMiB,
               double cpuSeconds) {
        double mbPerSecond() {
            return cleanableBytes / 1e6 / seconds;
        }
    }

    private final Path root;
    private final int keys;
    private final int overwrites;
    private final int valueBytes;
    private final int segmentBytes;
    private final int rounds;
    final Map<BrokerProcess.Kind, List<Run>> runs = new EnumMap<>(BrokerProcess.Kind.class);

    CleanerCompare(Path root, int keys, int overwrites, int valueBytes, int segmentBytes, int rounds) {
        this.root = root;
        this.keys = keys;
        this.overwrites = overwrites;
        this.valueBytes = valueBytes;
        this.segmentBytes = segmentBytes;
        this.rounds = rounds;
    }

    void run() throws Exception {
        for (int r = 0; r < rounds; r++) {
            for (BrokerProcess.Kind kind : BrokerProcess.Kind.values()) {
                Run run = once(kind);
                runs.computeIfAbsent(kind, k -> new ArrayList<>()).add(run);
                System.out.printf("cleaner %s run %d: %.2f s, %.0f MB/s, %,d -> %,d bytes, RSS %.0f -> peak %.0f MiB, CPU %.1f s%n",
                        kind, r + 1, run.seconds(), run.mbPerSecond(), run.bytesBefore(), run.bytesAfter(), run.idleRssMiB(),
                        run.peakRssMiB(), run.cpuSeconds());
            }
        }
    }

    private Run once(BrokerProcess.Kind kind) throws Exception {
        try (BrokerProcess broker = BrokerProcess.start(kind, root, KafkaExtension.freePortPair());
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap()))) {
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.BROKER, ""), List.of(
                    new AlterConfigOp(new ConfigEntry("log.cleaner.backoff.ms", "100"), AlterConfigOp.OpType.SET)))).all().get();
            admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1).configs(Map.of(
                    "cleanup.policy", "compact", "segment.bytes", String.valueOf(segmentBytes),
                    "min.compaction.lag.ms", "3600000", "min.cleanable.dirty.ratio", "0.5")))).all().get();
            write(broker.bootstrap());
            Path partition = broker.logDir().resolve(TOPIC + "-0");
            long activeBase = activeBase(partition);
            long cleanable = cleanableBytes(partition, activeBase);
            long before = logSize(admin);
            double idleRss = broker.rssMiB();
            double cpu0 = broker.cpuMillis();
            long t0 = System.nanoTime();
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, TOPIC), List.of(
                    new AlterConfigOp(new ConfigEntry("min.compaction.lag.ms", "0"), AlterConfigOp.OpType.SET)))).all().get();
            double peakRss = idleRss;
            long deadline = t0 + TimeUnit.MINUTES.toNanos(10);
            while (cleanedUpTo(kind, broker.logDir(), partition) < activeBase) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(kind + " did not clean " + TOPIC + " within 10 minutes");
                }
                peakRss = Math.max(peakRss, broker.rssMiB());
                Thread.sleep(20);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            double cpu = (broker.cpuMillis() - cpu0) / 1000;
            return new Run(seconds, cleanable, before, logSize(admin), idleRss, peakRss, cpu);
        }
    }

    private void write(String bootstrap) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(256 * 1024));
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(64L << 20));
        Random random = new Random(1);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            long records = (long) keys * overwrites;
            for (long i = 0; i < records; i++) {
                byte[] value = new byte[valueBytes];
                random.nextBytes(value);
                producer.send(new ProducerRecord<>(TOPIC, 0, ("key-" + (i % keys)).getBytes(), value));
            }
            producer.flush();
        }
    }

    /** The base offset of the partition's active (newest) segment. */
    private static long activeBase(Path partition) throws IOException {
        try (Stream<Path> files = Files.list(partition)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.matches("\\d+\\.log"))
                    .mapToLong(n -> Long.parseLong(n.substring(0, n.length() - 4))).max().orElseThrow();
        }
    }

    /** The bytes of the segments below the active one: what a cleaner may clean. */
    private static long cleanableBytes(Path partition, long activeBase) throws IOException {
        try (Stream<Path> files = Files.list(partition)) {
            return files.filter(f -> f.getFileName().toString().matches("\\d+\\.log"))
                    .filter(f -> Long.parseLong(f.getFileName().toString().replace(".log", "")) < activeBase)
                    .mapToLong(f -> f.toFile().length()).sum();
        }
    }

    /** The first offset the broker's cleaner has not yet cleaned, from its checkpoint; 0 before the first pass. */
    static long cleanedUpTo(BrokerProcess.Kind kind, Path logDir, Path partition) {
        try {
            if (kind == BrokerProcess.Kind.BROOK) {
                Path f = partition.resolve("cleaner-offset-checkpoint");
                return Files.exists(f) ? Long.parseLong(Files.readString(f).trim()) : 0;
            }
            Path f = logDir.resolve("cleaner-offset-checkpoint"); // version, count, then "topic partition offset" lines
            if (!Files.exists(f)) {
                return 0;
            }
            for (String line : Files.readAllLines(f)) {
                String[] parts = line.trim().split(" ");
                if (parts.length == 3 && parts[0].equals(TOPIC) && parts[1].equals("0")) {
                    return Long.parseLong(parts[2]);
                }
            }
            return 0;
        } catch (IOException | NumberFormatException e) {
            return 0; // being replaced at this moment: read again next time
        }
    }

    private static long logSize(Admin admin) throws Exception {
        return admin.describeLogDirs(List.of(1)).allDescriptions().get().get(1).values().stream()
                .map(d -> d.replicaInfos().get(new TopicPartition(TOPIC, 0)))
                .filter(java.util.Objects::nonNull).mapToLong(r -> r.size()).sum();
    }

    /** The report rows: medians of each figure for both brokers and the Brook/Kafka ratio. */
    List<String> table() {
        List<String> out = new ArrayList<>();
        out.add(String.format("Cleaner side by side: %,d keys × %d writes of %d-byte values, %d MiB segments, %d run(s)",
                keys, overwrites, valueBytes, segmentBytes >> 20, rounds));
        out.add("");
        out.add("| figure (median) | Brook | Kafka 4.4 | Brook/Kafka |");
        out.add("|---|---:|---:|---:|");
        row(out, "cleaner throughput (MB of non-active log per s)", "%,.0f", Run::mbPerSecond);
        row(out, "time to clean (s)", "%,.2f", Run::seconds);
        row(out, "log size after (MB)", "%,.1f", r -> r.bytesAfter() / 1e6);
        row(out, "broker RSS before cleaning (MiB)", "%,.0f", Run::idleRssMiB);
        row(out, "broker peak RSS while cleaning (MiB)", "%,.0f", Run::peakRssMiB);
        row(out, "broker CPU time to clean (s)", "%,.2f", Run::cpuSeconds);
        return out;
    }

    private void row(List<String> out, String name, String format, ToDoubleFunction<Run> figure) {
        double brook = median(runs.get(BrokerProcess.Kind.BROOK), figure);
        double kafka = median(runs.get(BrokerProcess.Kind.KAFKA), figure);
        out.add(String.format("| %s | " + format + " | " + format + " | %.2f× |", name, brook, kafka, brook / kafka));
    }

    static double median(List<Run> runs, ToDoubleFunction<Run> figure) {
        double[] values = runs.stream().mapToDouble(figure).sorted().toArray();
        return values[values.length / 2];
    }
}
