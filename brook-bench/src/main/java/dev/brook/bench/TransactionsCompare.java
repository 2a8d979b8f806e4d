package dev.brook.bench;

import dev.brook.testkit.KafkaExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code brook-bench transactions}: transactional produce and read_committed latency, Brook against Apache Kafka 4.4,
 * each a fresh broker in its own JVM ({@link BrokerProcess}), one after the other, with the same Java 4.4 clients at
 * their defaults (so transactions v2 on both; acks=all, idempotent). Brook fsyncs every acknowledged write and the
 * commit decision before it answers; Kafka, at its defaults, fsyncs neither.
 * <ol>
 *   <li>throughput: one transactional producer commits transactions of {@code recordsPerTxn} records of 1 KiB spread
 *       round-robin over 1 and 8 partitions, one after the other; records (and transactions) per second from the first
 *       begin to the last commit;</li>
 *   <li>read_committed end-to-end latency: transactions of one record, one after the other as fast as they commit, and
 *       a read_committed consumer: the time from just before {@code send} to the record arriving at the consumer
 *       (same JVM, same clock), as HdrHistogram percentiles.</li>
 * </ol>
 * Medians of {@code rounds} runs, with Brook/Kafka ratios.
 */
final class TransactionsCompare {
    private static final int VALUE_BYTES = 1024;

    /** One broker's run. */
    record Run(double recordsPerSecond1, double recordsPerSecond8, double p50Ms, double p99Ms, int latencyTxns) {
    }

    private final java.nio.file.Path root;
    private final int rounds;
    private final int txns;
    private final int recordsPerTxn;
    private final int latencyTxns;
    final Map<BrokerProcess.Kind, List<Run>> runs = new EnumMap<>(BrokerProcess.Kind.class);

    TransactionsCompare(java.nio.file.Path root, int rounds, int txns, int recordsPerTxn, int latencyTxns) {
        this.root = root;
        this.rounds = rounds;
        this.txns = txns;
        this.recordsPerTxn = recordsPerTxn;
        this.latencyTxns = latencyTxns;
    }

    void run() throws Exception {
        for (int r = 0; r < rounds; r++) {
            for (BrokerProcess.Kind kind : BrokerProcess.Kind.values()) {
                Run run = once(kind, r);
                runs.computeIfAbsent(kind, k -> new ArrayList<>()).add(run);
                System.out.printf("transactions %s run %d: %,.0f records/s (1 partition), %,.0f records/s (8 partitions), "
                        + "read_committed p50 %.2f ms p99 %.2f ms%n", kind, r + 1, run.recordsPerSecond1(), run.recordsPerSecond8(),
                        run.p50Ms(), run.p99Ms());
            }
        }
    }

    private Run once(BrokerProcess.Kind kind, int round) throws Exception {
        try (BrokerProcess broker = BrokerProcess.start(kind, root, KafkaExtension.freePortPair());
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap()))) {
            admin.createTopics(List.of(new NewTopic("txn-1", 1, (short) 1), new NewTopic("txn-8", 8, (short) 1),
                    new NewTopic("txn-latency", 1, (short) 1))).all().get();
            double one = throughput(broker.bootstrap(), "txn-1", 1, "bench-" + round + "-1");
            double eight = throughput(broker.bootstrap(), "txn-8", 8, "bench-" + round + "-8");
            Histogram h = latency(broker.bootstrap(), "bench-" + round + "-latency");
            return new Run(one, eight, h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3, (int) h.getTotalCount());
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap, String id) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private double throughput(String bootstrap, String topic, int partitions, String id) {
        byte[] value = new byte[VALUE_BYTES];
        try (KafkaProducer<byte[], byte[]> producer = producer(bootstrap, id)) {
            producer.initTransactions();
            // warm-up: a tenth of the transactions, not timed
            int warm = Math.max(1, txns / 10);
            long t0 = 0;
            for (int t = 0; t < warm + txns; t++) {
                if (t == warm) {
                    t0 = System.nanoTime();
                }
                producer.beginTransaction();
                for (int r = 0; r < recordsPerTxn; r++) {
                    producer.send(new ProducerRecord<>(topic, r % partitions, null, value));
                }
                producer.commitTransaction();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            return (double) txns * recordsPerTxn / seconds;
        }
    }

    private Histogram latency(String bootstrap, String id) throws Exception {
        Histogram h = new Histogram(60_000_000L, 3);
        TopicPartition tp = new TopicPartition("txn-latency", 0);
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 500);
        AtomicBoolean done = new AtomicBoolean();
        long[] sentAt = new long[latencyTxns + latencyTxns / 10 + 1];
        int warm = latencyTxns / 10;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
             KafkaProducer<byte[], byte[]> producer = producer(bootstrap, id)) {
            consumer.assign(List.of(tp));
            consumer.seekToEnd(List.of(tp));
            consumer.position(tp);
            producer.initTransactions();
            Thread reader = new Thread(() -> {
                int received = 0;
                while (!done.get() && received < sentAt.length - 1) {
                    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                        long now = System.nanoTime();
                        int i = java.nio.ByteBuffer.wrap(r.value()).getInt();
                        if (i >= warm) {
                            h.recordValue(Math.max(1, (now - sentAt[i]) / 1_000));
                        }
                        received++;
                    }
                }
            }, "read-committed-reader");
            reader.start();
            byte[] value = new byte[VALUE_BYTES];
            for (int i = 0; i < warm + latencyTxns; i++) {
                java.nio.ByteBuffer.wrap(value).putInt(0, i);
                producer.beginTransaction();
                sentAt[i] = System.nanoTime();
                producer.send(new ProducerRecord<>("txn-latency", 0, null, value.clone()));
                producer.commitTransaction();
            }
            reader.join(30_000);
            done.set(true);
            reader.join(5_000);
        }
        return h;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** The report: one row per measure, the medians of each broker and Brook/Kafka. */
    List<String> table() {
        List<Run> b = runs.get(BrokerProcess.Kind.BROOK);
        List<Run> k = runs.get(BrokerProcess.Kind.KAFKA);
        List<String> out = new ArrayList<>();
        out.add(String.format("Transactions, medians of %d runs (%d transactions of %d x 1 KiB; %d one-record transactions for latency):",
                rounds, txns, recordsPerTxn, latencyTxns));
        out.add("| measure | Brook | Kafka 4.4 | Brook/Kafka |");
        out.add("| --- | ---: | ---: | ---: |");
        row(out, "transactional produce, 1 partition (records/s)", b.stream().map(Run::recordsPerSecond1).toList(),
                k.stream().map(Run::recordsPerSecond1).toList(), "%,.0f");
        row(out, "transactional produce, 8 partitions (records/s)", b.stream().map(Run::recordsPerSecond8).toList(),
                k.stream().map(Run::recordsPerSecond8).toList(), "%,.0f");
        row(out, "read_committed end-to-end p50 (ms)", b.stream().map(Run::p50Ms).toList(), k.stream().map(Run::p50Ms).toList(), "%.2f");
        row(out, "read_committed end-to-end p99 (ms)", b.stream().map(Run::p99Ms).toList(), k.stream().map(Run::p99Ms).toList(), "%.2f");
        return out;
    }

    private static void row(List<String> out, String name, List<Double> brook, List<Double> kafka, String format) {
        double mb = median(brook);
        double mk = median(kafka);
        out.add(String.format("| %s | " + format + " | " + format + " | %.2f |", name, mb, mk, mb / mk));
    }
}
