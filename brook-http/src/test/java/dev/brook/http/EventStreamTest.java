package dev.brook.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.brook.testkit.BrookExtension;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Server-Sent Events of a topic, read by the JDK's HTTP client as a browser's EventSource reads them: records a Kafka
 * producer writes arrive as events; a reconnect with the last event id resumes with no gap and no duplicate; filters,
 * start positions, heartbeats, the stream limit and a reader too slow to keep up.
 */
@Timeout(120)
class EventStreamTest {

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension();

    private static HttpGateway gateway;
    private static GatewayClient http;
    private static KafkaProducer<String, String> producer;

    @BeforeAll
    static void start() {
        gateway = HttpGateway.start(brook.broker(), "127.0.0.1", 0, new HttpLimits(1 << 20, 20, 4, 64 * 1024, 1_000, 300));
        http = new GatewayClient(gateway);
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brook.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(), new StringSerializer());
    }

    @AfterAll
    static void stop() {
        producer.close();
        gateway.close();
    }

    private static String createTopic(int partitions) throws Exception {
        return createTopic(partitions, Map.of());
    }

    private static String createTopic(int partitions, Map<String, String> configs) throws Exception {
        String topic = "sse-" + System.nanoTime();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brook.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(configs))).all().get(30, TimeUnit.SECONDS);
        }
        return topic;
    }

    private static void produce(String topic, int partition, String key, String value) throws Exception {
        producer.send(new ProducerRecord<>(topic, partition, key, value)).get(10, TimeUnit.SECONDS);
    }

    @Test
    void recordsAlreadyThereAndRecordsAppendedLaterArriveAsEvents() throws Exception {
        String topic = createTopic(1);
        for (int i = 0; i < 5; i++) {
            produce(topic, 0, "k" + i, "before-" + i);
        }
        try (SseReader sse = new SseReader(http, "/events/" + topic + "?from=earliest", null)) {
            assertThat(sse.status).isEqualTo(200);
            List<SseReader.Event> first = sse.records(5);
            for (int i = 5; i < 10; i++) {
                produce(topic, 0, "k" + i, "after-" + i);
            }
            List<SseReader.Event> later = sse.records(5);

            assertThat(first).extracting(e -> e.json().path("value").asText())
                    .containsExactly("before-0", "before-1", "before-2", "before-3", "before-4");
            assertThat(later).extracting(e -> e.json().path("value").asText())
                    .containsExactly("after-5", "after-6", "after-7", "after-8", "after-9");
            JsonNode e = later.get(4).json();
            assertThat(e.path("topic").asText()).isEqualTo(topic);
            assertThat(e.path("offset").asLong()).isEqualTo(9);
            assertThat(e.path("key").asText()).isEqualTo("k9");
            assertThat(later.get(4).id()).isEqualTo("0:10");
        }
    }

    @Test
    void transactionalWritesStreamOnceCommittedAndAbortedOnesAndMarkersNever() throws Exception {
        String topic = createTopic(1);
        try (KafkaProducer<String, String> txn = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brook.bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "sse-txn-" + System.nanoTime()), new StringSerializer(), new StringSerializer());
             SseReader sse = new SseReader(http, "/events/" + topic + "?from=earliest", null)) {
            txn.initTransactions();
            txn.beginTransaction();
            txn.send(new ProducerRecord<>(topic, 0, "k", "aborted"));
            txn.flush();
            txn.abortTransaction();
            txn.beginTransaction();
            txn.send(new ProducerRecord<>(topic, 0, "k", "committed"));
            txn.flush();
            produce(topic, 0, "k", "plain, after the open transaction"); // held back until the transaction is decided
            txn.commitTransaction();
            List<SseReader.Event> events = sse.records(2);
            assertThat(events).extracting(e -> e.json().path("value").asText())
                    .containsExactly("committed", "plain, after the open transaction");
            assertThat(events).extracting(e -> e.json().path("offset").asLong()).containsExactly(2L, 3L);
        }
    }

    @Test
    void anInMemoryTopicStreamsAsAnyOtherAndRecordsPublishedOverHttpArrive() throws Exception {
        String topic = createTopic(2, Map.of("brook.storage", "memory"));
        produce(topic, 1, "k0", "kafka-0");
        try (SseReader sse = new SseReader(http, "/events/" + topic + "?from=earliest", null)) {
            assertThat(sse.status).isEqualTo(200);
            List<SseReader.Event> first = sse.records(1);
            var produced = http.post("/v3/clusters/" + http.get("/v3/clusters").body().path("data").get(0).path("cluster_id").asText()
                    + "/topics/" + topic + "/records", "{\"partition_id\":0,\"value\":{\"type\":\"STRING\",\"data\":\"http-1\"}}");
            assertThat(produced.status()).isEqualTo(200);
            List<SseReader.Event> later = sse.records(1);
            assertThat(first).extracting(e -> e.json().path("value").asText()).containsExactly("kafka-0");
            assertThat(later).extracting(e -> e.json().path("value").asText()).containsExactly("http-1");
            assertThat(later.get(0).id()).isEqualTo("0:1,1:1");
        }
    }

    @Test
    void aReconnectWithTheLastEventIdResumesWithNoGapAndNoDuplicate() throws Exception {
        String topic = createTopic(3);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            produce(topic, i % 3, null, "v" + i);
            sent.add("v" + i);
        }
        List<String> received = new ArrayList<>();
        String lastId;
        try (SseReader sse = new SseReader(http, "/events/" + topic + "?from=earliest", null)) {
            List<SseReader.Event> some = sse.records(11);
            some.forEach(e -> received.add(e.json().path("value").asText()));
            lastId = some.get(some.size() - 1).id();
        }
        for (int i = 30; i < 40; i++) {
            produce(topic, i % 3, null, "v" + i);
            sent.add("v" + i);
        }
        try (SseReader resumed = new SseReader(http, "/events/" + topic + "?from=earliest", lastId)) {
            resumed.records(29).forEach(e -> received.add(e.json().path("value").asText()));
            assertThat(resumed.records(1, Duration.ofSeconds(1))).as("nothing after the last record").isEmpty();
        }

        assertThat(received).as("every record once").hasSize(40).containsExactlyInAnyOrderElementsOf(sent);
    }

    @Test
    void aKeyFilterSkipsOtherKeysAndAHeartbeatCarriesThePositionPastThem() throws Exception {
        String topic = createTopic(1);
        try (SseReader sse = new SseReader(http, "/events/" + topic + "?key=wanted", null)) {
            produce(topic, 0, "other", "skip-1");
            produce(topic, 0, "wanted", "take-1");
            produce(topic, 0, "other", "skip-2");
            List<SseReader.Event> events = sse.records(1);
            assertThat(events).extracting(e -> e.json().path("value").asText()).containsExactly("take-1");
            SseReader.Event idOnly = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (idOnly == null && System.nanoTime() < deadline) {
                SseReader.Event e = sse.events.poll(200, TimeUnit.MILLISECONDS);
                if (e != null && e.id() != null && e.data() == null) {
                    idOnly = e;
                }
            }
            assertThat(idOnly).as("an id-only event after the skipped record").isNotNull();
            assertThat(idOnly.id()).isEqualTo("0:3");
        }
    }

    @Test
    void aStreamStartsAtAnOffsetOrATimestampAndCanBeOnePartition() throws Exception {
        String topic = createTopic(2);
        long t0 = System.currentTimeMillis() - 60_000;
        for (int i = 0; i < 6; i++) {
            producer.send(new ProducerRecord<>(topic, 1, t0 + i * 1_000, null, "p1-" + i)).get();
        }
        produce(topic, 0, null, "p0");
        try (SseReader fromOffset = new SseReader(http, "/events/" + topic + "?partition=1&from=4", null);
             SseReader fromTime = new SseReader(http, "/events/" + topic + "?partition=1&from_timestamp=" + (t0 + 2_500), null)) {
            assertThat(fromOffset.records(2)).extracting(e -> e.json().path("value").asText()).containsExactly("p1-4", "p1-5");
            assertThat(fromTime.records(3)).extracting(e -> e.json().path("value").asText()).containsExactly("p1-3", "p1-4", "p1-5");
            assertThat(fromOffset.records(1, Duration.ofSeconds(1))).as("partition 0 is not streamed").isEmpty();
        }
    }

    @Test
    void anIdleStreamGetsHeartbeats() throws Exception {
        String topic = createTopic(1);
        try (SseReader sse = new SseReader(http, "/events/" + topic, null)) {
            SseReader.Event beat = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (beat == null && System.nanoTime() < deadline) {
                SseReader.Event e = sse.events.poll(200, TimeUnit.MILLISECONDS);
                if (e != null && "keep-alive".equals(e.comment())) {
                    beat = e;
                }
            }
            assertThat(beat).isNotNull();
        }
    }

    @Test
    void wrongStreamsAreRefusedWithAnError() throws Exception {
        String topic = createTopic(1);
        RestApiTest.assertError(http.get("/events/absent-" + topic), 404, 40403, "topic-partition");
        RestApiTest.assertError(http.get("/events/" + topic + "?partition=5"), 404, 40402, "Partition not found");
        RestApiTest.assertError(http.get("/events/" + topic + "?from=yesterday"), 400, 400, "from");
        RestApiTest.assertError(http.get("/events/" + topic + "?format=xml"), 400, 400, "format");
    }

    @Test
    void moreStreamsThanTheLimitGet503AndClosingOneFreesItsPlace() throws Exception {
        String topic = createTopic(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> gateway.openStreams() == 0);
        List<SseReader> open = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                open.add(new SseReader(http, "/events/" + topic, null));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> gateway.openStreams() == 20);
            RestApiTest.assertError(http.get("/events/" + topic), 503, 50301, "event streams");
        } finally {
            open.forEach(SseReader::close);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> gateway.openStreams() == 0);
        try (SseReader again = new SseReader(http, "/events/" + topic, null)) {
            assertThat(again.status).isEqualTo(200);
        }
    }

    @Test
    void aReaderThatStopsReadingIsDisconnectedAndOthersKeepTheirStream() throws Exception {
        String topic = createTopic(1);
        String big = "x".repeat(10_000);
        await().atMost(Duration.ofSeconds(10)).until(() -> gateway.openStreams() == 0);
        try (Socket stuck = new Socket(); SseReader healthy = new SseReader(http, "/events/" + topic, null)) {
            stuck.setReceiveBufferSize(4096);
            stuck.connect(new InetSocketAddress("127.0.0.1", gateway.localAddress().getPort()), 5_000);
            OutputStream out = stuck.getOutputStream();
            out.write(("GET /events/" + topic + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> gateway.openStreams() == 2);
            for (int i = 0; i < 300; i++) { // 3 MB: far more than the socket buffers and the 64 KiB stream buffer hold
                produce(topic, 0, null, big + i);
            }
            assertThat(healthy.records(300)).as("the reader that reads gets everything").hasSize(300);
            await().atMost(Duration.ofSeconds(15)).until(() -> gateway.openStreams() == 1);
            InputStream in = stuck.getInputStream();
            stuck.setSoTimeout(10_000);
            byte[] sink = new byte[64 * 1024];
            long drained = 0;
            int n;
            while ((n = in.read(sink)) >= 0) {
                drained += n;
            }
            assertThat(drained).as("bytes the stuck reader got before the close").isLessThan(3_000_000);
        }
    }
}
