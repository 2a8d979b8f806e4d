package dev.brook.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.brook.testkit.BrookExtension;
import java.net.URI;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The WebSocket at {@code /ws}, driven by the JDK's WebSocket client: subscriptions receive what a Kafka producer
 * writes, a publish reaches a Kafka consumer and is acknowledged with its offset, unsubscribe stops the records, a
 * position resumes a subscription exactly, and every wrong message gets an error frame on a socket that stays open.
 */
@Timeout(120)
class WebSocketTest {

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension();

    private static HttpGateway gateway;
    private static KafkaProducer<String, String> producer;

    @BeforeAll
    static void start() {
        gateway = HttpGateway.start(brook.broker(), "127.0.0.1", 0, HttpLimits.defaults());
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brook.bootstrapServers()),
                new StringSerializer(), new StringSerializer());
    }

    @AfterAll
    static void stop() {
        producer.close();
        gateway.close();
    }

    /** A client socket whose text messages a listener collects, parsed. */
    static final class Socket implements AutoCloseable {
        final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
        final WebSocket ws;

        Socket() throws Exception {
            StringBuilder partial = new StringBuilder();
            ws = java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + gateway.localAddress().getPort() + "/ws"), new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                            partial.append(data);
                            if (last) {
                                try {
                                    messages.add(GatewayClient.JSON.readTree(partial.toString()));
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                                partial.setLength(0);
                            }
                            webSocket.request(1);
                            return null;
                        }
                    }).get(10, TimeUnit.SECONDS);
        }

        void send(String json) throws Exception {
            ws.sendText(json, true).get(10, TimeUnit.SECONDS);
        }

        private final List<JsonNode> passedOver = new ArrayList<>();

        /** The next message of {@code type} (others are kept for later calls), or null after 10 s. */
        JsonNode next(String type) throws InterruptedException {
            for (int i = 0; i < passedOver.size(); i++) {
                if (passedOver.get(i).path("type").asText().equals(type)) {
                    return passedOver.remove(i);
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(type.equals("record") ? 3 : 10);
            while (System.nanoTime() < deadline) {
                JsonNode m = messages.poll(100, TimeUnit.MILLISECONDS);
                if (m != null && m.path("type").asText().equals(type)) {
                    return m;
                }
                if (m != null) {
                    passedOver.add(m);
                }
            }
            return null;
        }

        List<JsonNode> records(int n) throws InterruptedException {
            List<JsonNode> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                JsonNode r = next("record");
                if (r == null) {
                    break;
                }
                out.add(r);
            }
            return out;
        }

        @Override
        public void close() {
            ws.abort();
        }
    }

    private static String createTopic(int partitions) throws Exception {
        String topic = "ws-" + System.nanoTime();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brook.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        return topic;
    }

    @Test
    void aSubscriptionReceivesWhatAKafkaProducerWritesAndAPublishReachesAKafkaConsumer() throws Exception {
        String topic = createTopic(2);
        producer.send(new ProducerRecord<>(topic, 0, "k0", "from-kafka-0")).get();
        try (Socket socket = new Socket()) {
            socket.send("{\"type\":\"subscribe\",\"id\":\"s1\",\"topic\":\"" + topic + "\",\"from\":\"earliest\"}");
            assertThat(socket.next("subscribed").path("position").asText()).isEqualTo("0:0,1:0");
            producer.send(new ProducerRecord<>(topic, 1, "k1", "from-kafka-1")).get();
            List<JsonNode> records = socket.records(2);
            assertThat(records).extracting(r -> r.path("value").asText()).containsExactlyInAnyOrder("from-kafka-0", "from-kafka-1");
            assertThat(records).allSatisfy(r -> assertThat(r.path("subscription").asText()).isEqualTo("s1"));

            socket.send("{\"type\":\"publish\",\"id\":\"p1\",\"topic\":\"" + topic + "\",\"partition_id\":1,"
                    + "\"key\":{\"type\":\"STRING\",\"data\":\"browser\"},\"value\":{\"type\":\"JSON\",\"data\":{\"clicked\":true}}}");
            JsonNode ack = socket.next("published");
            assertThat(ack.path("id").asText()).isEqualTo("p1");
            assertThat(ack.path("partition_id").asInt()).isEqualTo(1);
            assertThat(ack.path("offset").asLong()).isEqualTo(1);
            JsonNode echoed = socket.next("record");
            assertThat(echoed.path("value").asText()).isEqualTo("{\"clicked\":true}");
            assertThat(echoed.path("position").asText()).isEqualTo("0:1,1:2");
        }
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                brook.bootstrapServers()), new StringDeserializer(), new StringDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 1);
            consumer.assign(List.of(tp));
            consumer.seek(tp, 1);
            ConsumerRecord<String, String> published = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (published == null && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    published = r;
                }
            }
            assertThat(published).isNotNull();
            assertThat(published.key()).isEqualTo("browser");
            assertThat(published.value()).isEqualTo("{\"clicked\":true}");
        }
    }

    @Test
    void unsubscribeStopsTheRecordsAndAPositionResumesExactly() throws Exception {
        String topic = createTopic(1);
        String position;
        try (Socket socket = new Socket()) {
            socket.send("{\"type\":\"subscribe\",\"id\":\"a\",\"topic\":\"" + topic + "\"}");
            socket.next("subscribed");
            for (int i = 0; i < 3; i++) {
                producer.send(new ProducerRecord<>(topic, "k", "v" + i)).get();
            }
            List<JsonNode> first = socket.records(3);
            assertThat(first).extracting(r -> r.path("value").asText()).containsExactly("v0", "v1", "v2");
            position = first.get(1).path("position").asText();
            socket.send("{\"type\":\"unsubscribe\",\"id\":\"a\"}");
            assertThat(socket.next("unsubscribed").path("id").asText()).isEqualTo("a");
            producer.send(new ProducerRecord<>(topic, "k", "v3")).get();
            assertThat(socket.next("record")).as("no record after unsubscribe").isNull();

            socket.send("{\"type\":\"subscribe\",\"id\":\"b\",\"topic\":\"" + topic + "\",\"position\":\"" + position + "\"}");
            assertThat(socket.records(2)).extracting(r -> r.path("value").asText()).containsExactly("v2", "v3");
        }
    }

    @Test
    void everyWrongMessageGetsAnErrorFrameAndTheSocketStaysOpen() throws Exception {
        String topic = createTopic(1);
        try (Socket socket = new Socket()) {
            socket.send("not json");
            assertThat(socket.next("error").path("error_code").asInt()).isEqualTo(400);
            socket.send("{\"type\":\"dance\"}");
            assertThat(socket.next("error").path("message").asText()).contains("subscribe, unsubscribe or publish");
            socket.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\"}");
            assertThat(socket.next("error").path("message").asText()).contains("id");
            socket.send("{\"type\":\"subscribe\",\"id\":\"x\",\"topic\":\"absent-" + topic + "\"}");
            JsonNode unknown = socket.next("error");
            assertThat(unknown.path("id").asText()).isEqualTo("x");
            assertThat(unknown.path("error_code").asInt()).isEqualTo(40403);
            socket.send("{\"type\":\"publish\",\"id\":\"p\",\"topic\":\"" + topic + "\",\"value\":{\"type\":\"AVRO\",\"data\":1}}");
            assertThat(socket.next("error").path("id").asText()).isEqualTo("p");
            socket.send("{\"type\":\"unsubscribe\",\"id\":\"never\"}");
            assertThat(socket.next("error").path("error_code").asInt()).isEqualTo(404);

            socket.send("{\"type\":\"publish\",\"id\":\"ok\",\"topic\":\"" + topic + "\",\"value\":{\"type\":\"STRING\",\"data\":\"fine\"}}");
            assertThat(socket.next("published").path("offset").asLong()).isZero();
        }
    }

    @Test
    void aPlainRequestToTheWebSocketPathGets426() throws Exception {
        GatewayClient.Response r = new GatewayClient(gateway).get("/ws");
        assertThat(r.status()).isEqualTo(426);
        assertThat(r.body().path("message").asText()).contains("WebSocket");
    }
}
