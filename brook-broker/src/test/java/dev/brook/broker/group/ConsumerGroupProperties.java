package dev.brook.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * Random sequences of joins, heartbeats, leaves, silences (clock jumps) and commits against one KIP-848
 * group, with clients behaving like the Java consumer: among live members no partition is ever owned twice,
 * a committed offset never goes backwards (members that lost a partition cannot commit it), and once every
 * live member has heartbeated a few times the partitions are all owned.
 */
class ConsumerGroupProperties {

    enum Kind { JOIN, HEARTBEAT, LEAVE, SILENCE, CONSUME_AND_COMMIT }

    record Step(Kind kind, int client, int amount) {
    }

    @Provide
    Arbitrary<List<Step>> scripts() {
        Arbitrary<Kind> kinds = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(2, Arbitraries.just(Kind.JOIN)),
                net.jqwik.api.Tuple.of(8, Arbitraries.just(Kind.HEARTBEAT)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(Kind.LEAVE)),
                net.jqwik.api.Tuple.of(3, Arbitraries.just(Kind.SILENCE)),
                net.jqwik.api.Tuple.of(4, Arbitraries.just(Kind.CONSUME_AND_COMMIT)));
        Arbitrary<Step> step = Combinators.combine(kinds, Arbitraries.integers().between(0, 3), Arbitraries.integers().between(1_000, 15_000))
                .as(Step::new);
        return step.list().ofMinSize(5).ofMaxSize(200);
    }

    final class Client {
        String id = Uuid.randomUuid().toString();
        int epoch;
        boolean started;
        Set<Integer> owned = new TreeSet<>();
        final Map<Integer, Long> position = new HashMap<>();
    }

    @Property(tries = 300)
    void liveMembersNeverShareAPartitionAndCommitsNeverGoBackwards(@ForAll("scripts") List<Step> script,
                                                                    @ForAll @IntRange(min = 1, max = 8) int partitions) {
        ManualGroupTimer timer = new ManualGroupTimer();
        GroupConfig config = GroupConfig.defaults();
        FixedTopics topics = new FixedTopics().add("t", partitions);
        ConsumerGroup group = new ConsumerGroup("g", timer, () -> config, topics);
        Uuid topicId = topics.id("t");
        Client[] clients = new Client[4];
        Map<Integer, Long> committed = new HashMap<>();

        for (Step s : script) {
            Client c = clients[s.client()];
            switch (s.kind()) {
                case JOIN -> {
                    if (c == null || !c.started) {
                        clients[s.client()] = c = new Client();
                        c.started = true;
                        heartbeat(group, c, topicId, committed);
                    }
                }
                case HEARTBEAT -> {
                    if (c != null && c.started) {
                        heartbeat(group, c, topicId, committed);
                    }
                }
                case LEAVE -> {
                    if (c != null && c.started) {
                        group.heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId(c.id).setMemberEpoch(-1),
                                (short) 1, "c", "/h");
                        c.started = false;
                        c.owned.clear();
                    }
                }
                case SILENCE -> timer.advance(s.amount());
                case CONSUME_AND_COMMIT -> {
                    if (c != null) {
                        // a client, live or stale, consumes a little from what it believes it owns and commits
                        for (int p : c.owned) {
                            long next = c.position.getOrDefault(p, 0L) + 1 + s.amount() % 10;
                            c.position.put(p, next);
                            if (group.validateOffsetRequest(c.id, c.epoch) == Errors.NONE) {
                                long before = committed.getOrDefault(p, 0L);
                                assertThat(next).as("commit of partition %d moves backwards", p).isGreaterThanOrEqualTo(before);
                                committed.put(p, next);
                            }
                        }
                    }
                }
            }
            assertLiveOwnersDisjoint(group, clients, topicId);
        }
        // settle: every live client heartbeats a few rounds; then everything is owned exactly once
        boolean anyLive = false;
        for (int round = 0; round < 8; round++) {
            for (Client c : clients) {
                if (c != null && c.started) {
                    heartbeat(group, c, topicId, committed);
                    anyLive = true;
                }
            }
        }
        assertLiveOwnersDisjoint(group, clients, topicId);
        if (anyLive && !group.members.isEmpty()) {
            Set<Integer> union = new HashSet<>();
            for (Client c : clients) {
                if (c != null && c.started && group.members.containsKey(c.id)) {
                    union.addAll(c.owned);
                }
            }
            assertThat(union).as("after settling every partition is owned").hasSize(partitions);
        }
    }

    private static void heartbeat(ConsumerGroup group, Client c, Uuid topicId, Map<Integer, Long> committed) {
        ConsumerGroupHeartbeatRequestData req = new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId(c.id)
                .setMemberEpoch(c.epoch).setRebalanceTimeoutMs(30_000);
        if (c.epoch == 0) {
            req.setSubscribedTopicNames(List.of("t"));
        }
        List<ConsumerGroupHeartbeatRequestData.TopicPartitions> tps = new ArrayList<>();
        if (!c.owned.isEmpty()) {
            tps.add(new ConsumerGroupHeartbeatRequestData.TopicPartitions().setTopicId(topicId).setPartitions(new ArrayList<>(c.owned)));
        }
        req.setTopicPartitions(tps);
        ConsumerGroupHeartbeatResponseData r = group.heartbeat(req, (short) 1, "c", "/h");
        if (r.errorCode() != 0) {
            // fenced or unknown: like the Java consumer, drop everything and rejoin at epoch 0
            c.owned.clear();
            c.epoch = 0;
            return;
        }
        c.epoch = r.memberEpoch();
        if (r.assignment() != null) {
            Set<Integer> next = new TreeSet<>();
            r.assignment().topicPartitions().forEach(tp -> next.addAll(tp.partitions()));
            for (int p : next) {
                if (!c.owned.contains(p)) {
                    c.position.put(p, committed.getOrDefault(p, 0L));
                }
            }
            c.owned = next;
        }
    }

    private static void assertLiveOwnersDisjoint(ConsumerGroup group, Client[] clients, Uuid topicId) {
        Map<Integer, String> owner = new HashMap<>();
        for (Client c : clients) {
            if (c == null || !c.started || !group.members.containsKey(c.id)) {
                continue;
            }
            for (int p : c.owned) {
                String previous = owner.put(p, c.id);
                assertThat(previous).as("partition %d owned by two live members", p).isNull();
            }
        }
        Map<Integer, String> serverOwner = new HashMap<>();
        for (ConsumerMember m : group.members.values()) {
            for (int p : m.assigned.getOrDefault(topicId, Set.of())) {
                assertThat(serverOwner.put(p, m.memberId)).as("coordinator gave partition %d to two members", p).isNull();
            }
        }
    }
}
