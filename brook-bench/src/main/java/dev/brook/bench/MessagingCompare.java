package dev.brook.bench;

import dev.brook.client.Requester;
import dev.brook.client.Responder;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
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
 * {@code brook-bench messaging}: Brook's in-memory topics side by side with core NATS (Debian's {@code nats-server},
 * the official Java client io.nats:jnats), in one run on this machine. Measured, in microseconds, on one clock (the
 * harness JVM's {@code nanoTime}, stamped into each message by the publisher and read by every subscriber):
 * <ul>
 *   <li>publish-to-receive latency at fixed rates with 1, 10 and 100 subscribers: NATS core (a connection per
 *       subscriber), Brook over the Kafka protocol (a kafka-clients consumer per subscriber, long-polling a
 *       {@code brook.storage=memory} topic, the producer with linger 0) and Brook over WebSocket (a socket per
 *       subscriber; the publisher publishes over its own WebSocket);</li>
 *   <li>request-reply round trips, one at a time at a fixed rate: NATS {@code request}, brook-client's
 *       Requester/Responder on memory topics, and a WebSocket client publishing requests with {@code reply-to} that
 *       the same Responder answers;</li>
 *   <li>fan-out to 1,000 Server-Sent Events streams of one memory topic, read by one selector thread.</li>
 * </ul>
 * Each round starts fresh processes and first sends Brook unrecorded traffic for its JIT to compile the paths measured
 * (nats-server is compiled ahead of time); the first second of every run is not recorded either. Each figure is the
 * median over the rounds.
 */
final class MessagingCompare {
    static final String START = "<!-- messaging:start -->";
    static final String END = "<!-- messaging:end -->";
    private static final String NATS = "NATS core";
    private static final String KAFKA = "Brook memory topic, Kafka protocol";
    private static final String WS = "Brook memory topic, WebSocket";
    private static final String SSE = "Brook memory topic, SSE";

    private final Path root;
    private final int rounds;
    private final int seconds;
    private final int[] rates;
    private final int[] subscriberCounts;
    private final int rrRate;
    private final int sseStreams;
    private final int sseRate;
    /** scenario ("fan-out 1,000/s x 10") → system → one histogram per round. */
    final Map<String, Map<String, List<Histogram>>> results = new LinkedHashMap<>();

    MessagingCompare(Path root, int rounds, int seconds, int[] rates, int[] subscriberCounts, int rrRate, int sseStreams, int sseRate) {
        this.root = root;
        this.rounds = rounds;
        this.seconds = seconds;
        this.rates = rates;
        this.subscriberCounts = subscriberCounts;
        this.rrRate = rrRate;
        this.sseStreams = sseStreams;
        this.sseRate = sseRate;
    }

    void run() throws Exception {
        for (int round = 1; round <= rounds; round++) {
            int natsPort = freePort();
            int kafkaPort = freePort();
            int httpPort = freePort();
            try (NatsServer nats = NatsServer.start(natsPort);
                 BrokerProcess brook = BrokerProcess.start(BrokerProcess.Kind.BROOK, root, kafkaPort, httpPort)) {
                String bootstrap = brook.bootstrap();
                // Brook's JIT compiles its hot paths in the first seconds of traffic; nats-server is compiled ahead of time
                progress(round, "warm-up (not recorded)");
                Workloads.createTopic(bootstrap, "warmup", 1, Map.of("brook.storage", "memory"));
                kafkaFanout(bootstrap, "warmup", 2, rates[0]);
                webSocketFanout(httpPort, "warmup", 2, rates[0]);
                for (int rate : rates) {
                    for (int subs : subscriberCounts) {
                        String scenario = String.format("fan-out %,d/s × %d subscriber%s", rate, subs, subs == 1 ? "" : "s");
                        String topic = "fanout-" + rate + "-" + subs;
                        Workloads.createTopic(bootstrap, topic, 1, Map.of("brook.storage", "memory"));
                        progress(round, scenario);
                        record(scenario, NATS, natsFanout(nats.url(), "fanout." + rate + "." + subs, subs, rate));
                        record(scenario, KAFKA, kafkaFanout(bootstrap, topic, subs, rate));
                        record(scenario, WS, webSocketFanout(httpPort, topic, subs, rate));
                    }
                }
                String scenario = String.format("request-reply, one at a time, %,d/s", rrRate);
                progress(round, scenario);
                Workloads.createTopic(bootstrap, "requests", 1, Map.of("brook.storage", "memory"));
                Workloads.createTopic(bootstrap, "replies", 1, Map.of("brook.storage", "memory"));
                record(scenario, NATS, natsRequestReply(nats.url(), rrRate));
                record(scenario, KAFKA, kafkaRequestReply(bootstrap, rrRate));
                record(scenario, WS, webSocketRequestReply(bootstrap, httpPort, rrRate));
                if (sseStreams > 0) {
                    String sse = String.format("fan-out %,d/s × %,d SSE streams", sseRate, sseStreams);
                    progress(round, sse);
                    Workloads.createTopic(bootstrap, "sse-fanout", 1, Map.of("brook.storage", "memory"));
                    record(sse, SSE, sseFanout(bootstrap, httpPort, "sse-fanout", sseStreams, sseRate));
                }
            }
        }
    }

    private void progress(int round, String scenario) {
        System.err.printf("round %d/%d: %s%n", round, rounds, scenario);
    }

    private void record(String scenario, String system, Histogram h) {
        results.computeIfAbsent(scenario, k -> new LinkedHashMap<>()).computeIfAbsent(system, k -> new ArrayList<>()).add(h);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    private static Histogram histogram() {
        return new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    }

    private static Histogram merge(List<Histogram> parts) {
        Histogram all = histogram();
        parts.forEach(all::add);
        return all;
    }

    /** Calls {@code send.accept(seq)} at {@code rate} per second for {@code seconds} + 1 (the first second is warm-up). */
    private static long pace(int rate, int seconds, java.util.function.LongConsumer send) {
        long interval = 1_000_000_000L / rate;
        long total = (long) rate * (seconds + 1);
        long next = System.nanoTime();
        for (long i = 0; i < total; i++) {
            long wait;
            while ((wait = next - System.nanoTime()) > 0) {
                LockSupport.parkNanos(Math.min(50_000, wait));
            }
            send.accept(i);
            next += interval;
        }
        return total;
    }

    private static byte[] stamp(long seq) {
        byte[] b = new byte[16];
        ByteBuffer.wrap(b).putLong(0, System.nanoTime()).putLong(8, seq);
        return b;
    }

    /** Records the latency of a binary stamp, unless it is warm-up. */
    private static void receive(Histogram h, byte[] value, long warmup, AtomicLong received) {
        long now = System.nanoTime();
        ByteBuffer b = ByteBuffer.wrap(value);
        if (b.getLong(8) >= warmup) {
            h.recordValue(Math.max(0, (now - b.getLong(0)) / 1000));
        }
        received.incrementAndGet();
    }

    /** Records the latency of a text stamp {@code "<nanos>:<seq>"} found after {@code "value":"} in a JSON frame. */
    private static void receiveText(Histogram h, CharSequence json, int from, long warmup, AtomicLong received) {
        long now = System.nanoTime();
        String s = json.toString();
        int at = s.indexOf("\"value\":\"", from);
        if (at < 0) {
            return;
        }
        at += 9;
        int colon = s.indexOf(':', at);
        int end = s.indexOf('"', colon);
        long sent = Long.parseLong(s, at, colon, 10);
        long seq = Long.parseLong(s, colon + 1, end, 10);
        if (seq >= warmup) {
            h.recordValue(Math.max(0, (now - sent) / 1000));
        }
        received.incrementAndGet();
    }

    private static void awaitCount(AtomicLong received, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (received.get() < expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        if (received.get() < expected) {
            System.err.printf("  (only %,d of %,d deliveries arrived)%n", received.get(), expected);
        }
    }

    // ------------------------------------------------------------------ NATS

    private static Connection natsConnect(String url) throws IOException, InterruptedException {
        return Nats.connect(new Options.Builder().server(url).connectionTimeout(Duration.ofSeconds(5)).build());
    }

    private Histogram natsFanout(String url, String subject, int subs, int rate) throws Exception {
        List<Connection> connections = new ArrayList<>();
        List<Histogram> parts = new ArrayList<>();
        AtomicLong received = new AtomicLong();
        long warmup = rate;
        try {
            for (int i = 0; i < subs; i++) {
                Connection c = natsConnect(url);
                connections.add(c);
                Histogram h = histogram();
                parts.add(h);
                Dispatcher d = c.createDispatcher(m -> receive(h, m.getData(), warmup, received));
                d.subscribe(subject);
                c.flush(Duration.ofSeconds(5));
            }
            Connection publisher = natsConnect(url);
            connections.add(publisher);
            long total = pace(rate, seconds, seq -> publisher.publish(subject, stamp(seq)));
            publisher.flush(Duration.ofSeconds(5));
            awaitCount(received, total * subs);
        } finally {
            for (Connection c : connections) {
                c.close();
            }
        }
        synchronized (this) {
            return merge(parts);
        }
    }

    private Histogram natsRequestReply(String url, int rate) throws Exception {
        Histogram h = histogram();
        try (Connection responder = natsConnect(url); Connection requester = natsConnect(url)) {
            Dispatcher d = responder.createDispatcher(m -> responder.publish(m.getReplyTo(), m.getData()));
            d.subscribe("rr");
            responder.flush(Duration.ofSeconds(5));
            pace(rate, seconds, seq -> {
                long t0 = System.nanoTime();
                try {
                    Message reply = requester.request("rr", stamp(seq), Duration.ofSeconds(5));
                    if (reply != null && seq >= rate) {
                        h.recordValue((System.nanoTime() - t0) / 1000);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        return h;
    }

    // ------------------------------------------------------------------ Brook, Kafka protocol

    private static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
        return new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 500,
                ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.ACKS_CONFIG, "1"), new ByteArraySerializer(), new ByteArraySerializer());
    }

    private Histogram kafkaFanout(String bootstrap, String topic, int subs, int rate) throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong received = new AtomicLong();
        CountDownLatch ready = new CountDownLatch(subs);
        List<Histogram> parts = new ArrayList<>();
        List<Thread> readers = new ArrayList<>();
        long warmup = rate;
        for (int i = 0; i < subs; i++) {
            Histogram h = histogram();
            parts.add(h);
            Thread t = new Thread(() -> {
                try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrap)) {
                    c.assign(List.of(tp));
                    c.seekToEnd(List.of(tp));
                    c.position(tp);
                    ready.countDown();
                    while (!stop.get()) {
                        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                            receive(h, r.value(), warmup, received);
                        }
                    }
                }
            }, "kafka-subscriber-" + i);
            t.setDaemon(true);
            t.start();
            readers.add(t);
        }
        ready.await(60, TimeUnit.SECONDS);
        Thread.sleep(500);
        long total;
        try (KafkaProducer<byte[], byte[]> p = producer(bootstrap)) {
            total = pace(rate, seconds, seq -> p.send(new ProducerRecord<>(topic, 0, null, stamp(seq))));
            p.flush();
        }
        awaitCount(received, total * subs);
        stop.set(true);
        for (Thread t : readers) {
            t.join(10_000);
        }
        return merge(parts);
    }

    private Histogram kafkaRequestReply(String bootstrap, int rate) throws Exception {
        Histogram h = histogram();
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG, 0);
        try (Responder responder = Responder.start(config, "requests", "echo", ConsumerRecord::value);
             Requester requester = Requester.create(config, "replies")) {
            responder.awaitReady(Duration.ofSeconds(30));
            pace(rate, seconds, seq -> {
                long t0 = System.nanoTime();
                try {
                    requester.request("requests", null, stamp(seq), Duration.ofSeconds(5)).get();
                    if (seq >= rate) {
                        h.recordValue((System.nanoTime() - t0) / 1000);
                    }
                } catch (Exception e) {
                    System.err.println("  request " + seq + " failed: " + e);
                }
            });
        }
        return h;
    }

    // ------------------------------------------------------------------ Brook, WebSocket

    /** A WebSocket whose whole text messages go to {@code onMessage}, on the client's threads, one at a time. */
    private static WebSocket webSocket(HttpClient client, int httpPort, java.util.function.Consumer<String> onMessage) {
        return client.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + httpPort + "/ws"), new WebSocket.Listener() {
            private final StringBuilder text = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    onMessage.accept(text.toString());
                    text.setLength(0);
                }
                ws.request(1);
                return null;
            }
        }).join();
    }

    private static String publishFrame(String topic, String value, String headers) {
        return "{\"type\":\"publish\",\"id\":\"p\",\"topic\":\"" + topic + "\",\"partition_id\":0," + headers
                + "\"value\":{\"type\":\"STRING\",\"data\":\"" + value + "\"}}";
    }

    private Histogram webSocketFanout(int httpPort, String topic, int subs, int rate) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        AtomicLong received = new AtomicLong();
        CountDownLatch subscribed = new CountDownLatch(subs);
        List<Histogram> parts = new ArrayList<>();
        List<WebSocket> sockets = new ArrayList<>();
        long warmup = rate;
        for (int i = 0; i < subs; i++) {
            Histogram h = histogram();
            parts.add(h);
            WebSocket ws = webSocket(client, httpPort, m -> {
                if (m.startsWith("{\"type\":\"record\"")) {
                    synchronized (h) {
                        receiveText(h, m, 0, warmup, received);
                    }
                } else if (m.startsWith("{\"type\":\"subscribed\"")) {
                    subscribed.countDown();
                }
            });
            ws.sendText("{\"type\":\"subscribe\",\"id\":\"s\",\"topic\":\"" + topic + "\",\"from\":\"latest\"}", true).join();
            sockets.add(ws);
        }
        subscribed.await(60, TimeUnit.SECONDS);
        WebSocket publisher = webSocket(client, httpPort, m -> { });
        long total = pace(rate, seconds, seq -> publisher.sendText(publishFrame(topic, System.nanoTime() + ":" + seq, ""), true).join());
        awaitCount(received, total * subs);
        publisher.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
        for (WebSocket ws : sockets) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
        }
        List<Histogram> copies = new ArrayList<>();
        for (Histogram h : parts) {
            synchronized (h) {
                copies.add(h.copy());
            }
        }
        return merge(copies);
    }

    /** A WebSocket client publishes requests with reply-to and follows the reply topic; brook-client's Responder answers. */
    private Histogram webSocketRequestReply(String bootstrap, int httpPort, int rate) throws Exception {
        Histogram h = histogram();
        HttpClient client = HttpClient.newHttpClient();
        LinkedBlockingQueue<String> replies = new LinkedBlockingQueue<>();
        CountDownLatch subscribed = new CountDownLatch(1);
        String replyTo = Base64.getEncoder().encodeToString("replies".getBytes(StandardCharsets.UTF_8));
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG, 0);
        try (Responder responder = Responder.start(config, "requests", "echo-ws", ConsumerRecord::value)) {
            responder.awaitReady(Duration.ofSeconds(30));
            WebSocket ws = webSocket(client, httpPort, m -> {
                if (m.startsWith("{\"type\":\"record\"")) {
                    replies.add(m);
                } else if (m.startsWith("{\"type\":\"subscribed\"")) {
                    subscribed.countDown();
                }
            });
            ws.sendText("{\"type\":\"subscribe\",\"id\":\"r\",\"topic\":\"replies\",\"from\":\"latest\"}", true).join();
            subscribed.await(30, TimeUnit.SECONDS);
            pace(rate, seconds, seq -> {
                String id = Base64.getEncoder().encodeToString(("ws-" + seq).getBytes(StandardCharsets.UTF_8));
                String headers = "\"headers\":[{\"name\":\"reply-to\",\"value\":\"" + replyTo + "\"},{\"name\":\"correlation-id\",\"value\":\""
                        + id + "\"}],";
                long t0 = System.nanoTime();
                ws.sendText(publishFrame("requests", t0 + ":" + seq, headers), true).join();
                try {
                    long deadline = t0 + TimeUnit.SECONDS.toNanos(5);
                    String reply;
                    while ((reply = replies.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) != null) {
                        if (reply.contains("\"value\":\"" + t0 + ":" + seq + "\"")) {
                            if (seq >= rate) {
                                h.recordValue((System.nanoTime() - t0) / 1000);
                            }
                            break;
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
        }
        return h;
    }

    // ------------------------------------------------------------------ Brook, Server-Sent Events

    /** One SSE stream's socket, de-chunking HTTP/1.1 chunked transfer and splitting lines. */
    private static final class SseStream {
        final SocketChannel channel;
        final Histogram h = histogram();
        private final StringBuilder raw = new StringBuilder();
        private final StringBuilder body = new StringBuilder();
        boolean headersDone;
        private int chunkLeft = -1; // -1: reading a size line

        SseStream(SocketChannel channel) {
            this.channel = channel;
        }

        void consume(String text, long warmup, AtomicLong received) {
            raw.append(text);
            if (!headersDone) {
                int end = raw.indexOf("\r\n\r\n");
                if (end < 0) {
                    return;
                }
                raw.delete(0, end + 4);
                headersDone = true;
            }
            while (raw.length() > 0) {
                if (chunkLeft < 0) {
                    int eol = raw.indexOf("\r\n");
                    if (eol < 0) {
                        return;
                    }
                    String size = raw.substring(0, eol).trim();
                    raw.delete(0, eol + 2);
                    if (size.isEmpty()) {
                        continue; // the CRLF after a chunk
                    }
                    chunkLeft = Integer.parseInt(size, 16);
                } else {
                    int n = Math.min(chunkLeft, raw.length());
                    body.append(raw, 0, n);
                    raw.delete(0, n);
                    chunkLeft -= n;
                    if (chunkLeft == 0) {
                        chunkLeft = -1;
                    }
                }
            }
            int line;
            while ((line = body.indexOf("\n")) >= 0) {
                if (body.length() > 6 && body.charAt(0) == 'd' && body.indexOf("data: ") == 0) {
                    receiveText(h, body.substring(0, line), 0, warmup, received);
                }
                body.delete(0, line + 1);
            }
        }
    }

    private Histogram sseFanout(String bootstrap, int httpPort, String topic, int streams, int rate) throws Exception {
        AtomicLong received = new AtomicLong();
        List<SseStream> all = new ArrayList<>();
        long warmup = rate;
        try (Selector selector = Selector.open()) {
            byte[] request = ("GET /events/" + topic + "?from=latest HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < streams; i++) {
                SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", httpPort));
                ch.write(ByteBuffer.wrap(request));
                ch.configureBlocking(false);
                SseStream s = new SseStream(ch);
                ch.register(selector, SelectionKey.OP_READ, s);
                all.add(s);
            }
            AtomicBoolean stop = new AtomicBoolean();
            Thread reader = new Thread(() -> {
                ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
                try {
                    while (!stop.get()) {
                        selector.select(100);
                        for (SelectionKey k : selector.selectedKeys()) {
                            SseStream s = (SseStream) k.attachment();
                            buf.clear();
                            if (s.channel.read(buf) < 0) {
                                k.cancel();
                                continue;
                            }
                            buf.flip();
                            s.consume(StandardCharsets.UTF_8.decode(buf).toString(), warmup, received);
                        }
                        selector.selectedKeys().clear();
                    }
                } catch (IOException e) {
                    System.err.println("  SSE reader failed: " + e);
                }
            }, "sse-reader");
            reader.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (all.stream().anyMatch(s -> !s.headersDone) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            Thread.sleep(500);
            long total;
            try (KafkaProducer<byte[], byte[]> p = producer(bootstrap)) {
                total = pace(rate, seconds, seq -> p.send(new ProducerRecord<>(topic, 0, null,
                        (System.nanoTime() + ":" + seq).getBytes(StandardCharsets.UTF_8))));
                p.flush();
            }
            awaitCount(received, total * streams);
            stop.set(true);
            reader.join(10_000);
            for (SseStream s : all) {
                s.channel.close();
            }
        }
        List<Histogram> parts = new ArrayList<>();
        all.forEach(s -> parts.add(s.h));
        return merge(parts);
    }

    // ------------------------------------------------------------------ report

    private static double median(List<Histogram> runs, double percentile) {
        List<Double> values = new ArrayList<>();
        for (Histogram h : runs) {
            if (h.getTotalCount() > 0) {
                values.add((double) h.getValueAtPercentile(percentile));
            }
        }
        return Compare.median(values);
    }

    String table() {
        StringBuilder sb = new StringBuilder();
        sb.append("| scenario | system | p50 (µs) | p99 (µs) | p99.9 (µs) | p99 / NATS p99 | deliveries per round |\n");
        sb.append("|---|---|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<String, Map<String, List<Histogram>>> scenario : results.entrySet()) {
            List<Histogram> nats = scenario.getValue().get(NATS);
            double natsP99 = nats == null ? Double.NaN : median(nats, 99);
            for (Map.Entry<String, List<Histogram>> system : scenario.getValue().entrySet()) {
                List<Histogram> runs = system.getValue();
                double p99 = median(runs, 99);
                String ratio = Double.isNaN(natsP99) || system.getKey().equals(NATS) ? "" : String.format("%.2f", p99 / natsP99);
                long count = runs.stream().mapToLong(Histogram::getTotalCount).sum() / Math.max(1, runs.size());
                sb.append(String.format("| %s | %s | %,.0f | %,.0f | %,.0f | %s | %,d |%n", scenario.getKey(), system.getKey(),
                        median(runs, 50), p99, median(runs, 99.9), ratio, count));
            }
        }
        return sb.toString();
    }

    /** Replaces the part of {@code docs/benchmarks.md} between the messaging markers (appending them if absent). */
    void write(Path file, String command) throws IOException {
        String doc = Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "# Benchmarks\n";
        String block = START + "\n" + "Measured " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME) + " with `"
                + command + "`: " + rounds + " round" + (rounds == 1 ? "" : "s") + " of " + seconds + " s per run after 1 s of warm-up; "
                + "each figure is the median of the rounds. Machine: " + Report.machine() + ". " + NatsServer.version()
                + " with its defaults; Brook started by `bin/brook server` with its defaults; clients (kafka-clients 4.4.0, jnats, the JDK's "
                + "WebSocket) in the harness JVM, which stamps and reads every message on one clock.\n\n" + table() + END;
        int a = doc.indexOf(START);
        int b = doc.indexOf(END);
        doc = a >= 0 && b > a ? doc.substring(0, a) + block + doc.substring(b + END.length()) : doc + "\n" + block + "\n";
        Files.writeString(file, doc, StandardCharsets.UTF_8);
    }

    /** Debian's {@code nats-server} on 127.0.0.1, with its defaults. */
    static final class NatsServer implements AutoCloseable {
        private final Process process;
        private final int port;

        private NatsServer(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        static String binary() {
            for (String dir : List.of("/usr/sbin", "/usr/bin", "/usr/local/bin")) {
                Path p = Path.of(dir, "nats-server");
                if (Files.isExecutable(p)) {
                    return p.toString();
                }
            }
            throw new IllegalStateException("nats-server is not installed (apt-get install -y nats-server)");
        }

        static String version() {
            try {
                Process p = new ProcessBuilder(binary(), "--version").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                p.waitFor(10, TimeUnit.SECONDS);
                return "NATS (" + out + ")";
            } catch (IOException | InterruptedException | RuntimeException e) {
                return "NATS";
            }
        }

        static NatsServer start(int port) throws IOException, InterruptedException {
            Process p = new ProcessBuilder(binary(), "-a", "127.0.0.1", "-p", String.valueOf(port))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                try (java.net.Socket s = new java.net.Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return new NatsServer(p, port);
                } catch (IOException notYet) {
                    if (!p.isAlive()) {
                        throw new IllegalStateException("nats-server exited at start");
                    }
                    Thread.sleep(20);
                }
            }
            p.destroyForcibly();
            throw new IllegalStateException("nats-server did not listen within 30 s");
        }

        String url() {
            return "nats://127.0.0.1:" + port;
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
