package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brook.testkit.BrookExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Share groups (KIP-932) with Kafka's own {@code KafkaShareConsumer}: competing members each get records no other
 * member holds, RELEASE brings a record back with its delivery count raised, REJECT archives it, a member closed
 * without acknowledging has its records delivered again once their locks expire, and implicit mode accepts on the
 * next poll.
 */
@Timeout(180)
class ShareGroupsTest {

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension();

    private static String topicWith(int records, int partitions) throws Exception {
        String topic = AdminClientTest.uniqueTopic();
        try (Admin admin = Clients.admin(brook.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
        produce(topic, 0, records);
        return topic;
    }

    private static void produce(String topic, int from, int records) throws Exception {
        try (KafkaProducer<String, String> p = Clients.producer(brook.bootstrapServers())) {
            for (int i = from; i < from + records; i++) {
                p.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
            }
            p.flush();
        }
    }

    /** A group reading from the earliest offset, with a short lock so expiry is quick to see. */
    private static String group(Map<String, String> configs) throws Exception {
        String group = "share-" + AdminClientTest.uniqueTopic();
        Map<String, String> all = new HashMap<>(Map.of("share.auto.offset.reset", "earliest"));
        all.putAll(configs);
        try (Admin admin = Clients.admin(brook.bootstrapServers())) {
            List<AlterConfigOp> ops = new ArrayList<>();
            all.forEach((k, v) -> ops.add(new AlterConfigOp(new ConfigEntry(k, v), AlterConfigOp.OpType.SET)));
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, group), ops)).all().get();
        }
        return group;
    }

    private static KafkaShareConsumer<String, String> consumer(String group, String mode) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brook.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        c.put("share.acknowledgement.mode", mode);
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10);
        return new KafkaShareConsumer<>(c, new StringDeserializer(), new StringDeserializer());
    }

    @Test
    void threeMembersShareATopicAndEachRecordGoesToOneOfThem() throws Exception {
        String topic = topicWith(300, 3);
        String group = group(Map.of());
        Map<String, String> seenBy = new ConcurrentHashMap<>();
        List<String> duplicates = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<Integer>> members = new ArrayList<>();
        for (int m = 0; m < 3; m++) {
            String name = "member-" + m;
            members.add(pool.submit(() -> {
                int got = 0;
                try (KafkaShareConsumer<String, String> c = consumer(group, "explicit")) {
                    c.subscribe(List.of(topic));
                    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    while (!stop.get() && System.nanoTime() < deadline) {
                        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) {
                            if (seenBy.putIfAbsent(r.value(), name) != null) {
                                duplicates.add(r.value());
                            }
                            c.acknowledge(r, AcknowledgeType.ACCEPT);
                            got++;
                        }
                        c.commitSync();
                        if (seenBy.size() >= 300) {
                            stop.set(true);
                        }
                    }
                }
                return got;
            }));
        }
        int total = 0;
        for (Future<Integer> f : members) {
            total += f.get();
        }
        pool.shutdown();
        assertThat(seenBy).hasSize(300);
        assertThat(duplicates).as("records delivered twice").isEmpty();
        assertThat(total).isEqualTo(300);
    }

    @Test
    void releaseBringsARecordBackAndRejectArchivesIt() throws Exception {
        String topic = topicWith(2, 1);
        String group = group(Map.of());
        try (KafkaShareConsumer<String, String> c = consumer(group, "explicit")) {
            c.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> first = pollUntil(c, 2);
            assertThat(first).extracting(ConsumerRecord::value).containsExactly("v0", "v1");
            assertThat(first).allSatisfy(r -> assertThat(r.deliveryCount()).contains((short) 1));
            c.acknowledge(first.get(0), AcknowledgeType.RELEASE);
            c.acknowledge(first.get(1), AcknowledgeType.REJECT);
            c.commitSync();
            List<ConsumerRecord<String, String>> again = pollUntil(c, 1);
            assertThat(again).extracting(ConsumerRecord::value).containsExactly("v0");
            assertThat(again.get(0).deliveryCount()).contains((short) 2);
            c.acknowledge(again.get(0), AcknowledgeType.ACCEPT);
            c.commitSync();
            assertThat(c.poll(Duration.ofMillis(1500))).as("nothing is left").isEmpty();
        }
    }

    @Test
    void aMemberClosedWithoutAcknowledgingHasItsRecordsDeliveredAgainAfterTheLock() throws Exception {
        String topic = topicWith(5, 1);
        String group = group(Map.of("share.record.lock.duration.ms", "15000"));
        try (KafkaShareConsumer<String, String> c = consumer(group, "explicit")) {
            c.subscribe(List.of(topic));
            assertThat(pollUntil(c, 5)).hasSize(5);
            // explicit mode, nothing acknowledged; close releases them (the session ends)
        }
        long start = System.nanoTime();
        try (KafkaShareConsumer<String, String> c = consumer(group, "explicit")) {
            c.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> again = pollUntil(c, 5);
            assertThat(again).extracting(ConsumerRecord::value).containsExactly("v0", "v1", "v2", "v3", "v4");
            assertThat(again).allSatisfy(r -> assertThat(r.deliveryCount()).contains((short) 2));
            again.forEach(r -> c.acknowledge(r, AcknowledgeType.ACCEPT));
            c.commitSync();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("released at close, not after the lock").isLessThan(Duration.ofSeconds(14));
    }

    @Test
    void implicitModeAcceptsOnTheNextPoll() throws Exception {
        String topic = topicWith(20, 1);
        String group = group(Map.of());
        Set<String> seen = new HashSet<>();
        try (KafkaShareConsumer<String, String> c = consumer(group, "implicit")) {
            c.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (seen.size() < 20 && System.nanoTime() < deadline) {
                c.poll(Duration.ofMillis(200)).forEach(r -> seen.add(r.value()));
            }
            c.poll(Duration.ofMillis(200)); // acknowledges the last batch
            c.commitSync();
        }
        assertThat(seen).hasSize(20);
        try (KafkaShareConsumer<String, String> c = consumer(group, "implicit")) {
            c.subscribe(List.of(topic));
            assertThat(c.poll(Duration.ofSeconds(2))).as("everything was accepted").isEmpty();
        }
    }

    @Test
    void aRestartKeepsWhatWasAcceptedAndRedeliversTheRestWithTheirCounts() throws Exception {
        String topic = topicWith(10, 1);
        String group = group(Map.of());
        try (KafkaShareConsumer<String, String> c = consumer(group, "explicit")) {
            c.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> got = pollUntil(c, 10);
            assertThat(got).hasSize(10);
            got.subList(0, 5).forEach(r -> c.acknowledge(r, AcknowledgeType.ACCEPT));
            c.commitSync();
            brook.restart(); // the other five are still acquired by this member
        } catch (RuntimeException closingAgainstARestartedBroker) {
            // the consumer's close may fail to reach its old session: that is not what is tested
        }
        try (KafkaShareConsumer<String, String> c = consumer(group, "explicit")) {
            c.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> again = pollUntil(c, 5);
            assertThat(again).extracting(ConsumerRecord::value).containsExactly("v5", "v6", "v7", "v8", "v9");
            assertThat(again).allSatisfy(r -> assertThat(r.deliveryCount()).contains((short) 2));
            again.forEach(r -> c.acknowledge(r, AcknowledgeType.ACCEPT));
            c.commitSync();
            assertThat(c.poll(Duration.ofMillis(1500))).isEmpty();
        }
    }

    @Test
    void aLatestStartOffsetChosenBeforeARestartIsKept() throws Exception {
        String topic = topicWith(3, 1);
        String group = "share-latest-" + AdminClientTest.uniqueTopic();
        try (KafkaShareConsumer<String, String> c = consumer(group, "explicit")) {
            c.subscribe(List.of(topic));
            assertThat(c.poll(Duration.ofSeconds(2))).as("latest: the three already there are not for this group").isEmpty();
        }
        produce(topic, 3, 2);
        brook.restart();
        try (KafkaShareConsumer<String, String> c = consumer(group, "explicit")) {
            c.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> got = pollUntil(c, 2);
            assertThat(got).extracting(ConsumerRecord::value).containsExactly("v3", "v4");
            got.forEach(r -> c.acknowledge(r, AcknowledgeType.ACCEPT));
            c.commitSync();
        }
    }

    @Test
    void recordsReleasedPastTheDeliveryLimitOrRejectedLandInTheDeadLetterTopic() throws Exception {
        String topic = topicWith(2, 1);
        String dlq = "dlq." + topic;
        try (Admin admin = Clients.admin(brook.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(dlq, 1, (short) 1).configs(Map.of("errors.deadletterqueue.group.enable", "true"))))
                    .all().get();
        }
        String group = group(Map.of("share.delivery.count.limit", "2", "errors.deadletterqueue.topic.name", dlq,
                "errors.deadletterqueue.copy.record.enable", "true"));
        try (KafkaShareConsumer<String, String> c = consumer(group, "explicit")) {
            c.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> first = pollUntil(c, 2);
            assertThat(first).extracting(ConsumerRecord::value).containsExactly("v0", "v1");
            c.acknowledge(first.get(0), AcknowledgeType.RELEASE);
            c.acknowledge(first.get(1), AcknowledgeType.REJECT);
            c.commitSync();
            List<ConsumerRecord<String, String>> second = pollUntil(c, 1);
            assertThat(second.get(0).deliveryCount()).contains((short) 2);
            c.acknowledge(second.get(0), AcknowledgeType.RELEASE); // the second delivery was the last
            c.commitSync();
            assertThat(c.poll(Duration.ofMillis(1500))).as("both are archived").isEmpty();
        }
        List<ConsumerRecord<String, String>> dead = new ArrayList<>();
        try (KafkaConsumer<String, String> reader = Clients.consumer(brook.bootstrapServers(), Map.of(ConsumerConfig.GROUP_ID_CONFIG,
                "dlq-reader-" + topic, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"))) {
            reader.subscribe(List.of(dlq));
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (dead.size() < 2 && System.nanoTime() < deadline) {
                reader.poll(Duration.ofMillis(200)).forEach(dead::add);
            }
        }
        assertThat(dead).hasSize(2);
        Map<String, Map<String, String>> byValue = new HashMap<>();
        for (ConsumerRecord<String, String> r : dead) {
            Map<String, String> h = new HashMap<>();
            r.headers().forEach(x -> h.put(x.key(), new String(x.value(), java.nio.charset.StandardCharsets.UTF_8)));
            byValue.put(r.value(), h);
        }
        assertThat(byValue.get("v1")).containsEntry("__dlq.errors.topic", topic).containsEntry("__dlq.errors.partition", "0")
                .containsEntry("__dlq.errors.offset", "1").containsEntry("__dlq.errors.group", group)
                .containsEntry("__dlq.errors.delivery.count", "1").containsEntry("__dlq.errors.message", "Offset rejected by client.");
        assertThat(byValue.get("v0")).containsEntry("__dlq.errors.offset", "0").containsEntry("__dlq.errors.delivery.count", "2")
                .containsEntry("__dlq.errors.message", "Offset delivery count exceeded the threshold.");
    }

    @Test
    void aConsumerGroupAndAShareGroupReadTheSameTopicEachSeeingEveryRecordOnce() throws Exception {
        String topic = topicWith(200, 2);
        String shareGroup = group(Map.of());
        List<String> byShare = Collections.synchronizedList(new ArrayList<>());
        List<String> byGroup = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        Future<?> share = pool.submit(() -> {
            try (KafkaShareConsumer<String, String> c = consumer(shareGroup, "implicit")) {
                c.subscribe(List.of(topic));
                long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
                while (byShare.size() < 200 && System.nanoTime() < deadline) {
                    c.poll(Duration.ofMillis(200)).forEach(r -> byShare.add(r.value()));
                }
                c.commitSync();
            }
            return null;
        });
        Future<?> classic = pool.submit(() -> {
            try (KafkaConsumer<String, String> c = Clients.consumer(brook.bootstrapServers(), Map.of(ConsumerConfig.GROUP_ID_CONFIG,
                    "pubsub-" + topic, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"))) {
                c.subscribe(List.of(topic));
                long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
                while (byGroup.size() < 200 && System.nanoTime() < deadline) {
                    c.poll(Duration.ofMillis(200)).forEach(r -> byGroup.add(r.value()));
                }
                c.commitSync();
            }
            return null;
        });
        share.get();
        classic.get();
        pool.shutdown();
        assertThat(byShare).hasSize(200).doesNotHaveDuplicates();
        assertThat(byGroup).hasSize(200).doesNotHaveDuplicates();
        assertThat(new HashSet<>(byShare)).isEqualTo(new HashSet<>(byGroup));
    }

    private static List<ConsumerRecord<String, String>> pollUntil(KafkaShareConsumer<String, String> c, int n) {
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (out.size() < n && System.nanoTime() < deadline) {
            c.poll(Duration.ofMillis(200)).forEach(out::add);
        }
        return out;
    }
}
