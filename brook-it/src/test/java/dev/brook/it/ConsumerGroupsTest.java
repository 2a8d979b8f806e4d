package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.brook.testkit.BrookExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Consumer groups with the Java client, for both group protocols: load balancing within a group, fan-out
 * across groups, take-over after a member leaves or crashes, resuming after a broker restart, and static
 * membership.
 */
class ConsumerGroupsTest {
    private static final int SESSION_MS = 6_000;

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension()
            .withConfig("group.consumer.session.timeout.ms", String.valueOf(SESSION_MS))
            .withConfig("group.consumer.heartbeat.interval.ms", "500");

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private static String createTopic(int partitions) throws Exception {
        String topic = "groups-" + COUNTER.incrementAndGet() + "-" + System.nanoTime();
        try (Admin admin = Clients.admin(brook.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
        return topic;
    }

    private static void produce(String topic, int partitions, int from, int count) throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(brook.bootstrapServers())) {
            for (int i = from; i < from + count; i++) {
                producer.send(new ProducerRecord<>(topic, i % partitions, "k" + i, "v" + i));
            }
            producer.flush();
        }
    }

    private GroupMember member(String topic, String group, String protocol, String instanceId) {
        GroupMember m = new GroupMember(brook.bootstrapServers(), topic, group, protocol, instanceId);
        toClose.add(m);
        return m;
    }

    private static Set<String> expected(int from, int count) {
        Set<String> s = new HashSet<>();
        for (int i = from; i < from + count; i++) {
            s.add("v" + i);
        }
        return s;
    }

    @ParameterizedTest(name = "group.protocol={0}")
    @ValueSource(strings = {"classic", "consumer"})
    void threeMembersShareASixPartitionTopicAndEachRecordReachesExactlyOneOfThem(String protocol) throws Exception {
        String topic = createTopic(6);
        String group = "share-" + topic;
        GroupMember a = member(topic, group, protocol, null);
        GroupMember b = member(topic, group, protocol, null);
        GroupMember c = member(topic, group, protocol, null);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(a.assignment()).hasSize(2);
            assertThat(b.assignment()).hasSize(2);
            assertThat(c.assignment()).hasSize(2);
        });
        Set<TopicPartition> union = new HashSet<>(a.assignment());
        union.addAll(b.assignment());
        union.addAll(c.assignment());
        assertThat(union).as("every partition owned by exactly one member").hasSize(6);

        produce(topic, 6, 0, 600);
        await().atMost(Duration.ofSeconds(60)).until(() -> a.received.size() + b.received.size() + c.received.size() >= 600);
        List<String> all = new ArrayList<>(a.values());
        all.addAll(b.values());
        all.addAll(c.values());
        assertThat(all).hasSize(600).doesNotHaveDuplicates();
        assertThat(new HashSet<>(all)).isEqualTo(expected(0, 600));
        assertThat(a.received).allMatch(r -> a.assignment().contains(new TopicPartition(r.topic(), r.partition())));
    }

    @ParameterizedTest(name = "classic with {0}")
    @ValueSource(strings = {"org.apache.kafka.clients.consumer.RangeAssignor", "org.apache.kafka.clients.consumer.RoundRobinAssignor",
            "org.apache.kafka.clients.consumer.CooperativeStickyAssignor"})
    void everyClientSideAssignorSharesTheTopicAndSurvivesAMemberLeaving(String assignor) throws Exception {
        String topic = createTopic(6);
        String group = "assignor-" + topic;
        Map<String, Object> extra = Map.of("partition.assignment.strategy", assignor);
        GroupMember a = new GroupMember(brook.bootstrapServers(), topic, group, "classic", null, extra);
        GroupMember b = new GroupMember(brook.bootstrapServers(), topic, group, "classic", null, extra);
        GroupMember c = new GroupMember(brook.bootstrapServers(), topic, group, "classic", null, extra);
        toClose.add(a);
        toClose.add(b);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(a.assignment()).hasSize(2);
            assertThat(b.assignment()).hasSize(2);
            assertThat(c.assignment()).hasSize(2);
        });
        produce(topic, 6, 0, 300);
        await().atMost(Duration.ofSeconds(60)).until(() -> a.received.size() + b.received.size() + c.received.size() >= 300);
        c.close();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(a.assignment()).hasSize(3);
            assertThat(b.assignment()).hasSize(3);
        });
        produce(topic, 6, 300, 300);
        await().atMost(Duration.ofSeconds(60)).until(() -> a.received.size() + b.received.size() + c.received.size() >= 600);
        List<String> all = new ArrayList<>(a.values());
        all.addAll(b.values());
        all.addAll(c.values());
        assertThat(all).hasSize(600).doesNotHaveDuplicates();
    }

    @ParameterizedTest(name = "group.protocol={0}")
    @ValueSource(strings = {"classic", "consumer"})
    void aRegexSubscriptionPicksUpMatchingTopicsIncludingNewOnes(String protocol) throws Exception {
        String prefix = "rx" + COUNTER.incrementAndGet() + protocol;
        try (Admin admin = Clients.admin(brook.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(prefix + "-a", 2, (short) 1), new NewTopic("other-" + prefix, 1, (short) 1))).all().get();
        }
        // a classic consumer matches the pattern itself and finds new topics on its metadata refresh
        GroupMember m = new GroupMember(brook.bootstrapServers(), "regex:" + prefix + "-.*", "regex-" + prefix, protocol, null,
                Map.of("metadata.max.age.ms", 1_000));
        toClose.add(m);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(m.assignment()).hasSize(2));
        try (Admin admin = Clients.admin(brook.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(prefix + "-b", 1, (short) 1))).all().get();
        }
        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(m.assignment()).hasSize(3));
        produce(prefix + "-b", 1, 0, 10);
        produce("other-" + prefix, 1, 100, 10);
        await().atMost(Duration.ofSeconds(30)).until(() -> m.received.size() >= 10);
        Thread.sleep(500);
        assertThat(m.received).allMatch(r -> r.topic().startsWith(prefix + "-")).hasSize(10);
    }

    @ParameterizedTest(name = "group.protocol={0}")
    @ValueSource(strings = {"classic", "consumer"})
    void everyGroupReceivesEveryRecord(String protocol) throws Exception {
        String topic = createTopic(3);
        GroupMember first = member(topic, "fanout-a-" + topic, protocol, null);
        GroupMember second1 = member(topic, "fanout-b-" + topic, protocol, null);
        GroupMember second2 = member(topic, "fanout-b-" + topic, protocol, null);
        produce(topic, 3, 0, 300);
        await().atMost(Duration.ofSeconds(60)).until(() -> first.received.size() >= 300
                && second1.received.size() + second2.received.size() >= 300);
        assertThat(new HashSet<>(first.values())).isEqualTo(expected(0, 300));
        List<String> b = new ArrayList<>(second1.values());
        b.addAll(second2.values());
        assertThat(new HashSet<>(b)).isEqualTo(expected(0, 300));
    }

    @ParameterizedTest(name = "group.protocol={0}")
    @ValueSource(strings = {"classic", "consumer"})
    void survivorsTakeOverFromTheCommittedOffsetsWhenMembersLeaveOrCrash(String protocol) throws Exception {
        String topic = createTopic(6);
        String group = "takeover-" + topic;
        GroupMember survivor = member(topic, group, protocol, null);
        GroupMember leaver = member(topic, group, protocol, null);
        List<String> crashedOutput = new CopyOnWriteArrayList<>();
        Process crasher = startMemberProcess(topic, group, protocol, crashedOutput);
        try {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(survivor.assignment()).hasSize(2);
                assertThat(leaver.assignment()).hasSize(2);
            });
            produce(topic, 6, 0, 300);
            await().atMost(Duration.ofSeconds(60)).until(() -> survivor.received.size() + leaver.received.size()
                    + crashedOutput.stream().filter(l -> l.startsWith("R ")).count() >= 300);
            Thread.sleep(500); // let the last synchronous commits land

            leaver.close();
            crasher.destroyForcibly().waitFor();
            long crashedAt = System.nanoTime();
            Map<TopicPartition, OffsetAndMetadata> committed;
            try (Admin admin = Clients.admin(brook.bootstrapServers())) {
                committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            }
            assertThat(committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum())
                    .as("everything consumed was committed").isEqualTo(300);

            await().atMost(Duration.ofSeconds(SESSION_MS / 1000 + 20)).untilAsserted(() -> assertThat(survivor.assignment()).hasSize(6));
            long tookMs = (System.nanoTime() - crashedAt) / 1_000_000;
            assertThat(tookMs).as("take-over within the session timeout plus a rebalance").isLessThan(SESSION_MS + 10_000);

            int before = survivor.received.size();
            produce(topic, 6, 300, 300);
            await().atMost(Duration.ofSeconds(60)).until(() -> survivor.received.size() - before >= 300);
            List<ConsumerRecord<String, String>> after = survivor.received.subList(before, survivor.received.size());
            assertThat(after.stream().map(ConsumerRecord::value).toList()).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(expected(300, 300));
            Map<Integer, Long> firstOffset = new HashMap<>();
            for (ConsumerRecord<String, String> r : after) {
                firstOffset.putIfAbsent(r.partition(), r.offset());
            }
            for (Map.Entry<Integer, Long> e : firstOffset.entrySet()) {
                assertThat(e.getValue()).as("partition %d resumes at its committed offset", e.getKey())
                        .isEqualTo(committed.get(new TopicPartition(topic, e.getKey())).offset());
            }
        } finally {
            crasher.destroyForcibly();
        }
    }

    private static Process startMemberProcess(String topic, String group, String protocol, List<String> output) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                GroupMemberMain.class.getName(), brook.bootstrapServers(), topic, group, protocol, String.valueOf(SESSION_MS))
                .redirectErrorStream(true).start();
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                }
            } catch (Exception ignored) {
                // the process was killed
            }
        });
        pump.setDaemon(true);
        pump.start();
        return p;
    }

    @ParameterizedTest(name = "group.protocol={0}")
    @ValueSource(strings = {"classic", "consumer"})
    void afterABrokerRestartAGroupResumesExactlyFromItsCommittedOffsets(String protocol) throws Exception {
        String topic = createTopic(3);
        String group = "restart-" + topic;
        produce(topic, 3, 0, 150);
        GroupMember before = new GroupMember(brook.bootstrapServers(), topic, group, protocol, null);
        await().atMost(Duration.ofSeconds(60)).until(() -> before.received.size() >= 150);
        Thread.sleep(300);
        before.close();

        brook.restart();

        produce(topic, 3, 150, 90);
        GroupMember after = member(topic, group, protocol, null);
        await().atMost(Duration.ofSeconds(60)).until(() -> after.received.size() >= 90);
        Thread.sleep(1_000);
        assertThat(after.values()).as("only what came after the commit").containsExactlyInAnyOrderElementsOf(expected(150, 90));
        assertThat(after.received).allMatch(r -> r.offset() >= 50);
    }

    @ParameterizedTest(name = "group.protocol={0}")
    @ValueSource(strings = {"classic", "consumer"})
    void aStaticMemberRestartingWithinItsSessionGetsItsPartitionsBackWithoutARebalance(String protocol) throws Exception {
        String topic = createTopic(6);
        String group = "static-" + topic;
        GroupMember stays = member(topic, group, protocol, "static-1");
        GroupMember restarts = new GroupMember(brook.bootstrapServers(), topic, group, protocol, "static-2");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(stays.assignment()).hasSize(3);
            assertThat(restarts.assignment()).hasSize(3);
        });
        Thread.sleep(1_500);
        Set<TopicPartition> staysHad = stays.assignment();
        Set<TopicPartition> restartsHad = restarts.assignment();
        int assignedBefore = stays.assignedCallbacks.get();
        int revokedBefore = stays.revokedCallbacks.get();

        restarts.close();
        GroupMember again = member(topic, group, protocol, "static-2");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(again.assignment()).isEqualTo(restartsHad));
        Thread.sleep(2_000);
        assertThat(stays.assignment()).isEqualTo(staysHad);
        assertThat(stays.revokedCallbacks.get()).as("the other member saw no rebalance").isEqualTo(revokedBefore);
        assertThat(stays.assignedCallbacks.get()).isEqualTo(assignedBefore);
        assertThat(again.assignment()).isEqualTo(restartsHad);
    }
}
