package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.brook.testkit.BrookExtension;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What an operator sees of consumer groups through the Admin API, for both group protocols. */
class ConsumerGroupAdminTest {

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension()
            .withConfig("group.consumer.heartbeat.interval.ms", "500");

    @ParameterizedTest(name = "group.protocol={0}")
    @ValueSource(strings = {"classic", "consumer"})
    void adminShowsStateMembersAssignmentsOffsetsAndLetsOperatorsResetAndDelete(String protocol) throws Exception {
        String topic = "admin-groups-" + protocol + "-" + System.nanoTime();
        String group = "ops-" + topic;
        try (Admin admin = Clients.admin(brook.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(topic, 4, (short) 1))).all().get();
            try (KafkaProducer<String, String> producer = Clients.producer(brook.bootstrapServers())) {
                for (int i = 0; i < 100; i++) {
                    producer.send(new ProducerRecord<>(topic, i % 4, "k" + i, "v" + i));
                }
            }
            try (GroupMember a = new GroupMember(brook.bootstrapServers(), topic, group, protocol, null);
                 GroupMember b = new GroupMember(brook.bootstrapServers(), topic, group, protocol, null)) {
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    assertThat(a.failure()).as("member a's poll loop").isNull();
                    assertThat(b.failure()).as("member b's poll loop").isNull();
                    return a.received.size() + b.received.size() >= 100 && a.assignment().size() == 2 && b.assignment().size() == 2;
                });
                Thread.sleep(500);

                GroupListing listing = admin.listGroups().all().get().stream()
                        .filter(g -> g.groupId().equals(group)).findFirst().orElseThrow();
                assertThat(listing.type()).contains("classic".equals(protocol) ? GroupType.CLASSIC : GroupType.CONSUMER);
                assertThat(listing.groupState()).contains(GroupState.STABLE);

                ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
                assertThat(d.groupState()).isEqualTo(GroupState.STABLE);
                assertThat(d.members()).hasSize(2);
                Set<TopicPartition> assigned = new HashSet<>();
                for (MemberDescription m : d.members()) {
                    assertThat(m.assignment().topicPartitions()).hasSize(2);
                    assigned.addAll(m.assignment().topicPartitions());
                    assertThat(m.host()).isEqualTo("/127.0.0.1");
                }
                assertThat(assigned).hasSize(4);

                Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
                assertThat(offsets).hasSize(4);
                assertThat(offsets.values()).allMatch(o -> o.offset() == 25);

                assertThatThrownBy(() -> admin.deleteConsumerGroups(List.of(group)).all().get())
                        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(GroupNotEmptyException.class);
            }

            // lag: 20 more records, nobody consuming
            try (KafkaProducer<String, String> producer = Clients.producer(brook.bootstrapServers())) {
                for (int i = 0; i < 20; i++) {
                    producer.send(new ProducerRecord<>(topic, 0, "k", "late" + i));
                }
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> admin.describeConsumerGroups(List.of(group)).all().get()
                    .get(group).groupState() == GroupState.EMPTY);
            TopicPartition p0 = new TopicPartition(topic, 0);
            long end = admin.listOffsets(Map.of(p0, org.apache.kafka.clients.admin.OffsetSpec.latest())).all().get().get(p0).offset();
            long committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().get(p0).offset();
            assertThat(end - committed).as("lag of partition 0").isEqualTo(20);

            admin.alterConsumerGroupOffsets(group, Map.of(p0, new OffsetAndMetadata(3, "reset by test"))).all().get();
            OffsetAndMetadata reset = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().get(p0);
            assertThat(reset.offset()).isEqualTo(3);
            assertThat(reset.metadata()).isEqualTo("reset by test");

            assertThat(admin.listConsumerGroups().all().get()).anyMatch(g -> g.groupId().equals(group));
            admin.deleteConsumerGroupOffsets(group, Set.of(new TopicPartition(topic, 1))).all().get();
            assertThat(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get())
                    .doesNotContainKey(new TopicPartition(topic, 1)).containsKey(p0);

            admin.deleteConsumerGroups(List.of(group)).all().get();
            assertThat(admin.listGroups().all().get()).noneMatch(g -> g.groupId().equals(group));
            assertThat(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()).isEmpty();
        }
    }
}
