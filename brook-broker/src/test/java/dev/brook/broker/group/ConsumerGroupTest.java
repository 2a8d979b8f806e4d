package dev.brook.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class ConsumerGroupTest {
    private final ManualGroupTimer timer = new ManualGroupTimer();
    private final GroupConfig config = GroupConfig.defaults();
    private final FixedTopics topics = new FixedTopics().add("t", 6).add("other", 2);
    private final ConsumerGroup group = new ConsumerGroup("g", timer, () -> config, topics);

    /** A client as the Java consumer behaves: it owns what it was last assigned and reports it. */
    final class Client {
        final String id = Uuid.randomUuid().toString();
        final String instanceId;
        int epoch;
        Set<Integer> owned = new TreeSet<>();
        List<String> subscription = List.of("t");
        Errors lastError = Errors.NONE;

        Client(String instanceId) {
            this.instanceId = instanceId;
        }

        ConsumerGroupHeartbeatResponseData heartbeat() {
            ConsumerGroupHeartbeatRequestData req = new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId(id)
                    .setMemberEpoch(epoch).setInstanceId(instanceId).setRebalanceTimeoutMs(30_000);
            if (epoch == 0) {
                req.setSubscribedTopicNames(subscription);
            }
            List<ConsumerGroupHeartbeatRequestData.TopicPartitions> tps = new ArrayList<>();
            if (!owned.isEmpty()) {
                tps.add(new ConsumerGroupHeartbeatRequestData.TopicPartitions().setTopicId(topics.id("t")).setPartitions(new ArrayList<>(owned)));
            }
            req.setTopicPartitions(tps);
            ConsumerGroupHeartbeatResponseData r = group.heartbeat(req, (short) 1, "client", "/127.0.0.1");
            lastError = Errors.forCode(r.errorCode());
            if (r.errorCode() == 0) {
                epoch = r.memberEpoch();
                if (r.assignment() != null) {
                    owned = new TreeSet<>();
                    r.assignment().topicPartitions().forEach(tp -> owned.addAll(tp.partitions()));
                }
            }
            return r;
        }

        void leave(int leaveEpoch) {
            group.heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g").setMemberId(id).setMemberEpoch(leaveEpoch)
                    .setInstanceId(instanceId), (short) 1, "client", "/127.0.0.1");
            owned = new TreeSet<>();
        }
    }

    private static void converge(Client... clients) {
        for (int round = 0; round < 6; round++) {
            for (Client c : clients) {
                c.heartbeat();
            }
        }
    }

    private static void assertDisjointAndComplete(int partitions, Client... clients) {
        Set<Integer> all = new HashSet<>();
        for (Client c : clients) {
            for (int p : c.owned) {
                assertThat(all.add(p)).as("partition %d owned twice", p).isTrue();
            }
        }
        assertThat(all).hasSize(partitions);
    }

    @Test
    void aSingleMemberGetsEveryPartitionOnJoin() {
        Client a = new Client(null);
        ConsumerGroupHeartbeatResponseData r = a.heartbeat();
        assertThat(r.memberEpoch()).isPositive();
        assertThat(a.owned).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(group.state()).isEqualTo(ConsumerGroup.State.STABLE);
    }

    @Test
    void membersShareThePartitionsEvenlyAndNeverOwnOneTwice() {
        Client a = new Client(null);
        Client b = new Client(null);
        Client c = new Client(null);
        a.heartbeat();
        b.heartbeat();
        c.heartbeat();
        converge(a, b, c);
        assertDisjointAndComplete(6, a, b, c);
        assertThat(a.owned).hasSize(2);
        assertThat(b.owned).hasSize(2);
        assertThat(c.owned).hasSize(2);
        assertThat(group.state()).isEqualTo(ConsumerGroup.State.STABLE);
    }

    @Test
    void aMemberMustReleaseBeforeAnotherReceives() {
        Client a = new Client(null);
        a.heartbeat();
        Client b = new Client(null);
        b.heartbeat();
        assertThat(b.owned).as("a still holds everything").isEmpty();
        a.heartbeat();
        assertThat(a.owned).as("a is asked to keep only its half").hasSize(3);
        b.heartbeat();
        assertThat(b.owned).as("not before a confirms the release").isEmpty();
        a.heartbeat();
        b.heartbeat();
        assertThat(b.owned).hasSize(3);
        assertDisjointAndComplete(6, a, b);
    }

    @Test
    void aMemberThatStopsHeartbeatingLosesItsPartitionsToTheSurvivors() {
        Client a = new Client(null);
        Client b = new Client(null);
        a.heartbeat();
        b.heartbeat();
        converge(a, b);
        for (int i = 0; i < 10; i++) {
            timer.advance(config.consumerSessionTimeoutMs() / 5);
            a.heartbeat();
        }
        assertThat(group.members).doesNotContainKey(b.id);
        assertThat(a.owned).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(b.heartbeat().errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
    }

    @Test
    void aStaleEpochIsFenced() {
        Client a = new Client(null);
        a.heartbeat();
        int epoch = a.epoch;
        Client b = new Client(null);
        b.heartbeat();
        converge(a, b);
        assertThat(group.validateOffsetRequest(a.id, epoch - 1)).isEqualTo(Errors.STALE_MEMBER_EPOCH);
        a.epoch = a.epoch + 5;
        assertThat(a.heartbeat().errorCode()).isEqualTo(Errors.FENCED_MEMBER_EPOCH.code());
    }

    @Test
    void aCommitAtTheEpochBeforeTheLastHeartbeatIsAcceptedOnlyForPartitionsStillOwnedSinceThen() {
        Client a = new Client(null);
        a.heartbeat();
        int first = a.epoch;
        Set<Integer> before = new TreeSet<>(a.owned);
        Client b = new Client(null);
        b.heartbeat();
        converge(a, b);
        assertThat(a.epoch).isGreaterThan(first);
        Uuid t = topics.id("t");
        int kept = a.owned.iterator().next();
        int released = b.owned.iterator().next();
        assertThat(before).contains(kept, released);
        // a commit built at the first epoch, arriving after the heartbeat that moved a on (KIP-1251)
        assertThat(group.validateOffsetCommit(a.id, first, t, kept)).isEqualTo(Errors.NONE);
        assertThat(group.validateOffsetCommit(a.id, first, t, released)).as("since released, perhaps owned elsewhere")
                .isEqualTo(Errors.STALE_MEMBER_EPOCH);
        assertThat(group.validateOffsetCommit(a.id, a.epoch + 1, t, kept)).as("an epoch from the future")
                .isEqualTo(Errors.STALE_MEMBER_EPOCH);
        assertThat(group.validateOffsetCommit(a.id, a.epoch, t, released)).as("the current epoch, checked by the epoch alone")
                .isEqualTo(Errors.NONE);
        // b was given its partitions at its current epoch; a commit from before that is fenced
        assertThat(group.validateOffsetCommit(b.id, b.epoch - 1, t, released)).isEqualTo(Errors.STALE_MEMBER_EPOCH);
        assertThat(group.validateOffsetCommit("nobody", first, t, kept)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void aStaticMemberReturningWithinItsSessionTakesBackItsPartitionsWithoutANewAssignment() {
        Client a = new Client("ia");
        Client b = new Client("ib");
        a.heartbeat();
        b.heartbeat();
        converge(a, b);
        Set<Integer> before = new TreeSet<>(b.owned);
        int epoch = group.groupEpoch;
        b.leave(-2);
        timer.advance(config.consumerSessionTimeoutMs() / 2);
        a.heartbeat();
        Client b2 = new Client("ib");
        b2.heartbeat();
        assertThat(b2.owned).isEqualTo(before);
        assertThat(group.groupEpoch).as("no new group epoch").isEqualTo(epoch);
        assertThat(group.state()).isEqualTo(ConsumerGroup.State.STABLE);
    }

    @Test
    void aStaticInstanceStillInUseIsRefused() {
        Client a = new Client("same");
        a.heartbeat();
        Client twin = new Client("same");
        assertThat(twin.heartbeat().errorCode()).isEqualTo(Errors.UNRELEASED_INSTANCE_ID.code());
    }

    @Test
    void growingTheTopicHandsOutTheNewPartitions() {
        Client a = new Client(null);
        a.heartbeat();
        topics.add("t", 8);
        a.heartbeat();
        assertThat(a.owned).hasSize(8);
    }

    @Test
    void aRegexSubscriptionFollowsMatchingTopics() {
        topics.add("orders-eu", 2).add("orders-us", 1);
        ConsumerGroupHeartbeatResponseData r = group.heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g")
                .setMemberId("m1").setMemberEpoch(0).setRebalanceTimeoutMs(30_000).setSubscribedTopicRegex("orders-.*")
                .setTopicPartitions(List.of()), (short) 1, "c", "/h");
        int total = r.assignment().topicPartitions().stream().mapToInt(tp -> tp.partitions().size()).sum();
        assertThat(total).isEqualTo(3);
    }

    @Test
    void unknownAssignorsAreRefused() {
        ConsumerGroupHeartbeatResponseData r = group.heartbeat(new ConsumerGroupHeartbeatRequestData().setGroupId("g")
                .setMemberId("m").setMemberEpoch(0).setRebalanceTimeoutMs(1).setSubscribedTopicNames(List.of("t"))
                .setServerAssignor("sticky-ish").setTopicPartitions(List.of()), (short) 1, "c", "/h");
        assertThat(r.errorCode()).isEqualTo(Errors.UNSUPPORTED_ASSIGNOR.code());
    }
}
