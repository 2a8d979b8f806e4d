package dev.brook.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.brook.testkit.BrookExtension;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
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
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Producing over HTTP in each of the REST Proxy v3's formats, one record per request and streamed, read back with
 * the Java consumer byte for byte; and every wrong produce answered with its documented error.
 */
@Timeout(120)
class ProduceApiTest {
    /** A record timestamp a day back, to the second: within retention, unlike a fixed date once it is a week old. */
    private static final String STAMP = Instant.now().minus(java.time.Duration.ofDays(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();


    @RegisterExtension
    static final BrookExtension brook = new BrookExtension();

    private static HttpGateway gateway;
    private static GatewayClient http;
    private static String cluster;

    @BeforeAll
    static void startGateway() throws Exception {
        gateway = HttpGateway.start(brook.broker(), "127.0.0.1", 0, new HttpLimits(64 * 1024, 100, 10, 1 << 20, 30_000, 15_000));
        http = new GatewayClient(gateway);
        cluster = "/v3/clusters/" + brook.broker().node().identity().clusterId();
    }

    @AfterAll
    static void stopGateway() {
        gateway.close();
    }

    private static String createTopic(int partitions) throws Exception {
        String topic = "produce-" + System.nanoTime();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brook.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        return topic;
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int partitions) {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                brook.bootstrapServers()), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> tps = new ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                tps.add(new TopicPartition(topic, p));
            }
            consumer.assign(tps);
            consumer.seekToBeginning(tps);
            Map<TopicPartition, Long> end = consumer.endOffsets(tps);
            List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
            return out;
        }
    }

    @Test
    void eachFormatIsStoredAsTheBytesItStandsFor() throws Exception {
        String topic = createTopic(1);
        String records = cluster + "/topics/" + topic + "/records";
        byte[] binary = {0, 1, (byte) 0xff, 42};

        GatewayClient.Response json = http.post(records, "{\"key\":{\"type\":\"JSON\",\"data\":[1,\"two\"]},"
                + "\"value\":{\"type\":\"JSON\",\"data\":{\"a\":1,\"b\":[true,null]}},"
                + "\"headers\":[{\"name\":\"trace\",\"value\":\"" + Base64.getEncoder().encodeToString("t-1".getBytes()) + "\"},{\"name\":\"empty\",\"value\":null}],"
                + "\"timestamp\":\"" + STAMP + "\"}");
        GatewayClient.Response string = http.post(records, "{\"key\":{\"type\":\"STRING\",\"data\":\"ключ\"},\"value\":{\"type\":\"STRING\",\"data\":\"zné\"}}");
        GatewayClient.Response bin = http.post(records, "{\"value\":{\"type\":\"BINARY\",\"data\":\"" + Base64.getEncoder().encodeToString(binary) + "\"}}");
        GatewayClient.Response empty = http.post(records, "{}");

        for (GatewayClient.Response r : List.of(json, string, bin, empty)) {
            assertThat(r.status()).as(r.raw()).isEqualTo(200);
            assertThat(r.errorCode()).as(r.raw()).isEqualTo(200);
            assertThat(r.body().path("topic_name").asText()).isEqualTo(topic);
        }
        assertThat(json.body().path("offset").asLong()).isZero();
        assertThat(json.body().path("key").path("type").asText()).isEqualTo("JSON");
        assertThat(json.body().path("value").path("size").asInt()).isEqualTo("{\"a\":1,\"b\":[true,null]}".length());
        assertThat(json.body().path("timestamp").asText()).isEqualTo(STAMP);
        assertThat(bin.body().has("key")).as("no key given, none reported").isFalse();

        List<ConsumerRecord<byte[], byte[]>> read = readAll(topic, 1);
        assertThat(read).hasSize(4);
        assertThat(new String(read.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("[1,\"two\"]");
        assertThat(new String(read.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1,\"b\":[true,null]}");
        assertThat(read.get(0).timestamp()).isEqualTo(Instant.parse(STAMP).toEpochMilli());
        assertThat(new String(read.get(0).headers().lastHeader("trace").value(), StandardCharsets.UTF_8)).isEqualTo("t-1");
        assertThat(read.get(0).headers().lastHeader("empty").value()).isNull();
        assertThat(new String(read.get(1).key(), StandardCharsets.UTF_8)).isEqualTo("ключ");
        assertThat(new String(read.get(1).value(), StandardCharsets.UTF_8)).isEqualTo("zné");
        assertThat(read.get(2).value()).containsExactly(binary);
        assertThat(read.get(3).key()).isNull();
        assertThat(read.get(3).value()).isNull();
    }

    @Test
    void recordsGoToTheirPartitionOrTheKeysPartitionAsTheJavaProducerChoosesIt() throws Exception {
        String topic = createTopic(4);
        String records = cluster + "/topics/" + topic + "/records";
        assertThat(http.post(records, "{\"partition_id\":3,\"value\":{\"type\":\"STRING\",\"data\":\"p3\"}}").body().path("partition_id").asInt()).isEqualTo(3);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                brook.bootstrapServers()), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (String key : List.of("alpha", "beta", "gamma", "delta", "epsilon")) {
                int javaPartition = producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), new byte[0])).get().partition();
                int httpPartition = http.post(records, "{\"key\":{\"type\":\"STRING\",\"data\":\"" + key + "\"}}").body().path("partition_id").asInt();
                assertThat(httpPartition).as("partition of key %s", key).isEqualTo(javaPartition);
            }
        }
        java.util.Set<Integer> spread = new java.util.HashSet<>();
        for (int i = 0; i < 8; i++) {
            spread.add(http.post(records, "{\"value\":{\"type\":\"STRING\",\"data\":\"rr\"}}").body().path("partition_id").asInt());
        }
        assertThat(spread).as("records without key or partition are spread").hasSize(4);
    }

    @Test
    void theStreamingModeAnswersEveryRecordInOrderIncludingTheFailedOnes() throws Exception {
        String topic = createTopic(2);
        StringBuilder body = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            if (i == 50) {
                body.append("{\"value\":{\"type\":\"BINARY\",\"data\":\"not base64!\"}}\n");
            } else if (i == 120) {
                body.append("{\"partition_id\":9,\"value\":{\"type\":\"STRING\",\"data\":\"nowhere\"}}");
            } else {
                body.append("{\"key\":{\"type\":\"STRING\",\"data\":\"k").append(i % 7).append("\"},\"value\":{\"type\":\"JSON\",\"data\":{\"i\":")
                        .append(i).append(",\"s\":\"{}\\\" }\"}}} ");
            }
        }
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create(http.base() + cluster + "/topics/" + topic + "/records"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes))) // no length: chunked
                .build();

        var response = http.client().send(request, java.net.http.HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        List<JsonNode> reports = new ArrayList<>();
        try (var parser = GatewayClient.JSON.getFactory().createParser(response.body())) {
            var it = GatewayClient.JSON.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                reports.add(it.next());
            }
        }
        assertThat(reports).hasSize(200);
        assertThat(reports.get(50).path("error_code").asInt()).isEqualTo(400);
        assertThat(reports.get(120).path("error_code").asInt()).isEqualTo(40402);
        List<Integer> values = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : readAll(topic, 2)) {
            values.add(GatewayClient.JSON.readTree(r.value()).path("i").asInt());
        }
        assertThat(values).hasSize(198);
        for (int i = 0; i < 200; i++) {
            if (i != 50 && i != 120) {
                assertThat(reports.get(i).path("error_code").asInt()).as("report %d: %s", i, reports.get(i)).isEqualTo(200);
            }
        }
        // per partition the records are in the order they were sent
        Map<Integer, List<Integer>> byPartition = new java.util.TreeMap<>();
        for (int i = 0; i < 200; i++) {
            if (reports.get(i).path("error_code").asInt() == 200) {
                byPartition.computeIfAbsent(reports.get(i).path("partition_id").asInt(), p -> new ArrayList<>())
                        .add(reports.get(i).path("offset").asInt());
            }
        }
        byPartition.values().forEach(offsets -> assertThat(offsets).isSorted());
    }

    @Test
    void aStreamThatStopsBeingJsonGetsOneLastErrorAndEnds() throws Exception {
        String topic = createTopic(1);
        byte[] bytes = "{\"value\":{\"type\":\"STRING\",\"data\":\"one\"}} oops {\"value\":{\"type\":\"STRING\",\"data\":\"never\"}}"
                .getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(URI.create(http.base() + cluster + "/topics/" + topic + "/records"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)))
                .build();

        String response = http.client().send(request, java.net.http.HttpResponse.BodyHandlers.ofString()).body();

        assertThat(response).startsWith("{\"error_code\":200").contains("{\"error_code\":400,\"message\":\"Bad Request: Error processing message");
        assertThat(readAll(topic, 1)).hasSize(1);
        assertThat(http.get(cluster + "/topics/" + topic).status()).as("still serving").isEqualTo(200);
    }

    @Test
    void everyWrongProduceGetsItsDocumentedError() throws Exception {
        String topic = createTopic(2);
        String records = cluster + "/topics/" + topic + "/records";

        RestApiTest.assertError(http.post(cluster + "/topics/absent-" + topic + "/records", "{}"), 404, 40403, "topic-partition");
        RestApiTest.assertError(http.post(records, "{\"partition_id\":2}"), 404, 40402, "Partition not found");
        RestApiTest.assertError(http.post(records, "{\"value\":{\"type\":\"AVRO\",\"data\":{}}}"), 400, 400, "schema");
        RestApiTest.assertError(http.post(records, "{\"value\":{\"type\":\"JSON\",\"schema_id\":3,\"data\":{}}}"), 400, 400, "schemas are not supported");
        RestApiTest.assertError(http.post(records, "{\"value\":{\"data\":\"x\"}}"), 400, 400, "type is required");
        RestApiTest.assertError(http.post(records, "{\"value\":{\"type\":\"BINARY\",\"data\":\"%%%\"}}"), 400, 400, "base64");
        RestApiTest.assertError(http.post(records, "{\"value\":{\"type\":\"STRING\",\"data\":5}}"), 400, 400, "string");
        RestApiTest.assertError(http.post(records, "{\"timestamp\":\"yesterday\"}"), 400, 400, "RFC 3339");
        RestApiTest.assertError(http.post(records, "{\"timestamp\":\"2099-01-01T00:00:00Z\"}"), 400, 40002, "out of range");
        RestApiTest.assertError(http.post(records, "{\"value\":"), 400, 400, "not valid JSON");
        RestApiTest.assertError(http.post(records, ""), 422, 422, "empty");
        RestApiTest.assertError(http.post(records, "{\"value\":{\"type\":\"STRING\",\"data\":\"" + "x".repeat(70_000) + "\"}}"), 413, 413, "larger");

        GatewayClient.Response ok = http.post(records, "{\"value\":{\"type\":\"STRING\",\"data\":\"after the errors\"}}");
        assertThat(ok.errorCode()).as(ok.raw()).isEqualTo(200);
        assertThat(readAll(topic, 2)).hasSize(1);
    }

    @Test
    void aBodyFarOverTheLimitIsAnsweredNotReset() throws Exception {
        String topic = createTopic(1);
        // far more than the socket buffers hold: the server answers 413 while the client is still sending
        String huge = "{\"value\":{\"type\":\"STRING\",\"data\":\"" + "x".repeat(8 << 20) + "\"}}";
        for (int i = 0; i < 5; i++) {
            RestApiTest.assertError(http.post(cluster + "/topics/" + topic + "/records", huge), 413, 413, "larger");
        }
        String mid = "{\"value\":{\"type\":\"STRING\",\"data\":\"" + "x".repeat(70_000) + "\"}}";
        for (int i = 0; i < 100; i++) { // a body a little over the limit, after a request that kept the connection
            RestApiTest.assertError(http.post(cluster + "/topics/" + topic + "/records", ""), 422, 422, "empty");
            RestApiTest.assertError(http.post(cluster + "/topics/" + topic + "/records", mid), 413, 413, "larger");
        }
        assertThat(http.get(cluster + "/topics/" + topic).status()).as("still serving").isEqualTo(200);
    }
}
