package dev.brook.broker.group;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * A group speaking the KIP-848 consumer protocol: members only heartbeat, and the coordinator computes the
 * assignment itself (server-side assignor) and hands it out incrementally.
 *
 * <p>Epochs: the <em>group epoch</em> rises whenever membership, a subscription or the subscribed topics'
 * partition counts change; the <em>assignment epoch</em> catches up when a new target assignment is computed
 * for that group epoch. Each member then reconciles towards its target in two steps, so no partition is
 * ever owned twice: first it is asked to release partitions no longer its own (its epoch stays), and once a
 * heartbeat confirms they are gone it moves to the new epoch and receives the new partitions that no other
 * member still holds; partitions still held elsewhere follow on later heartbeats, once released.
 *
 * <p>Static members leaving with epoch -2 keep their partitions for the session timeout; a member with the
 * same instance ID joining within it takes them over without a new assignment. All methods run on the
 * coordinator thread.
 */
final class ConsumerGroup extends Group {
    enum State {
        EMPTY("Empty"), ASSIGNING("Assigning"), RECONCILING("Reconciling"), STABLE("Stable");
        final String apiName;

        State(String apiName) {
            this.apiName = apiName;
        }
    }

    private static final int LEAVE = -1;
    private static final int STATIC_LEAVE = -2;

    private final GroupTimer timer;
    /** The group's settings now: the broker's, with the group's own dynamic configs (read at each use). */
    private final Supplier<GroupConfig> configs;
    private final TopicMetadata topics;
    final LinkedHashMap<String, ConsumerMember> members = new LinkedHashMap<>();
    private final Map<String, String> staticMembers = new HashMap<>();
    int groupEpoch;
    int assignmentEpoch;
    String assignor = Assignors.UNIFORM;
    private Map<String, Map<Uuid, Set<Integer>>> target = new HashMap<>();
    private Map<Uuid, Integer> subscribedPartitions = new HashMap<>();

    ConsumerGroup(String groupId, GroupTimer timer, Supplier<GroupConfig> configs, TopicMetadata topics) {
        super(groupId, timer.nowMs());
        this.timer = timer;
        this.configs = configs;
        this.topics = topics;
    }

    @Override
    boolean isEmpty() {
        return members.isEmpty();
    }

    State state() {
        if (members.isEmpty()) {
            return State.EMPTY;
        }
        if (groupEpoch > assignmentEpoch) {
            return State.ASSIGNING;
        }
        for (ConsumerMember m : members.values()) {
            if (m.memberEpoch != assignmentEpoch || !m.revoking.isEmpty()
                    || !m.assigned.equals(target.getOrDefault(m.memberId, Map.of()))) {
                return State.RECONCILING;
            }
        }
        return State.STABLE;
    }

    @Override
    String stateName() {
        return state().apiName;
    }

    @Override
    String type() {
        return "consumer";
    }

    @Override
    String protocolType() {
        return "consumer";
    }

    @Override
    boolean subscribedTo(String topic) {
        return members.values().stream().anyMatch(m -> m.subscribedTopicNames.contains(topic)
                || (m.pattern != null && m.pattern.matcher(topic).matches()));
    }

    /** OffsetFetch (and OffsetCommit, before {@link #validateOffsetCommit}) from a member must name it and its current epoch. */
    Errors validateOffsetRequest(String memberId, int epoch) {
        if (memberId == null || memberId.isEmpty()) {
            return members.isEmpty() && epoch < 0 ? Errors.NONE : Errors.UNKNOWN_MEMBER_ID;
        }
        ConsumerMember m = members.get(memberId);
        if (m == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        return epoch == m.memberEpoch ? Errors.NONE : Errors.STALE_MEMBER_EPOCH;
    }

    /**
     * OffsetCommit of one partition (KIP-1251): the current epoch commits anything; an older epoch, sent before
     * the heartbeat response that moved the member on arrived, commits only a partition the member still owns
     * and was given at or before that epoch. A partition since released, and so perhaps owned elsewhere, stays fenced.
     */
    Errors validateOffsetCommit(String memberId, int epoch, Uuid topicId, int partition) {
        Errors e = validateOffsetRequest(memberId, epoch);
        if (e != Errors.STALE_MEMBER_EPOCH) {
            return e;
        }
        ConsumerMember m = members.get(memberId);
        if (epoch < 0 || epoch > m.memberEpoch || !m.assigned.getOrDefault(topicId, Set.of()).contains(partition)) {
            return e;
        }
        Integer since = m.assignmentEpochs.getOrDefault(topicId, Map.of()).get(partition);
        return since != null && since <= epoch ? Errors.NONE : e;
    }

    // ---------------------------------------------------------------- heartbeat

    ConsumerGroupHeartbeatResponseData heartbeat(ConsumerGroupHeartbeatRequestData req, short version, String clientId,
                                                String clientHost) {
        String memberId = req.memberId() == null ? "" : req.memberId();
        int epoch = req.memberEpoch();
        if (memberId.isEmpty()) {
            if (version == 0 && epoch == 0) {
                memberId = Uuid.randomUuid().toString();
            } else {
                return error(Errors.INVALID_REQUEST, "MemberId can't be empty.");
            }
        }
        if (req.serverAssignor() != null && !Assignors.known(req.serverAssignor())) {
            return error(Errors.UNSUPPORTED_ASSIGNOR, "Assignor " + req.serverAssignor() + " is not supported; use uniform or range.");
        }
        if (epoch == LEAVE || epoch == STATIC_LEAVE) {
            return leave(memberId, epoch);
        }
        ConsumerMember member;
        boolean changed = false;
        if (epoch == 0) {
            if (req.subscribedTopicNames() == null && req.subscribedTopicRegex() == null) {
                return error(Errors.INVALID_REQUEST, "SubscribedTopicNames or SubscribedTopicRegex must be set in first request.");
            }
            if (req.rebalanceTimeoutMs() <= 0) {
                return error(Errors.INVALID_REQUEST, "RebalanceTimeoutMs must be provided in first request.");
            }
            member = members.get(memberId);
            if (req.instanceId() != null) {
                String holder = staticMembers.get(req.instanceId());
                ConsumerMember previous = holder == null ? null : members.get(holder);
                if (previous != null && !previous.memberId.equals(memberId)) {
                    if (!previous.leftTemporarily) {
                        return error(Errors.UNRELEASED_INSTANCE_ID, "Static member " + req.instanceId() + " is still in use by " + holder);
                    }
                    member = takeOver(previous, memberId);
                }
            }
            if (member == null) {
                if (members.size() >= configs.get().maxGroupSize()) {
                    return error(Errors.GROUP_MAX_SIZE_REACHED, "The group is full.");
                }
                member = new ConsumerMember(memberId, req.instanceId());
                members.put(memberId, member);
                if (req.instanceId() != null) {
                    staticMembers.put(req.instanceId(), memberId);
                }
                changed = true;
                emptySinceMs = -1;
            } else if (member.memberEpoch != 0 && !member.leftTemporarily && member.lastSent != null && req.instanceId() == null) {
                // a known member starting over: it holds nothing any more
                member.assigned = new HashMap<>();
                member.revoking = new HashMap<>();
                member.assignmentEpochs = new HashMap<>();
                changed = true;
            }
            member.leftTemporarily = false;
            member.lastSent = null;
        } else {
            member = members.get(memberId);
            if (member == null) {
                return error(Errors.UNKNOWN_MEMBER_ID, "Member " + memberId + " is not in group " + groupId);
            }
            if (epoch != member.memberEpoch) {
                Map<Uuid, Set<Integer>> owned = owned(req);
                boolean lostResponse = epoch == member.previousMemberEpoch && owned != null && contains(member.assigned, owned);
                if (!lostResponse) {
                    return error(Errors.FENCED_MEMBER_EPOCH, "Member epoch " + epoch + " is not the current " + member.memberEpoch);
                }
            }
        }
        member.clientId = clientId;
        member.clientHost = clientHost;
        if (req.rackId() != null) {
            member.rackId = req.rackId();
        }
        if (req.rebalanceTimeoutMs() > 0) {
            member.rebalanceTimeoutMs = req.rebalanceTimeoutMs();
        }
        if (req.serverAssignor() != null && !req.serverAssignor().equals(assignor)) {
            assignor = req.serverAssignor();
            changed = true;
        }
        if (req.subscribedTopicNames() != null && !req.subscribedTopicNames().equals(member.subscribedTopicNames)) {
            member.subscribedTopicNames = List.copyOf(req.subscribedTopicNames());
            changed = true;
        }
        if (req.subscribedTopicRegex() != null && !req.subscribedTopicRegex().equals(member.subscribedTopicRegex)) {
            if (req.subscribedTopicRegex().isEmpty()) {
                member.subscribedTopicRegex = null;
                member.pattern = null;
            } else {
                try {
                    member.pattern = Pattern.compile(req.subscribedTopicRegex());
                } catch (PatternSyntaxException e) {
                    return error(Errors.INVALID_REGULAR_EXPRESSION, e.getMessage());
                }
                member.subscribedTopicRegex = req.subscribedTopicRegex();
            }
            changed = true;
        }
        Map<Uuid, Set<Integer>> owned = owned(req);
        if (owned != null && !member.revoking.isEmpty() && !intersects(owned, member.revoking)) {
            remove(member.assigned, member.revoking);
            member.revoking = new HashMap<>();
            if (member.revocationDeadline != null) {
                member.revocationDeadline.cancel();
                member.revocationDeadline = null;
            }
        }
        resetSession(member);
        if (changed) {
            groupEpoch++;
        }
        refreshTarget();
        reconcile(member);
        ConsumerGroupHeartbeatResponseData response = new ConsumerGroupHeartbeatResponseData()
                .setMemberId(memberId).setMemberEpoch(member.memberEpoch)
                .setHeartbeatIntervalMs(configs.get().consumerHeartbeatIntervalMs());
        Map<Uuid, Set<Integer>> toSend = minus(member.assigned, member.revoking);
        if (!toSend.equals(member.lastSent)) {
            member.lastSent = copy(toSend);
            response.setAssignment(new ConsumerGroupHeartbeatResponseData.Assignment().setTopicPartitions(toWire(toSend)));
        }
        return response;
    }

    private ConsumerMember takeOver(ConsumerMember previous, String newId) {
        ConsumerMember m = new ConsumerMember(newId, previous.instanceId);
        m.subscribedTopicNames = previous.subscribedTopicNames;
        m.subscribedTopicRegex = previous.subscribedTopicRegex;
        m.pattern = previous.pattern;
        m.memberEpoch = previous.memberEpoch;
        m.previousMemberEpoch = previous.previousMemberEpoch;
        m.assigned = previous.assigned;
        m.revoking = previous.revoking;
        m.assignmentEpochs = previous.assignmentEpochs;
        m.rebalanceTimeoutMs = previous.rebalanceTimeoutMs;
        cancelTimers(previous);
        LinkedHashMap<String, ConsumerMember> copy = new LinkedHashMap<>(members);
        members.clear();
        copy.forEach((id, x) -> members.put(x == previous ? newId : id, x == previous ? m : x));
        staticMembers.put(m.instanceId, newId);
        Map<Uuid, Set<Integer>> t = target.remove(previous.memberId);
        if (t != null) {
            target.put(newId, t);
        }
        return m;
    }

    private ConsumerGroupHeartbeatResponseData leave(String memberId, int epoch) {
        ConsumerMember member = members.get(memberId);
        if (member == null) {
            return error(Errors.UNKNOWN_MEMBER_ID, "Member " + memberId + " is not in group " + groupId);
        }
        if (epoch == STATIC_LEAVE && member.instanceId != null) {
            member.leftTemporarily = true;
            return new ConsumerGroupHeartbeatResponseData().setMemberId(memberId).setMemberEpoch(STATIC_LEAVE);
        }
        removeMember(member);
        return new ConsumerGroupHeartbeatResponseData().setMemberId(memberId).setMemberEpoch(LEAVE);
    }

    private void removeMember(ConsumerMember member) {
        cancelTimers(member);
        members.remove(member.memberId);
        target.remove(member.memberId);
        if (member.instanceId != null && member.memberId.equals(staticMembers.get(member.instanceId))) {
            staticMembers.remove(member.instanceId);
        }
        groupEpoch++;
        if (members.isEmpty()) {
            emptySinceMs = timer.nowMs();
        }
    }

    private void cancelTimers(ConsumerMember m) {
        if (m.session != null) {
            m.session.cancel();
        }
        if (m.revocationDeadline != null) {
            m.revocationDeadline.cancel();
        }
    }

    private void resetSession(ConsumerMember m) {
        if (m.session != null) {
            m.session.cancel();
        }
        String id = m.memberId;
        m.session = timer.schedule(configs.get().consumerSessionTimeoutMs(), () -> {
            ConsumerMember current = members.get(id);
            if (current == m) {
                removeMember(m);
            }
        });
    }

    // ---------------------------------------------------------------- assignment

    /** Recomputes the target when the group epoch moved or the subscribed topics changed shape. */
    private void refreshTarget() {
        Map<String, Set<Uuid>> subscriptions = new LinkedHashMap<>();
        Map<Uuid, Integer> partitions = new HashMap<>();
        for (ConsumerMember m : members.values()) {
            Set<Uuid> ids = new HashSet<>();
            for (TopicMetadata.Info t : subscribedTopics(m)) {
                ids.add(t.id());
                partitions.put(t.id(), t.partitions());
            }
            subscriptions.put(m.memberId, ids);
        }
        if (!partitions.equals(subscribedPartitions)) {
            subscribedPartitions = partitions;
            groupEpoch = Math.max(groupEpoch, assignmentEpoch + 1);
        }
        if (groupEpoch > assignmentEpoch) {
            target = Assignors.assign(assignor, subscriptions, partitions, target);
            assignmentEpoch = groupEpoch;
        }
    }

    private List<TopicMetadata.Info> subscribedTopics(ConsumerMember m) {
        List<TopicMetadata.Info> out = new ArrayList<>();
        for (String name : m.subscribedTopicNames) {
            TopicMetadata.Info t = topics.byName(name);
            if (t != null) {
                out.add(t);
            }
        }
        if (m.pattern != null) {
            for (TopicMetadata.Info t : topics.all()) {
                if (!org.apache.kafka.common.internals.Topic.isInternal(t.name()) && m.pattern.matcher(t.name()).matches()
                        && !m.subscribedTopicNames.contains(t.name())) {
                    out.add(t);
                }
            }
        }
        return out;
    }

    private void reconcile(ConsumerMember m) {
        Map<Uuid, Set<Integer>> goal = target.getOrDefault(m.memberId, Map.of());
        if (!m.revoking.isEmpty()) {
            return;
        }
        if (m.memberEpoch != assignmentEpoch) {
            Map<Uuid, Set<Integer>> toRevoke = minus(m.assigned, goal);
            if (!toRevoke.isEmpty()) {
                m.revoking = toRevoke;
                String id = m.memberId;
                int deadline = m.rebalanceTimeoutMs > 0 ? m.rebalanceTimeoutMs : configs.get().consumerSessionTimeoutMs();
                m.revocationDeadline = timer.schedule(deadline, () -> {
                    if (members.get(id) == m && !m.revoking.isEmpty()) {
                        removeMember(m);
                    }
                });
                return;
            }
            m.previousMemberEpoch = m.memberEpoch;
            m.memberEpoch = assignmentEpoch;
        }
        Map<Uuid, Set<Integer>> add = minus(goal, m.assigned);
        for (Map.Entry<Uuid, Set<Integer>> e : add.entrySet()) {
            for (int p : e.getValue()) {
                if (!heldByOther(m, e.getKey(), p)) {
                    m.assigned.computeIfAbsent(e.getKey(), k -> new TreeSet<>()).add(p);
                    m.assignmentEpochs.computeIfAbsent(e.getKey(), k -> new HashMap<>()).put(p, m.memberEpoch);
                }
            }
        }
    }

    private boolean heldByOther(ConsumerMember self, Uuid topic, int partition) {
        for (ConsumerMember o : members.values()) {
            if (o != self && o.assigned.getOrDefault(topic, Set.of()).contains(partition)) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- describe

    ConsumerGroupDescribeResponseData.DescribedGroup describe() {
        ConsumerGroupDescribeResponseData.DescribedGroup d = new ConsumerGroupDescribeResponseData.DescribedGroup()
                .setGroupId(groupId).setGroupState(stateName()).setGroupEpoch(groupEpoch).setAssignmentEpoch(assignmentEpoch)
                .setAssignorName(assignor).setAuthorizedOperations(Integer.MIN_VALUE);
        for (ConsumerMember m : members.values()) {
            d.members().add(new ConsumerGroupDescribeResponseData.Member()
                    .setMemberId(m.memberId).setInstanceId(m.instanceId).setRackId(m.rackId)
                    .setMemberEpoch(m.memberEpoch).setClientId(m.clientId == null ? "" : m.clientId)
                    .setClientHost(m.clientHost == null ? "" : m.clientHost)
                    .setSubscribedTopicNames(m.subscribedTopicNames).setSubscribedTopicRegex(m.subscribedTopicRegex)
                    .setAssignment(describeAssignment(minus(m.assigned, m.revoking)))
                    .setTargetAssignment(describeAssignment(target.getOrDefault(m.memberId, Map.of())))
                    .setMemberType((byte) 1));
        }
        return d;
    }

    private ConsumerGroupDescribeResponseData.Assignment describeAssignment(Map<Uuid, Set<Integer>> a) {
        ConsumerGroupDescribeResponseData.Assignment out = new ConsumerGroupDescribeResponseData.Assignment();
        for (Map.Entry<Uuid, Set<Integer>> e : new TreeMap<>(a).entrySet()) {
            TopicMetadata.Info t = topics.byId(e.getKey());
            out.topicPartitions().add(new ConsumerGroupDescribeResponseData.TopicPartitions().setTopicId(e.getKey())
                    .setTopicName(t == null ? "" : t.name()).setPartitions(new ArrayList<>(e.getValue())));
        }
        return out;
    }

    // ---------------------------------------------------------------- helpers

    private static ConsumerGroupHeartbeatResponseData error(Errors e, String message) {
        return new ConsumerGroupHeartbeatResponseData().setErrorCode(e.code()).setErrorMessage(message).setMemberEpoch(-1);
    }

    private static Map<Uuid, Set<Integer>> owned(ConsumerGroupHeartbeatRequestData req) {
        if (req.topicPartitions() == null) {
            return null;
        }
        Map<Uuid, Set<Integer>> out = new HashMap<>();
        for (ConsumerGroupHeartbeatRequestData.TopicPartitions tp : req.topicPartitions()) {
            if (!tp.partitions().isEmpty()) {
                out.computeIfAbsent(tp.topicId(), k -> new TreeSet<>()).addAll(tp.partitions());
            }
        }
        return out;
    }

    private static List<ConsumerGroupHeartbeatResponseData.TopicPartitions> toWire(Map<Uuid, Set<Integer>> a) {
        List<ConsumerGroupHeartbeatResponseData.TopicPartitions> out = new ArrayList<>();
        new TreeMap<>(a).forEach((id, parts) -> out.add(new ConsumerGroupHeartbeatResponseData.TopicPartitions()
                .setTopicId(id).setPartitions(new ArrayList<>(parts))));
        return out;
    }

    static Map<Uuid, Set<Integer>> minus(Map<Uuid, Set<Integer>> a, Map<Uuid, Set<Integer>> b) {
        Map<Uuid, Set<Integer>> out = new HashMap<>();
        a.forEach((t, ps) -> {
            Set<Integer> keep = new TreeSet<>(ps);
            keep.removeAll(b.getOrDefault(t, Set.of()));
            if (!keep.isEmpty()) {
                out.put(t, keep);
            }
        });
        return out;
    }

    private static void remove(Map<Uuid, Set<Integer>> from, Map<Uuid, Set<Integer>> what) {
        what.forEach((t, ps) -> {
            Set<Integer> s = from.get(t);
            if (s != null) {
                s.removeAll(ps);
                if (s.isEmpty()) {
                    from.remove(t);
                }
            }
        });
    }

    private static boolean intersects(Map<Uuid, Set<Integer>> a, Map<Uuid, Set<Integer>> b) {
        for (Map.Entry<Uuid, Set<Integer>> e : a.entrySet()) {
            for (int p : e.getValue()) {
                if (b.getOrDefault(e.getKey(), Set.of()).contains(p)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean contains(Map<Uuid, Set<Integer>> outer, Map<Uuid, Set<Integer>> inner) {
        return minus(inner, outer).isEmpty();
    }

    private static Map<Uuid, Set<Integer>> copy(Map<Uuid, Set<Integer>> a) {
        Map<Uuid, Set<Integer>> out = new HashMap<>();
        a.forEach((t, ps) -> out.put(t, new TreeSet<>(ps)));
        return out;
    }

    /** For tests: the target assignment. */
    Map<String, Map<Uuid, Set<Integer>>> target() {
        return target;
    }

    @Override
    public String toString() {
        return groupId + " epoch " + groupEpoch + "/" + assignmentEpoch + " " + Objects.toString(members.keySet());
    }
}
