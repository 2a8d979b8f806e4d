package dev.brook.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.brook.testkit.BrookExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Event streams as consumer-group members ({@code /events/{topic}?group=G}): readers of one group share the
 * partitions, the group's commits follow what was delivered, a later reader resumes after them, a reconnecting
 * browser's Last-Event-ID is taken as seen, and wrong requests and the member limit answer errors.
 */
@Timeout(180)
class GroupEventStreamTest {

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension();

    private static HttpGateway gateway;
    private static GatewayClient http;
    private static KafkaProducer<String, String> producer;
    private static Admin admin;

    @BeforeAll
    static void start() {
        gateway = HttpGateway.start(brook.broker(), "127.0.0.1", 0, new HttpLimits(1 << 20, 20, 3, 64 * 1024, 5_000, 300));
        http = new GatewayClient(gateway);
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brook.bootstrapServers(),
                ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(), new StringSerializer());
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brook.bootstrapServers()));
    }

    @AfterAll
    static void stop() {
        producer.close();
        admin.close();
        gateway.close();
    }

    private static String createTopic(int partitions) throws Exception {
        String topic = "gsse-" + System.nanoTime();
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        return topic;
    }

    private static void produce(String topic, int from, int to) throws Exception {
        List<java.util.concurrent.Future<?>> sends = new ArrayList<>();
        for (int i = from; i < to; i++) {
            sends.add(producer.send(new ProducerRecord<>(topic, i % 4, "k" + i, "v" + i)));
        }
        for (var f : sends) {
            f.get(10, TimeUnit.SECONDS);
        }
    }

    private static Map<Integer, Long> committed(String group) throws Exception {
        Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                .get(10, TimeUnit.SECONDS);
        Map<Integer, Long> out = new HashMap<>();
        offsets.forEach((tp, o) -> out.put(tp.partition(), o.offset()));
        return out;
    }

    private static Set<String> values(List<SseReader.Event> events) {
        return events.stream().map(e -> e.json().path("value").asText()).collect(Collectors.toSet());
    }

    private static Set<Integer> partitionsOf(List<SseReader.Event> events) {
        return events.stream().map(e -> e.json().path("partition").asInt()).collect(Collectors.toSet());
    }

    @Test
    void readersOfOneGroupShareThePartitionsAndTheGroupCommitsWhatWasDelivered() throws Exception {
        String topic = createTopic(4);
        String group = "readers-" + System.nanoTime();
        try (SseReader a = new SseReader(http, "/events/" + topic + "?group=" + group + "&from=earliest", null);
             SseReader b = new SseReader(http, "/events/" + topic + "?group=" + group + "&from=earliest", null)) {
            assertThat(a.status).isEqualTo(200);
            assertThat(b.status).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
                return d.members().size() == 2 && d.members().stream().allMatch(m -> m.assignment().topicPartitions().size() == 2);
            });
            produce(topic, 0, 200);
            List<SseReader.Event> gotA = new ArrayList<>();
            List<SseReader.Event> gotB = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (gotA.size() + gotB.size() < 200 && System.nanoTime() < deadline) {
                gotA.addAll(a.records(200, Duration.ofMillis(100)));
                gotB.addAll(b.records(200, Duration.ofMillis(100)));
            }
            assertThat(gotA.size() + gotB.size()).as("each record once: the group was stable while they were written").isEqualTo(200);
            Set<String> all = new HashSet<>(values(gotA));
            all.addAll(values(gotB));
            assertThat(all).hasSize(200);
            assertThat(partitionsOf(gotA)).hasSize(2).doesNotContainAnyElementsOf(partitionsOf(gotB));
            // what was delivered is committed within a second or so: 50 records in each partition
            await().atMost(Duration.ofSeconds(15)).until(() -> committed(group).equals(Map.of(0, 50L, 1, 50L, 2, 50L, 3, 50L)));
        }
    }

    @Test
    void anSseReaderAndAKafkaConsumerShareOneGroup() throws Exception {
        String topic = createTopic(4);
        String group = "mixed-" + System.nanoTime();
        Map<String, Object> config = Map.of(org.apache.kafka.clients.consumer.ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brook.bootstrapServers(),
                org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_ID_CONFIG, group,
                org.apache.kafka.clients.consumer.ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer",
                org.apache.kafka.clients.consumer.ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (SseReader sse = new SseReader(http, "/events/" + topic + "?group=" + group + "&from=earliest", null);
             var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(config,
                     new org.apache.kafka.common.serialization.StringDeserializer(), new org.apache.kafka.common.serialization.StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(100));
                ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
                return d.members().size() == 2 && d.members().stream().allMatch(m -> m.assignment().topicPartitions().size() == 2)
                        && consumer.assignment().size() == 2;
            });
            produce(topic, 0, 100);
            Set<String> byKafka = new HashSet<>();
            List<SseReader.Event> bySse = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (byKafka.size() + bySse.size() < 100 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(r -> byKafka.add(r.value()));
                bySse.addAll(sse.records(100, Duration.ofMillis(50)));
            }
            assertThat(byKafka).hasSize(50);
            assertThat(values(bySse)).hasSize(50).doesNotContainAnyElementsOf(byKafka);
            Set<Integer> kafkaPartitions = new HashSet<>();
            consumer.assignment().forEach(tp -> kafkaPartitions.add(tp.partition()));
            assertThat(partitionsOf(bySse)).hasSize(2).doesNotContainAnyElementsOf(kafkaPartitions);
        }
    }

    @Test
    void aLaterReaderOfTheGroupStartsAfterWhatEarlierOnesWereSent() throws Exception {
        String topic = createTopic(4);
        String group = "resume-" + System.nanoTime();
        produce(topic, 0, 40);
        try (SseReader first = new SseReader(http, "/events/" + topic + "?group=" + group + "&from=earliest", null)) {
            assertThat(values(first.records(40))).hasSize(40);
        }
        // the reader went away: its member commits what it delivered and leaves
        await().atMost(Duration.ofSeconds(15)).until(() -> committed(group).values().stream().mapToLong(Long::longValue).sum() == 40);
        produce(topic, 40, 80);
        try (SseReader second = new SseReader(http, "/events/" + topic + "?group=" + group + "&from=earliest", null)) {
            List<SseReader.Event> got = second.records(40);
            assertThat(values(got)).hasSize(40).allMatch(v -> Integer.parseInt(v.substring(1)) >= 40);
            assertThat(second.records(1, Duration.ofSeconds(2))).as("nothing sent twice").isEmpty();
        }
    }

    @Test
    void aReconnectingBrowsersLastEventIdCountsAsSeen() throws Exception {
        String topic = createTopic(4);
        String group = "browser-" + System.nanoTime();
        produce(topic, 0, 80); // 20 per partition
        // as if this browser had seen partition 0 up to offset 10 before its connection dropped
        try (SseReader sse = new SseReader(http, "/events/" + topic + "?group=" + group + "&from=earliest", "0:10")) {
            List<SseReader.Event> got = sse.records(70);
            assertThat(got).hasSize(70);
            assertThat(got).filteredOn(e -> e.json().path("partition").asInt() == 0)
                    .extracting(e -> e.json().path("offset").asLong()).hasSize(10).allMatch(o -> o >= 10);
            assertThat(sse.records(1, Duration.ofSeconds(2))).isEmpty();
        }
    }

    @Test
    void aLastEventIdPastTheLogEndIsNotTaken() throws Exception {
        String topic = createTopic(4);
        String group = "made-up-" + System.nanoTime();
        produce(topic, 0, 40); // 10 per partition
        // a made-up id, or one from before an in-memory topic was emptied by a restart: it must not skip the group ahead
        try (SseReader sse = new SseReader(http, "/events/" + topic + "?group=" + group + "&from=earliest", "0:1000")) {
            assertThat(values(sse.records(40))).hasSize(40);
            await().atMost(Duration.ofSeconds(15)).until(() -> committed(group).equals(Map.of(0, 10L, 1, 10L, 2, 10L, 3, 10L)));
        }
    }

    @Test
    void aKeyFilterSendsOneKeyAndTheSkippedRecordsCountAsDelivered() throws Exception {
        String topic = createTopic(4);
        String group = "keyed-" + System.nanoTime();
        produce(topic, 0, 80); // partition 0 holds k0, k4, k8, ...: k48 is its offset 12
        try (SseReader sse = new SseReader(http, "/events/" + topic + "?group=" + group + "&from=earliest&key=k48", null)) {
            List<SseReader.Event> got = sse.records(1);
            assertThat(got).extracting(e -> e.json().path("value").asText()).containsExactly("v48");
            assertThat(got.get(0).json().path("offset").asLong()).isEqualTo(12);
            assertThat(sse.records(1, Duration.ofSeconds(2))).as("other keys are skipped").isEmpty();
            await().atMost(Duration.ofSeconds(15)).until(() -> committed(group).equals(Map.of(0, 20L, 1, 20L, 2, 20L, 3, 20L)));
        }
        try (SseReader again = new SseReader(http, "/events/" + topic + "?group=" + group + "&from=earliest", null)) {
            assertThat(again.records(1, Duration.ofSeconds(3))).as("the group has nothing left to send").isEmpty();
        }
    }

    @Test
    void wrongGroupStreamsAreRefusedAndTheMemberLimitHolds() throws Exception {
        String topic = createTopic(1);
        assertThat(http.get("/events/" + topic + "?group=g&partition=0").status()).isEqualTo(400);
        assertThat(http.get("/events/" + topic + "?group=g&from=5").status()).isEqualTo(400);
        assertThat(http.get("/events/" + topic + "?group=g&from_timestamp=0").status()).isEqualTo(400);
        assertThat(http.get("/events/" + topic + "?group=").status()).isEqualTo(400);
        assertThat(http.get("/events/no-such-topic?group=g").status()).isEqualTo(404);
        String group = "limit-" + System.nanoTime();
        await().atMost(Duration.ofSeconds(15)).until(() -> gateway.openStreams() == 0); // earlier tests' members have left
        List<SseReader> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                SseReader s = new SseReader(http, "/events/" + topic + "?group=" + group, null);
                assertThat(s.status).isEqualTo(200);
                open.add(s);
            }
            var refused = http.get("/events/" + topic + "?group=" + group);
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.body().path("message").asText()).contains("brook.http.max.group.streams");
        } finally {
            open.forEach(SseReader::close);
        }
        // closing them frees their places
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            try (SseReader s = new SseReader(http, "/events/" + topic + "?group=" + group, null)) {
                assertThat(s.status).isEqualTo(200);
            }
        });
    }
}
