package dev.brook.bench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.MessageProperties;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
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
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code brook-bench queues}: Brook's share groups side by side with RabbitMQ (Debian's {@code rabbitmq-server}, the
 * official Java client com.rabbitmq:amqp-client) on this machine, as a work queue: 1 KiB messages, one publisher that
 * waits for durability (Kafka producer {@code acks=all}, fsynced by Brook's group commit; RabbitMQ publisher confirms on
 * persistent messages in a durable classic queue), four competing consumers that acknowledge every message (share
 * consumers in explicit mode, ACCEPT per record; AMQP manual acks, prefetch 500). Three figures per system:
 * <ul>
 *   <li><b>throughput</b>: N messages published as fast as confirms allow while the consumers drain them; messages
 *       acknowledged per second from the first publish to the last acknowledgement;</li>
 *   <li><b>delivery latency</b> at a fixed rate: publish to a consumer holding the message (p50, p99);</li>
 *   <li><b>redelivery latency</b>: a consumer gives a message back (RELEASE; {@code basicNack} with requeue) and the
 *       time until a consumer holds it again (p50, p99).</li>
 * </ul>
 * Each round starts both brokers fresh; figures are medians over the rounds.
 */
final class QueueCompare {
    static final String START = "<!-- queues:start -->";
    static final String END = "<!-- queues:end -->";
    static final String BROOK = "Brook share group";
    static final String RABBIT = "RabbitMQ";
    private static final int SIZE = 1024;
    private static final int CONSUMERS = 4;

    private final Path root;
    private final int rounds;
    private final int messages;
    private final int rate;
    private final int seconds;
    private final int redeliveries;
    /** system → figure → one value per round. */
    final Map<String, Map<String, List<Double>>> results = new LinkedHashMap<>();

    QueueCompare(Path root, int rounds, int messages, int rate, int seconds, int redeliveries) {
        this.root = root;
        this.rounds = rounds;
        this.messages = messages;
        this.rate = rate;
        this.seconds = seconds;
        this.redeliveries = redeliveries;
    }

    void run() throws Exception {
        for (int round = 1; round <= rounds; round++) {
            System.err.printf("round %d/%d: RabbitMQ%n", round, rounds);
            try (RabbitServer rabbit = RabbitServer.start(MessagingCompare.freePort(), root)) {
                record(RABBIT, "throughput", rabbitThroughput(rabbit.port(), "tp-" + round));
                Histogram[] h = rabbitLatency(rabbit.port(), "lat-" + round);
                record(RABBIT, "delivery", h[0]);
                record(RABBIT, "redelivery", h[1]);
            }
            System.err.printf("round %d/%d: Brook%n", round, rounds);
            try (BrokerProcess brook = BrokerProcess.start(BrokerProcess.Kind.BROOK, root, MessagingCompare.freePort())) {
                String bootstrap = brook.bootstrap();
                record(BROOK, "throughput", brookThroughput(bootstrap, "tp-" + round));
                Histogram[] h = brookLatency(bootstrap, "lat-" + round);
                record(BROOK, "delivery", h[0]);
                record(BROOK, "redelivery", h[1]);
            }
        }
    }

    private void record(String system, String figure, double value) {
        results.computeIfAbsent(system, k -> new LinkedHashMap<>()).computeIfAbsent(figure, k -> new ArrayList<>()).add(value);
    }

    private void record(String system, String figure, Histogram h) {
        record(system, figure + " p50", h.getValueAtPercentile(50));
        record(system, figure + " p99", h.getValueAtPercentile(99));
        record(system, figure + " count", h.getTotalCount());
    }

    private static byte[] message(long seq) {
        byte[] b = new byte[SIZE];
        ByteBuffer.wrap(b).putLong(0, System.nanoTime()).putLong(8, seq);
        return b;
    }

    private static long sentAt(byte[] b) {
        return ByteBuffer.wrap(b).getLong(0);
    }

    private static long seqOf(byte[] b) {
        return ByteBuffer.wrap(b).getLong(8);
    }

    private static Histogram histogram() {
        return new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    }

    // ------------------------------------------------------------------ Brook

    private static void shareTopic(String bootstrap, String topic, String group) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, group), List.of(
                    new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET)))).all().get();
        }
    }

    /**
     * The publisher: {@code acks=all}; for throughput with larger batches (128 KiB, linger 5 ms, Kafka 4's default
     * linger), as RabbitMQ's publisher keeps 1,000 messages unconfirmed; for latency with no linger.
     */
    private static KafkaProducer<byte[], byte[]> brookProducer(String bootstrap, boolean forThroughput) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, forThroughput ? 5 : 0, ProducerConfig.BATCH_SIZE_CONFIG, forThroughput ? 131_072 : 16_384),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static KafkaShareConsumer<byte[], byte[]> brookConsumer(String bootstrap, String group) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        c.put("share.acknowledgement.mode", "explicit");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        return new KafkaShareConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Runs {@code consumers} share consumers until stopped; {@code onRecord} decides each record's acknowledgement. */
    private static List<Thread> brookConsumers(String bootstrap, String topic, String group, AtomicBoolean stop, CountDownLatch joined,
                                               java.util.function.Function<ConsumerRecord<byte[], byte[]>, AcknowledgeType> onRecord) {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < CONSUMERS; i++) {
            Thread t = new Thread(() -> {
                try (KafkaShareConsumer<byte[], byte[]> c = brookConsumer(bootstrap, group)) {
                    c.subscribe(List.of(topic));
                    c.poll(Duration.ofMillis(100));
                    joined.countDown();
                    while (!stop.get()) {
                        boolean release = false;
                        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                            AcknowledgeType type = onRecord.apply(r);
                            c.acknowledge(r, type);
                            release |= type == AcknowledgeType.RELEASE;
                        }
                        if (release) {
                            c.commitAsync(); // give it back now, not with the next poll
                        }
                    }
                    c.commitSync(Duration.ofSeconds(5));
                }
            }, "share-consumer-" + i);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        return threads;
    }

    private double brookThroughput(String bootstrap, String name) throws Exception {
        String group = "g-" + name;
        shareTopic(bootstrap, name, group);
        AtomicLong acked = new AtomicLong();
        AtomicLong lastAck = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch joined = new CountDownLatch(CONSUMERS);
        List<Thread> threads = brookConsumers(bootstrap, name, group, stop, joined, r -> {
            if (acked.incrementAndGet() >= messages) {
                lastAck.compareAndSet(0, System.nanoTime());
            }
            return AcknowledgeType.ACCEPT;
        });
        joined.await(60, TimeUnit.SECONDS);
        long start = System.nanoTime();
        try (KafkaProducer<byte[], byte[]> p = brookProducer(bootstrap, true)) {
            for (long i = 0; i < messages; i++) {
                p.send(new ProducerRecord<>(name, message(i)));
            }
            p.flush();
        }
        awaitCount(acked, messages);
        stop.set(true);
        for (Thread t : threads) {
            t.join(10_000);
        }
        long end = lastAck.get() == 0 ? System.nanoTime() : lastAck.get();
        return messages / ((end - start) / 1e9);
    }

    private Histogram[] brookLatency(String bootstrap, String name) throws Exception {
        String group = "g-" + name;
        shareTopic(bootstrap, name, group);
        Histogram delivery = histogram();
        Histogram redelivery = histogram();
        Map<Long, Long> releasedAt = new ConcurrentHashMap<>();
        AtomicLong done = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch joined = new CountDownLatch(CONSUMERS);
        long total = (long) rate * seconds;
        List<Thread> threads = brookConsumers(bootstrap, name, group, stop, joined, r -> {
            long now = System.nanoTime();
            long seq = seqOf(r.value());
            synchronized (delivery) {
                if (r.deliveryCount().orElse((short) 1) == 1) {
                    delivery.recordValue(Math.max(0, (now - sentAt(r.value())) / 1000));
                    if (seq % Math.max(1, total / redeliveries) == 0) {
                        releasedAt.put(seq, System.nanoTime());
                        return AcknowledgeType.RELEASE;
                    }
                } else {
                    Long at = releasedAt.remove(seq);
                    if (at != null) {
                        redelivery.recordValue(Math.max(0, (now - at) / 1000));
                    }
                }
            }
            done.incrementAndGet();
            return AcknowledgeType.ACCEPT;
        });
        joined.await(60, TimeUnit.SECONDS);
        try (KafkaProducer<byte[], byte[]> p = brookProducer(bootstrap, false)) {
            pace(rate, total, seq -> p.send(new ProducerRecord<>(name, message(seq))));
            p.flush();
        }
        awaitCount(done, total);
        stop.set(true);
        for (Thread t : threads) {
            t.join(10_000);
        }
        return new Histogram[] {delivery, redelivery};
    }

    // ------------------------------------------------------------------ RabbitMQ

    private static com.rabbitmq.client.Connection rabbit(int port) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(port);
        return f.newConnection();
    }

    /** Starts the consumers, each on its own connection and channel with manual acks and a prefetch of 500. */
    private static List<com.rabbitmq.client.Connection> rabbitConsumers(int port, String queue, java.util.function.Function<Delivery, Boolean> ack)
            throws Exception {
        List<com.rabbitmq.client.Connection> connections = new ArrayList<>();
        for (int i = 0; i < CONSUMERS; i++) {
            com.rabbitmq.client.Connection conn = rabbit(port);
            connections.add(conn);
            Channel ch = conn.createChannel();
            ch.basicQos(500);
            ch.basicConsume(queue, false, new DefaultConsumer(ch) {
                @Override
                public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) throws IOException {
                    if (ack.apply(new Delivery(body, envelope.isRedeliver()))) {
                        getChannel().basicAck(envelope.getDeliveryTag(), false);
                    } else {
                        getChannel().basicNack(envelope.getDeliveryTag(), false, true);
                    }
                }
            });
        }
        return connections;
    }

    record Delivery(byte[] body, boolean redelivered) {
    }

    private static void declare(int port, String queue) throws Exception {
        try (com.rabbitmq.client.Connection c = rabbit(port); Channel ch = c.createChannel()) {
            ch.queueDeclare(queue, true, false, false, null);
        }
    }

    /** Publishes with confirms, at most 1,000 unconfirmed at a time. */
    private static final class ConfirmedPublisher implements AutoCloseable {
        private final com.rabbitmq.client.Connection conn;
        private final Channel ch;
        private final Semaphore window = new Semaphore(1_000);
        private final String queue;

        ConfirmedPublisher(int port, String queue) throws Exception {
            this.queue = queue;
            conn = rabbit(port);
            ch = conn.createChannel();
            ch.confirmSelect();
            ch.addConfirmListener((tag, multiple) -> release(tag, multiple), (tag, multiple) -> release(tag, multiple));
        }

        private final java.util.concurrent.ConcurrentSkipListSet<Long> outstanding = new java.util.concurrent.ConcurrentSkipListSet<>();

        private void release(long tag, boolean multiple) {
            if (multiple) {
                var head = outstanding.headSet(tag, true);
                int n = head.size();
                head.clear();
                window.release(n);
            } else if (outstanding.remove(tag)) {
                window.release();
            }
        }

        synchronized void publish(byte[] body) throws Exception {
            window.acquire();
            outstanding.add(ch.getNextPublishSeqNo());
            ch.basicPublish("", queue, MessageProperties.PERSISTENT_BASIC, body);
        }

        @Override
        public void close() throws Exception {
            ch.waitForConfirms(30_000);
            conn.close();
        }
    }

    private double rabbitThroughput(int port, String queue) throws Exception {
        declare(port, queue);
        AtomicLong acked = new AtomicLong();
        AtomicLong lastAck = new AtomicLong();
        List<com.rabbitmq.client.Connection> consumers = rabbitConsumers(port, queue, d -> {
            if (acked.incrementAndGet() >= messages) {
                lastAck.compareAndSet(0, System.nanoTime());
            }
            return true;
        });
        long start = System.nanoTime();
        try (ConfirmedPublisher p = new ConfirmedPublisher(port, queue)) {
            for (long i = 0; i < messages; i++) {
                p.publish(message(i));
            }
        }
        awaitCount(acked, messages);
        for (com.rabbitmq.client.Connection c : consumers) {
            c.close();
        }
        long end = lastAck.get() == 0 ? System.nanoTime() : lastAck.get();
        return messages / ((end - start) / 1e9);
    }

    private Histogram[] rabbitLatency(int port, String queue) throws Exception {
        declare(port, queue);
        Histogram delivery = histogram();
        Histogram redelivery = histogram();
        Map<Long, Long> releasedAt = new ConcurrentHashMap<>();
        AtomicLong done = new AtomicLong();
        long total = (long) rate * seconds;
        List<com.rabbitmq.client.Connection> consumers = rabbitConsumers(port, queue, d -> {
            long now = System.nanoTime();
            long seq = seqOf(d.body());
            synchronized (delivery) {
                if (!d.redelivered()) {
                    delivery.recordValue(Math.max(0, (now - sentAt(d.body())) / 1000));
                    if (seq % Math.max(1, total / redeliveries) == 0) {
                        releasedAt.put(seq, System.nanoTime());
                        return false;
                    }
                } else {
                    Long at = releasedAt.remove(seq);
                    if (at != null) {
                        redelivery.recordValue(Math.max(0, (now - at) / 1000));
                    }
                }
            }
            done.incrementAndGet();
            return true;
        });
        try (ConfirmedPublisher p = new ConfirmedPublisher(port, queue)) {
            pace(rate, total, seq -> {
                try {
                    p.publish(message(seq));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
        awaitCount(done, total);
        for (com.rabbitmq.client.Connection c : consumers) {
            c.close();
        }
        return new Histogram[] {delivery, redelivery};
    }

    // ------------------------------------------------------------------ shared

    private static void pace(int rate, long total, java.util.function.LongConsumer send) {
        long interval = 1_000_000_000L / rate;
        long next = System.nanoTime();
        for (long i = 0; i < total; i++) {
            long wait;
            while ((wait = next - System.nanoTime()) > 0) {
                LockSupport.parkNanos(Math.min(50_000, wait));
            }
            send.accept(i);
            next += interval;
        }
    }

    private static void awaitCount(AtomicLong count, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (count.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        if (count.get() < expected) {
            System.err.printf("  (only %,d of %,d acknowledged)%n", count.get(), expected);
        }
    }

    // ------------------------------------------------------------------ report

    double median(String system, String figure) {
        List<Double> v = results.getOrDefault(system, Map.of()).get(figure);
        return v == null ? Double.NaN : Compare.median(new ArrayList<>(v));
    }

    String table() {
        StringBuilder sb = new StringBuilder();
        sb.append("| figure (median of rounds) | Brook share group | RabbitMQ | Brook / RabbitMQ |\n|---|---:|---:|---:|\n");
        row(sb, "acknowledged throughput (msg/s)", "throughput", "%,.0f");
        row(sb, "delivery latency p50 (µs)", "delivery p50", "%,.0f");
        row(sb, "delivery latency p99 (µs)", "delivery p99", "%,.0f");
        row(sb, "redelivery latency p50 (µs)", "redelivery p50", "%,.0f");
        row(sb, "redelivery latency p99 (µs)", "redelivery p99", "%,.0f");
        row(sb, "redeliveries measured", "redelivery count", "%,.0f");
        return sb.toString();
    }

    private void row(StringBuilder sb, String label, String figure, String format) {
        double b = median(BROOK, figure);
        double r = median(RABBIT, figure);
        sb.append("| ").append(label).append(" | ").append(String.format(format, b)).append(" | ").append(String.format(format, r))
                .append(" | ").append(figure.endsWith("count") ? "" : String.format("%.2f", b / r)).append(" |\n");
    }

    void write(Path file, String command) throws IOException {
        String doc = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "# Benchmarks\n";
        String block = START + "\n" + "Measured " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME) + " with `" + command
                + "`: " + rounds + " round" + (rounds == 1 ? "" : "s") + "; " + String.format("%,d", messages) + " messages of 1 KiB for the "
                + "throughput, " + String.format("%,d", rate) + " msg/s for " + seconds + " s for the latencies. Machine: " + Report.machine() + ". "
                + RabbitServer.version() + " with its defaults (a durable classic queue, persistent messages, publisher confirms, manual acks, "
                + "prefetch 500); Brook started by `bin/brook server` with its defaults (acks=all producer, 128 KiB batches and linger 5 ms for the "
                + "throughput, no linger for the latencies; 4 KafkaShareConsumers in explicit mode). Clients in the harness JVM.\n\n" + table() + END;
        int a = doc.indexOf(START);
        int b = doc.indexOf(END);
        doc = a >= 0 && b > a ? doc.substring(0, a) + block + doc.substring(b + END.length()) : doc + "\n" + block + "\n";
        Files.writeString(file, doc, StandardCharsets.UTF_8);
    }

    /** Debian's {@code rabbitmq-server} on 127.0.0.1, its own node, data and logs under {@code target/rabbitmq}. */
    static final class RabbitServer implements AutoCloseable {
        private final Process process;
        private final int port;
        private final Path base;

        private RabbitServer(Process process, int port, Path base) {
            this.process = process;
            this.port = port;
            this.base = base;
        }

        int port() {
            return port;
        }

        static String binary() {
            for (String p : List.of("/usr/lib/rabbitmq/bin/rabbitmq-server", "/usr/sbin/rabbitmq-server")) {
                if (Files.isExecutable(Path.of(p))) {
                    return p;
                }
            }
            throw new IllegalStateException("rabbitmq-server is not installed (apt-get install -y rabbitmq-server)");
        }

        static String version() {
            try {
                Process p = new ProcessBuilder("dpkg-query", "-W", "-f=${Version}", "rabbitmq-server").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                p.waitFor(10, TimeUnit.SECONDS);
                return "RabbitMQ (rabbitmq-server " + out + ")";
            } catch (IOException | InterruptedException | RuntimeException e) {
                return "RabbitMQ";
            }
        }

        static RabbitServer start(int port, Path root) throws IOException, InterruptedException {
            Path base = Files.createTempDirectory(root.resolve("brook-bench/target").toFile().exists()
                    ? root.resolve("brook-bench/target") : Path.of(System.getProperty("java.io.tmpdir")), "rabbitmq-");
            String node = "bench" + port + "@localhost";
            ProcessBuilder pb = new ProcessBuilder(binary()).redirectErrorStream(true).redirectOutput(base.resolve("out.log").toFile());
            Map<String, String> env = pb.environment();
            env.put("HOME", base.toString());
            env.put("RABBITMQ_NODE_PORT", String.valueOf(port));
            env.put("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1");
            env.put("RABBITMQ_DIST_PORT", String.valueOf(MessagingCompare.freePort()));
            env.put("RABBITMQ_NODENAME", node);
            env.put("RABBITMQ_MNESIA_BASE", base.resolve("mnesia").toString());
            env.put("RABBITMQ_LOG_BASE", base.resolve("log").toString());
            env.put("RABBITMQ_ENABLED_PLUGINS_FILE", base.resolve("plugins").toString());
            env.put("RABBITMQ_PID_FILE", base.resolve("pid").toString());
            Process p = pb.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (System.nanoTime() < deadline) {
                try (java.net.Socket s = new java.net.Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return new RabbitServer(p, port, base);
                } catch (IOException notYet) {
                    if (!p.isAlive()) {
                        throw new IllegalStateException("rabbitmq-server exited at start; see " + base.resolve("out.log"));
                    }
                    Thread.sleep(200);
                }
            }
            p.destroyForcibly();
            throw new IllegalStateException("rabbitmq-server did not listen on " + port + " within 90 s");
        }

        @Override
        public void close() throws Exception {
            // the script's children (the Erlang VM, epmd) outlive a plain destroy: end the whole tree
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
            process.descendants().forEach(ProcessHandle::destroyForcibly);
        }
    }
}
