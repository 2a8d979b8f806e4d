package dev.brook.broker.group;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * Random sequences of joins, syncs, heartbeats, leaves, silences and commits against one classic group. The
 * clients behave like Kafka's: the leader assigns partitions round-robin, members own exactly what their
 * last successful SyncGroup gave them and drop everything on an error. Among members of the group's current
 * generation no partition is owned twice, and a committed offset never goes backwards: a member that fell out
 * of the generation can no longer commit.
 */
class ClassicGroupProperties {

    enum Kind { JOIN, SYNC, HEARTBEAT, LEAVE, SILENCE, CONSUME_AND_COMMIT }

    record Step(Kind kind, int client, int amount) {
    }

    @Provide
    Arbitrary<List<Step>> scripts() {
        Arbitrary<Kind> kinds = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(Kind.JOIN)), Tuple.of(4, Arbitraries.just(Kind.SYNC)),
                Tuple.of(6, Arbitraries.just(Kind.HEARTBEAT)), Tuple.of(1, Arbitraries.just(Kind.LEAVE)),
                Tuple.of(3, Arbitraries.just(Kind.SILENCE)), Tuple.of(4, Arbitraries.just(Kind.CONSUME_AND_COMMIT)));
        return Combinators.combine(kinds, Arbitraries.integers().between(0, 3), Arbitraries.integers().between(200, 4_000))
                .as(Step::new).list().ofMinSize(5).ofMaxSize(200);
    }

    static final class Client {
        String memberId = "";
        int generation = -1;
        CompletableFuture<JoinGroupResponseData> join;
        CompletableFuture<SyncGroupResponseData> sync;
        JoinGroupResponseData joined;
        Set<Integer> owned = new TreeSet<>();
        final Map<Integer, Long> position = new HashMap<>();

        void reset() {
            memberId = "";
            generation = -1;
            join = null;
            sync = null;
            joined = null;
            owned = new TreeSet<>();
        }
    }

    @Property(tries = 300)
    void currentMembersNeverShareAPartitionAndCommitsNeverGoBackwards(@ForAll("scripts") List<Step> script,
                                                                       @ForAll @IntRange(min = 1, max = 8) int partitions) {
        ManualGroupTimer timer = new ManualGroupTimer();
        ClassicGroup group = new ClassicGroup("g", timer, GroupConfig.defaults());
        Client[] clients = {new Client(), new Client(), new Client(), new Client()};
        Map<Integer, Long> committed = new HashMap<>();
        for (Step s : script) {
            Client c = clients[s.client()];
            switch (s.kind()) {
                case JOIN -> join(group, c);
                case SYNC -> sync(group, c, partitions, committed);
                case HEARTBEAT -> {
                    if (!c.memberId.isEmpty() && c.generation >= 0) {
                        Errors e = group.heartbeat(c.memberId, null, c.generation);
                        if (e == Errors.REBALANCE_IN_PROGRESS) {
                            join(group, c);
                        } else if (e != Errors.NONE) {
                            c.reset();
                        }
                    }
                }
                case LEAVE -> {
                    if (!c.memberId.isEmpty()) {
                        group.leave(c.memberId, null);
                        c.reset();
                    }
                }
                case SILENCE -> timer.advance(s.amount());
                case CONSUME_AND_COMMIT -> {
                    for (int p : c.owned) {
                        long next = c.position.getOrDefault(p, 0L) + 1 + s.amount() % 7;
                        c.position.put(p, next);
                        Errors e = group.validate(c.memberId, null, c.generation);
                        if (e == Errors.NONE && group.state != ClassicGroup.State.COMPLETING_REBALANCE) {
                            assertThat(next).as("commit of partition %d moves backwards", p)
                                    .isGreaterThanOrEqualTo(committed.getOrDefault(p, 0L));
                            committed.put(p, next);
                        }
                    }
                }
            }
            assertCurrentOwnersDisjoint(group, clients);
        }
    }

    private static void join(ClassicGroup group, Client c) {
        if (c.join != null && !c.join.isDone()) {
            return;
        }
        if (c.memberId.isEmpty()) {
            JoinGroupResponseData first = group.join("", null, "c", "/h", 6_000, 10_000, "consumer", protocols(), (short) 9).join();
            if (first.errorCode() != Errors.MEMBER_ID_REQUIRED.code()) {
                return;
            }
            c.memberId = first.memberId();
        }
        c.owned = new TreeSet<>(); // eager protocol: revoke everything before rejoining
        c.join = group.join(c.memberId, null, "c", "/h", 6_000, 10_000, "consumer", protocols(), (short) 9);
        c.joined = null;
    }

    private static void sync(ClassicGroup group, Client c, int partitions, Map<Integer, Long> committed) {
        if (c.join != null && c.join.isDone() && c.joined == null) {
            JoinGroupResponseData r = c.join.join();
            if (r.errorCode() != 0) {
                c.reset();
                return;
            }
            c.joined = r;
            c.generation = r.generationId();
            Map<String, byte[]> assignments = new HashMap<>();
            if (r.leader().equals(r.memberId())) {
                List<String> ids = new ArrayList<>();
                r.members().forEach(m -> ids.add(m.memberId()));
                for (int i = 0; i < ids.size(); i++) {
                    ByteBuffer b = ByteBuffer.allocate(4 * partitions);
                    int n = 0;
                    for (int p = i; p < partitions; p += ids.size()) {
                        b.putInt(p);
                        n++;
                    }
                    byte[] bytes = new byte[n * 4];
                    b.flip();
                    b.get(bytes);
                    assignments.put(ids.get(i), bytes);
                }
            }
            c.sync = group.sync(c.memberId, null, c.generation, "consumer", r.protocolName(), assignments);
        }
        if (c.sync != null && c.sync.isDone()) {
            SyncGroupResponseData r = c.sync.join();
            c.sync = null;
            if (r.errorCode() != 0) {
                if (r.errorCode() == Errors.REBALANCE_IN_PROGRESS.code()) {
                    c.join = null;
                    join(group, c);
                } else {
                    c.reset();
                }
                return;
            }
            Set<Integer> owned = new TreeSet<>();
            ByteBuffer b = ByteBuffer.wrap(r.assignment());
            while (b.remaining() >= 4) {
                owned.add(b.getInt());
            }
            for (int p : owned) {
                c.position.put(p, committed.getOrDefault(p, 0L)); // a new owner starts from the committed offset
            }
            c.owned = owned;
        }
    }

    private static List<ClassicMember.Protocol> protocols() {
        return List.of(new ClassicMember.Protocol("roundrobin", new byte[0]));
    }

    private static void assertCurrentOwnersDisjoint(ClassicGroup group, Client[] clients) {
        Set<Integer> seen = new HashSet<>();
        for (Client c : clients) {
            if (c.memberId.isEmpty() || c.generation != group.generationId || !group.members.containsKey(c.memberId)) {
                continue;
            }
            for (int p : c.owned) {
                assertThat(seen.add(p)).as("partition %d owned twice in generation %d", p, group.generationId).isTrue();
            }
        }
    }
}
