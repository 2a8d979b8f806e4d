package dev.brook.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.brook.testkit.BrookExtension;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Webhooks against a local receiver that fails, times out and recovers: every record is delivered at least once and
 * in order per partition, every request carries a valid signature, a record the receiver keeps refusing goes to the
 * dead-letter topic and the rest go on, and delivery resumes where it stopped after the broker restarts.
 */
@Timeout(180)
class WebhookTest {

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension();

    private HttpGateway gateway;
    private GatewayClient http;
    private HttpServer receiver;
    private final ConcurrentLinkedQueue<Delivery> received = new ConcurrentLinkedQueue<>();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile Predicate<Delivery> refuse = d -> false;
    private volatile Predicate<Delivery> stall = d -> false;

    /** One request the receiver took, and what it answered. */
    record Delivery(int partition, long offset, int attempt, String signature, String body, boolean accepted) {
        JsonNode json() {
            try {
                return GatewayClient.JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @BeforeEach
    void start() throws IOException {
        gateway = HttpGateway.start(brook.broker(), "127.0.0.1", 0, HttpLimits.defaults());
        http = new GatewayClient(gateway);
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.setExecutor(Executors.newCachedThreadPool());
        receiver.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            requests.incrementAndGet();
            Delivery probe = new Delivery(Integer.parseInt(exchange.getRequestHeaders().getFirst("X-Brook-Partition")),
                    Long.parseLong(exchange.getRequestHeaders().getFirst("X-Brook-Offset")),
                    Integer.parseInt(exchange.getRequestHeaders().getFirst("X-Brook-Delivery-Attempt")),
                    exchange.getRequestHeaders().getFirst("X-Brook-Signature"), new String(body, StandardCharsets.UTF_8), false);
            boolean stalled = stall.test(probe);
            if (stalled) {
                try {
                    Thread.sleep(1_500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            boolean ok = !stalled && !refuse.test(probe);
            received.add(new Delivery(probe.partition(), probe.offset(), probe.attempt(), probe.signature(), probe.body(), ok));
            exchange.sendResponseHeaders(ok ? 204 : 500, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stop() {
        receiver.stop(0);
        gateway.close();
    }

    private String url() {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
    }

    private static String createTopic(int partitions) throws Exception {
        String topic = "hooked-" + System.nanoTime();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brook.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        return topic;
    }

    private static void produce(String topic, int count, String prefix) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                brook.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, "key-" + i, prefix + i)).get(10, TimeUnit.SECONDS);
            }
        }
    }

    private void awaitAccepted(int distinct) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (accepted().values().stream().mapToInt(Map::size).sum() < distinct && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    /** The first accepted delivery of each record, per partition by offset. */
    private Map<Integer, Map<Long, Delivery>> accepted() {
        Map<Integer, Map<Long, Delivery>> out = new TreeMap<>();
        for (Delivery d : received) {
            if (d.accepted()) {
                out.computeIfAbsent(d.partition(), p -> new TreeMap<>()).putIfAbsent(d.offset(), d);
            }
        }
        return out;
    }

    private String subscribe(String topic, String extra) throws Exception {
        String name = "hook-" + System.nanoTime();
        GatewayClient.Response created = http.post("/webhooks", "{\"name\":\"" + name + "\",\"topic\":\"" + topic + "\",\"url\":\"" + url()
                + "\",\"secret\":\"s3cr3t\",\"from\":\"earliest\",\"timeout_ms\":500,\"initial_backoff_ms\":50,\"max_backoff_ms\":200" + extra + "}");
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        return name;
    }

    @Test
    void throughFailuresAndTimeoutsEveryRecordIsDeliveredInOrderPerPartitionWithAValidSignature() throws Exception {
        String topic = createTopic(2);
        AtomicInteger calls = new AtomicInteger();
        refuse = d -> calls.get() < 3 && calls.incrementAndGet() <= 3; // the first three requests fail
        AtomicInteger stalls = new AtomicInteger();
        stall = d -> d.offset() == 5 && d.attempt() <= 2 && stalls.incrementAndGet() <= 2; // offset 5 times out, twice
        produce(topic, 50, "v");
        subscribe(topic, ",\"max_attempts\":20");

        awaitAccepted(50);

        Map<Integer, Map<Long, Delivery>> byPartition = accepted();
        assertThat(byPartition.values().stream().mapToInt(Map::size).sum()).as("records delivered").isEqualTo(50);
        for (Map<Long, Delivery> partition : byPartition.values()) {
            List<Long> offsets = new ArrayList<>(partition.keySet());
            assertThat(offsets).as("offsets delivered, no holes").isEqualTo(java.util.stream.LongStream.range(0, offsets.size()).boxed().toList());
        }
        for (int p : byPartition.keySet()) {
            List<Long> order = received.stream().filter(d -> d.accepted() && d.partition() == p).map(Delivery::offset).toList();
            assertThat(order).as("partition %d accepted in order", p).isSorted();
        }
        for (Delivery d : received) {
            assertThat(d.signature()).as("signature of %s", d).isEqualTo("sha256=" + WebhookDelivery.sign("s3cr3t", d.body().getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(received).as("failed attempts were retried").anyMatch(d -> !d.accepted()).anyMatch(d -> d.attempt() > 1);
        Delivery one = byPartition.values().iterator().next().values().iterator().next();
        assertThat(one.json().path("topic").asText()).isEqualTo(topic);
        assertThat(one.json().path("value").asText()).startsWith("v");
    }

    @Test
    void aRecordRefusedUntilTheLimitGoesToTheDeadLetterTopicAndDeliveryGoesOn() throws Exception {
        String topic = createTopic(1);
        refuse = d -> d.json().path("value").asText().equals("v3");
        produce(topic, 6, "v");
        String name = subscribe(topic, ",\"max_attempts\":3");

        awaitAccepted(5);

        assertThat(accepted().get(0).keySet()).containsExactly(0L, 1L, 2L, 4L, 5L);
        assertThat(received.stream().filter(d -> d.offset() == 3).count()).as("attempts at the refused record").isEqualTo(3);
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                brook.bootstrapServers()), new StringDeserializer(), new StringDeserializer())) {
            TopicPartition dlq = new TopicPartition(name + "-dlq", 0);
            consumer.assign(List.of(dlq));
            consumer.seekToBeginning(List.of(dlq));
            ConsumerRecord<String, String> dead = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (dead == null && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    dead = r;
                }
            }
            assertThat(dead).isNotNull();
            assertThat(dead.value()).isEqualTo("v3");
            assertThat(dead.key()).isEqualTo("key-3");
            assertThat(new String(dead.headers().lastHeader("brook.webhook.error").value(), StandardCharsets.UTF_8)).isEqualTo("HTTP 500");
            assertThat(new String(dead.headers().lastHeader("brook.webhook.attempts").value(), StandardCharsets.UTF_8)).isEqualTo("3");
            assertThat(new String(dead.headers().lastHeader("brook.webhook.offset").value(), StandardCharsets.UTF_8)).isEqualTo("3");
        }
        JsonNode described = http.get("/webhooks/" + name).body();
        assertThat(described.path("deliveries").path("dead_lettered").asLong()).isEqualTo(1);
        assertThat(described.path("deliveries").path("delivered").asLong()).isEqualTo(5);
        assertThat(described.has("secret")).as("the secret is never shown").isFalse();
    }

    @Test
    void deliveryResumesWhereItStoppedAfterTheBrokerRestartsAndTheGroupShowsTheProgress() throws Exception {
        String topic = createTopic(1);
        produce(topic, 10, "before-");
        String name = subscribe(topic, "");
        awaitAccepted(10);

        gateway.close();
        brook.restart();
        gateway = HttpGateway.start(brook.broker(), "127.0.0.1", 0, HttpLimits.defaults());
        http = new GatewayClient(gateway);
        produce(topic, 10, "after-");
        awaitAccepted(20);

        assertThat(accepted().get(0)).hasSize(20);
        assertThat(received.stream().filter(d -> d.json().path("value").asText().startsWith("before-")).count())
                .as("records delivered before the restart are not delivered again (the last commit was clean)").isEqualTo(10);
        assertThat(http.get("/webhooks").body().path("data")).extracting(j -> j.path("name").asText()).contains(name);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brook.bootstrapServers()))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            Long committed = null;
            while ((committed == null || committed < 20) && System.nanoTime() < deadline) {
                Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets("brook-webhook-" + name)
                        .partitionsToOffsetAndMetadata().get();
                OffsetAndMetadata o = offsets.get(new TopicPartition(topic, 0));
                committed = o == null ? null : o.offset();
                Thread.sleep(100);
            }
            assertThat(committed).as("the group's committed offset").isEqualTo(20);
        }
    }

    @Test
    void theApiRefusesWhatIsWrongAndDeletesWhatIsAsked() throws Exception {
        String topic = createTopic(1);
        String name = subscribe(topic, "");
        String body = "{\"name\":\"" + name + "\",\"topic\":\"" + topic + "\",\"url\":\"" + url() + "\"}";

        RestApiTest.assertError(http.post("/webhooks", body), 409, 409, "exists");
        RestApiTest.assertError(http.post("/webhooks", "{\"name\":\"x-" + name + "\",\"topic\":\"absent-" + topic + "\",\"url\":\"" + url() + "\"}"),
                404, 40403, "topic-partition");
        RestApiTest.assertError(http.post("/webhooks", "{\"name\":\"y-" + name + "\",\"topic\":\"" + topic + "\",\"url\":\"ftp://nowhere\"}"),
                400, 400, "url");
        RestApiTest.assertError(http.post("/webhooks", "{\"name\":\"bad name\",\"topic\":\"" + topic + "\",\"url\":\"" + url() + "\"}"),
                400, 400, "name");
        RestApiTest.assertError(http.post("/webhooks", "{\"name\":\"z-" + name + "\",\"topic\":\"" + topic + "\",\"url\":\"" + url()
                + "\",\"max_attempts\":0}"), 400, 400, "max_attempts");

        assertThat(http.delete("/webhooks/" + name).status()).isEqualTo(204);
        RestApiTest.assertError(http.get("/webhooks/" + name), 404, 404, "no webhook");
        RestApiTest.assertError(http.delete("/webhooks/" + name), 404, 404, "no webhook");
        int before = requests.get();
        produce(topic, 3, "after-delete-");
        Thread.sleep(1_000);
        assertThat(requests.get()).as("nothing delivered after the delete").isEqualTo(before);
    }
}
