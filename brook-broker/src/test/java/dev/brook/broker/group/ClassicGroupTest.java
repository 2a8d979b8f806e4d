package dev.brook.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

class ClassicGroupTest {
    private static final short V = 9;
    private static final int SESSION = 10_000;
    private static final int REBALANCE = 30_000;
    private final ManualGroupTimer timer = new ManualGroupTimer();
    private final GroupConfig config = GroupConfig.defaults();
    private final ClassicGroup group = new ClassicGroup("g", timer, config);

    private static List<ClassicMember.Protocol> range(String subscription) {
        return List.of(new ClassicMember.Protocol("range", subscription.getBytes()));
    }

    /** A dynamic member's two-step join (MEMBER_ID_REQUIRED, then join with the id). */
    private CompletableFuture<JoinGroupResponseData> join(String client, String instanceId) {
        JoinGroupResponseData first = group.join("", instanceId, client, "/127.0.0.1", SESSION, REBALANCE, "consumer", range("t"), V).join();
        if (first.errorCode() != Errors.MEMBER_ID_REQUIRED.code()) {
            return CompletableFuture.completedFuture(first);
        }
        return group.join(first.memberId(), instanceId, client, "/127.0.0.1", SESSION, REBALANCE, "consumer", range("t"), V);
    }

    private CompletableFuture<JoinGroupResponseData> rejoin(JoinGroupResponseData prior) {
        return group.join(prior.memberId(), null, "c", "/127.0.0.1", SESSION, REBALANCE, "consumer", range("t"), V);
    }

    @Test
    void aNewMemberMustFirstAskForAMemberId() {
        JoinGroupResponseData r = group.join("", null, "c1", "/h", SESSION, REBALANCE, "consumer", range("t"), V).join();
        assertThat(r.errorCode()).isEqualTo(Errors.MEMBER_ID_REQUIRED.code());
        assertThat(r.memberId()).startsWith("c1-");
    }

    @Test
    void firstRebalanceWaitsTheInitialDelayThenFormsOneGenerationWithALeader() {
        CompletableFuture<JoinGroupResponseData> a = join("a", null);
        CompletableFuture<JoinGroupResponseData> b = join("b", null);
        assertThat(a).isNotDone();
        timer.advance(config.initialRebalanceDelayMs() - 1);
        assertThat(a).isNotDone();
        timer.advance(config.initialRebalanceDelayMs() * 2L);
        assertThat(a).isCompleted();
        JoinGroupResponseData ra = a.join();
        JoinGroupResponseData rb = b.join();
        assertThat(ra.generationId()).isEqualTo(1).isEqualTo(rb.generationId());
        assertThat(ra.protocolName()).isEqualTo("range");
        assertThat(ra.leader()).isEqualTo(ra.memberId()).isEqualTo(rb.leader());
        assertThat(ra.members()).hasSize(2);
        assertThat(rb.members()).as("only the leader sees the members").isEmpty();
        assertThat(group.state).isEqualTo(ClassicGroup.State.COMPLETING_REBALANCE);
    }

    private JoinGroupResponseData[] stableGroupOfTwo() {
        CompletableFuture<JoinGroupResponseData> a = join("a", null);
        CompletableFuture<JoinGroupResponseData> b = join("b", null);
        timer.advance(1000);
        JoinGroupResponseData ra = a.join();
        JoinGroupResponseData rb = b.join();
        CompletableFuture<SyncGroupResponseData> sb = group.sync(rb.memberId(), null, rb.generationId(), "consumer", "range", Map.of());
        assertThat(sb).isNotDone();
        SyncGroupResponseData sa = group.sync(ra.memberId(), null, ra.generationId(), "consumer", "range",
                Map.of(ra.memberId(), new byte[] {1}, rb.memberId(), new byte[] {2})).join();
        assertThat(sa.assignment()).containsExactly(1);
        assertThat(sb.join().assignment()).containsExactly(2);
        assertThat(group.state).isEqualTo(ClassicGroup.State.STABLE);
        return new JoinGroupResponseData[] {ra, rb};
    }

    @Test
    void theLeadersSyncHandsEveryMemberItsAssignment() {
        stableGroupOfTwo();
    }

    @Test
    void aMemberThatStopsHeartbeatingIsRemovedAfterItsSessionTimeoutAndTheOthersRebalance() {
        JoinGroupResponseData[] m = stableGroupOfTwo();
        for (int i = 0; i < 3; i++) {
            timer.advance(SESSION / 4);
            assertThat(group.heartbeat(m[0].memberId(), null, m[0].generationId())).isEqualTo(Errors.NONE);
        }
        assertThat(group.members).containsKey(m[1].memberId());
        timer.advance(SESSION / 4);
        assertThat(group.members).doesNotContainKey(m[1].memberId());
        assertThat(group.state).isEqualTo(ClassicGroup.State.PREPARING_REBALANCE);
        assertThat(group.heartbeat(m[0].memberId(), null, m[0].generationId())).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
        JoinGroupResponseData again = rejoin(m[0]).join();
        assertThat(again.generationId()).isEqualTo(m[0].generationId() + 1);
        assertThat(again.members()).hasSize(1);
    }

    @Test
    void leavingTriggersARebalanceAndOldGenerationsAreRejected() {
        JoinGroupResponseData[] m = stableGroupOfTwo();
        assertThat(group.leave(m[1].memberId(), null)).isEqualTo(Errors.NONE);
        assertThat(group.state).isEqualTo(ClassicGroup.State.PREPARING_REBALANCE);
        JoinGroupResponseData again = rejoin(m[0]).join();
        assertThat(group.heartbeat(m[0].memberId(), null, m[0].generationId())).isEqualTo(Errors.ILLEGAL_GENERATION);
        assertThat(group.validate(m[0].memberId(), null, again.generationId())).isEqualTo(Errors.NONE);
        assertThat(group.heartbeat(m[1].memberId(), null, m[1].generationId())).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    }

    @Test
    void aMemberThatDoesNotRejoinInTimeIsDroppedFromTheNewGeneration() {
        JoinGroupResponseData[] m = stableGroupOfTwo();
        CompletableFuture<JoinGroupResponseData> newcomer = join("c", null);
        assertThat(group.state).isEqualTo(ClassicGroup.State.PREPARING_REBALANCE);
        CompletableFuture<JoinGroupResponseData> a = rejoin(m[0]);
        // b keeps heartbeating but never rejoins: the rebalance timeout drops it
        for (int waited = 0; waited < REBALANCE - 5_000; waited += 5_000) {
            timer.advance(5_000);
            assertThat(group.heartbeat(m[1].memberId(), null, m[1].generationId())).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
            assertThat(a).isNotDone();
        }
        timer.advance(5_000);
        assertThat(a).isCompleted();
        assertThat(newcomer).isCompleted();
        assertThat(group.members).hasSize(2).doesNotContainKey(m[1].memberId());
    }

    @Test
    void aStaticMemberRejoiningWithinItsSessionGetsItsAssignmentBackWithoutARebalance() {
        CompletableFuture<JoinGroupResponseData> a = group.join("", "instance-a", "a", "/h", SESSION, REBALANCE, "consumer", range("t"), V);
        CompletableFuture<JoinGroupResponseData> b = group.join("", "instance-b", "b", "/h", SESSION, REBALANCE, "consumer", range("t"), V);
        timer.advance(1000);
        JoinGroupResponseData ra = a.join();
        JoinGroupResponseData rb = b.join();
        String leader = ra.leader();
        JoinGroupResponseData follower = leader.equals(ra.memberId()) ? rb : ra;
        JoinGroupResponseData lead = leader.equals(ra.memberId()) ? ra : rb;
        group.sync(follower.memberId(), null, follower.generationId(), null, null, Map.of());
        group.sync(lead.memberId(), null, lead.generationId(), null, null,
                Map.of(lead.memberId(), new byte[] {7}, follower.memberId(), new byte[] {9})).join();
        int generation = group.generationId;
        String followerInstance = follower == ra ? "instance-a" : "instance-b";

        // the follower restarts: a new process, same group.instance.id, no LeaveGroup
        timer.advance(SESSION / 2);
        group.heartbeat(lead.memberId(), null, generation);
        JoinGroupResponseData back = group.join("", followerInstance, "a2", "/h", SESSION, REBALANCE, "consumer", range("t"), V).join();
        assertThat(back.errorCode()).isZero();
        assertThat(back.generationId()).as("no new generation").isEqualTo(generation);
        assertThat(group.state).isEqualTo(ClassicGroup.State.STABLE);
        SyncGroupResponseData sync = group.sync(back.memberId(), followerInstance, generation, null, null, Map.of()).join();
        assertThat(sync.assignment()).containsExactly(9);
        assertThat(group.heartbeat(follower.memberId(), followerInstance, generation))
                .as("the old process is fenced").isEqualTo(Errors.FENCED_INSTANCE_ID);
        assertThat(group.heartbeat(lead.memberId(), null, generation)).isEqualTo(Errors.NONE);
    }

    @Test
    void aStaticMemberGoneLongerThanItsSessionIsRemoved() {
        CompletableFuture<JoinGroupResponseData> a = group.join("", "i-a", "a", "/h", SESSION, REBALANCE, "consumer", range("t"), V);
        timer.advance(1000);
        JoinGroupResponseData ra = a.join();
        group.sync(ra.memberId(), null, ra.generationId(), null, null, Map.of(ra.memberId(), new byte[] {1})).join();
        timer.advance(SESSION + 1);
        assertThat(group.members).isEmpty();
        assertThat(group.state).isEqualTo(ClassicGroup.State.EMPTY);
    }

    @Test
    void membersWithNoCommonProtocolAreRejected() {
        stableGroupOfTwo();
        JoinGroupResponseData r = group.join("", null, "x", "/h", SESSION, REBALANCE, "consumer",
                List.of(new ClassicMember.Protocol("roundrobin", new byte[0])), V).join();
        assertThat(r.errorCode()).isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL.code());
    }

    @Test
    void theProtocolMostMembersPreferIsChosen() {
        CompletableFuture<JoinGroupResponseData> a = group.join("", "1", "a", "/h", SESSION, REBALANCE, "consumer",
                List.of(new ClassicMember.Protocol("cooperative-sticky", new byte[0]), new ClassicMember.Protocol("range", new byte[0])), V);
        CompletableFuture<JoinGroupResponseData> b = group.join("", "2", "b", "/h", SESSION, REBALANCE, "consumer",
                List.of(new ClassicMember.Protocol("range", new byte[0]), new ClassicMember.Protocol("cooperative-sticky", new byte[0])), V);
        CompletableFuture<JoinGroupResponseData> c = group.join("", "3", "c", "/h", SESSION, REBALANCE, "consumer",
                List.of(new ClassicMember.Protocol("cooperative-sticky", new byte[0]), new ClassicMember.Protocol("range", new byte[0])), V);
        timer.advance(1000);
        assertThat(a.join().protocolName()).isEqualTo("cooperative-sticky");
        assertThat(b.join().protocolName()).isEqualTo("cooperative-sticky");
        assertThat(c.join().protocolName()).isEqualTo("cooperative-sticky");
    }
}
