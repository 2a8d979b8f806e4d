package dev.brook.broker.group;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * A group speaking the classic protocol (JoinGroup/SyncGroup/Heartbeat/LeaveGroup), where the clients
 * assign partitions: the coordinator only gathers members, picks a leader and a protocol, and relays the
 * leader's assignment.
 *
 * <pre>
 *   Empty ──join──▶ PreparingRebalance ──all joined / timeout──▶ CompletingRebalance ──leader syncs──▶ Stable
 *     ▲                  ▲   │ (nobody left)                            │                                │
 *     └──────────────────┼───┘                                          │ member joins, leaves, expires  │
 *                        └──────────────────────────────────────────────┴────────────────────────────────┘
 * </pre>
 *
 * <p>A new group waits {@code group.initial.rebalance.delay.ms} before its first rebalance, extended while
 * members keep arriving (bounded by the rebalance timeout), so a starting fleet forms one generation
 * instead of many. Static members ({@code group.instance.id}) that come back within their session timeout
 * with the same protocols take over their old identity and assignment without a rebalance.
 *
 * <p>All methods run on the coordinator thread.
 */
final class ClassicGroup extends Group {
    enum State {
        EMPTY("Empty"), PREPARING_REBALANCE("PreparingRebalance"), COMPLETING_REBALANCE("CompletingRebalance"),
        STABLE("Stable"), DEAD("Dead");
        final String apiName;

        State(String apiName) {
            this.apiName = apiName;
        }
    }

    private final GroupTimer timer;
    private final GroupConfig config;
    State state = State.EMPTY;
    int generationId;
    String protocolType;
    String protocolName;
    String leaderId;
    final LinkedHashMap<String, ClassicMember> members = new LinkedHashMap<>();
    final Map<String, String> staticMembers = new HashMap<>();
    private final Map<String, GroupTimer.Timeout> pendingMembers = new HashMap<>();
    private GroupTimer.Timeout rebalanceTimer;
    private boolean initialDelay;
    private final Set<String> joinedDuringDelay = new HashSet<>();

    ClassicGroup(String groupId, GroupTimer timer, GroupConfig config) {
        super(groupId, timer.nowMs());
        this.timer = timer;
        this.config = config;
    }

    @Override
    boolean isEmpty() {
        return members.isEmpty() && pendingMembers.isEmpty();
    }

    @Override
    String stateName() {
        return state.apiName;
    }

    @Override
    String type() {
        return "classic";
    }

    @Override
    String protocolType() {
        return protocolType == null ? "" : protocolType;
    }

    @Override
    boolean subscribedTo(String topic) {
        if (!"consumer".equals(protocolType) || protocolName == null) {
            return !members.isEmpty();
        }
        for (ClassicMember m : members.values()) {
            try {
                var subscription = org.apache.kafka.clients.consumer.internals.ConsumerProtocol
                        .deserializeSubscription(java.nio.ByteBuffer.wrap(m.metadataFor(protocolName)));
                if (subscription.topics().contains(topic)) {
                    return true;
                }
            } catch (RuntimeException e) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- join

    /** Handles JoinGroup; the future completes when the rebalance it takes part in completes. */
    CompletableFuture<JoinGroupResponseData> join(String memberId, String instanceId, String clientId, String clientHost,
                                                  int sessionTimeoutMs, int rebalanceTimeoutMs, String type,
                                                  List<ClassicMember.Protocol> protocols, short version) {
        if (state == State.DEAD) {
            return joinError(memberId, Errors.COORDINATOR_NOT_AVAILABLE);
        }
        if (!supports(type, protocols)) {
            return joinError(memberId, Errors.INCONSISTENT_GROUP_PROTOCOL);
        }
        if (memberId.isEmpty()) {
            if (members.size() + pendingMembers.size() >= config.maxGroupSize()) {
                return joinError(memberId, Errors.GROUP_MAX_SIZE_REACHED);
            }
            String newId = (clientId == null ? "" : clientId) + "-" + org.apache.kafka.common.Uuid.randomUuid();
            if (instanceId != null) {
                String oldId = staticMembers.get(instanceId);
                if (oldId != null && members.containsKey(oldId)) {
                    return rejoinStatic(members.get(oldId), newId, clientId, clientHost, sessionTimeoutMs, rebalanceTimeoutMs, protocols, version);
                }
                return addAndRebalance(newId, instanceId, clientId, clientHost, sessionTimeoutMs, rebalanceTimeoutMs, type, protocols, version);
            }
            if (version >= 4) {
                pendingMembers.put(newId, timer.schedule(sessionTimeoutMs, () -> expirePending(newId)));
                return CompletableFuture.completedFuture(new JoinGroupResponseData()
                        .setErrorCode(Errors.MEMBER_ID_REQUIRED.code()).setMemberId(newId).setGenerationId(-1)
                        .setProtocolName(version >= 7 ? null : "").setLeader(""));
            }
            return addAndRebalance(newId, null, clientId, clientHost, sessionTimeoutMs, rebalanceTimeoutMs, type, protocols, version);
        }
        GroupTimer.Timeout pending = pendingMembers.remove(memberId);
        if (pending != null) {
            pending.cancel();
            return addAndRebalance(memberId, instanceId, clientId, clientHost, sessionTimeoutMs, rebalanceTimeoutMs, type, protocols, version);
        }
        ClassicMember member = members.get(memberId);
        Errors fenced = checkStatic(memberId, instanceId);
        if (fenced != Errors.NONE) {
            return joinError(memberId, fenced);
        }
        if (member == null) {
            return joinError(memberId, Errors.UNKNOWN_MEMBER_ID);
        }
        CompletableFuture<JoinGroupResponseData> result = new CompletableFuture<>();
        switch (state) {
            case PREPARING_REBALANCE -> {
                update(member, sessionTimeoutMs, rebalanceTimeoutMs, protocols);
                park(member, result, version);
                maybeCompleteJoin();
            }
            case COMPLETING_REBALANCE, STABLE -> {
                if (member.sameProtocols(protocols) && !(state == State.STABLE && memberId.equals(leaderId))) {
                    resetSession(member);
                    result.complete(joinResponse(member, version, false));
                } else {
                    update(member, sessionTimeoutMs, rebalanceTimeoutMs, protocols);
                    park(member, result, version);
                    prepareRebalance();
                }
            }
            default -> result.complete(joinErrorData(memberId, Errors.UNKNOWN_MEMBER_ID));
        }
        return result;
    }

    private CompletableFuture<JoinGroupResponseData> rejoinStatic(ClassicMember old, String newId, String clientId,
                                                                  String clientHost, int sessionTimeoutMs,
                                                                  int rebalanceTimeoutMs, List<ClassicMember.Protocol> protocols,
                                                                  short version) {
        ClassicMember replacement = new ClassicMember(newId, old.instanceId, clientId, clientHost, sessionTimeoutMs,
                rebalanceTimeoutMs, protocols);
        replacement.assignment = old.assignment;
        boolean sameProtocols = old.sameProtocols(protocols);
        replaceMember(old, replacement);
        CompletableFuture<JoinGroupResponseData> result = new CompletableFuture<>();
        if (state == State.STABLE && sameProtocols) {
            resetSession(replacement);
            boolean leader = newId.equals(leaderId);
            result.complete(joinResponse(replacement, version, leader && version >= 9));
        } else if (state == State.PREPARING_REBALANCE) {
            park(replacement, result, version);
            maybeCompleteJoin();
        } else {
            park(replacement, result, version);
            prepareRebalance();
        }
        return result;
    }

    private void replaceMember(ClassicMember old, ClassicMember replacement) {
        if (old.session != null) {
            old.session.cancel();
        }
        if (old.pendingJoin != null) {
            old.pendingJoin.complete(joinErrorData(old.memberId, Errors.FENCED_INSTANCE_ID));
        }
        if (old.pendingSync != null) {
            old.pendingSync.complete(new SyncGroupResponseData().setErrorCode(Errors.FENCED_INSTANCE_ID.code()));
        }
        LinkedHashMap<String, ClassicMember> copy = new LinkedHashMap<>(members);
        members.clear();
        copy.forEach((id, m) -> members.put(id.equals(old.memberId) ? replacement.memberId : id, id.equals(old.memberId) ? replacement : m));
        staticMembers.put(replacement.instanceId, replacement.memberId);
        if (old.memberId.equals(leaderId)) {
            leaderId = replacement.memberId;
        }
    }

    private CompletableFuture<JoinGroupResponseData> addAndRebalance(String memberId, String instanceId, String clientId,
                                                                     String clientHost, int sessionTimeoutMs,
                                                                     int rebalanceTimeoutMs, String type,
                                                                     List<ClassicMember.Protocol> protocols, short version) {
        ClassicMember member = new ClassicMember(memberId, instanceId, clientId, clientHost, sessionTimeoutMs,
                rebalanceTimeoutMs, protocols);
        if (members.isEmpty()) {
            protocolType = type;
        }
        members.put(memberId, member);
        if (instanceId != null) {
            staticMembers.put(instanceId, memberId);
        }
        emptySinceMs = -1;
        if (leaderId == null) {
            leaderId = memberId;
        }
        CompletableFuture<JoinGroupResponseData> result = new CompletableFuture<>();
        park(member, result, version);
        if (initialDelay) {
            joinedDuringDelay.add(memberId);
        }
        if (state == State.PREPARING_REBALANCE) {
            maybeCompleteJoin();
        } else {
            prepareRebalance();
        }
        return result;
    }

    private void park(ClassicMember member, CompletableFuture<JoinGroupResponseData> result, short version) {
        if (member.pendingJoin != null && member.pendingJoin != result) {
            member.pendingJoin.complete(joinErrorData(member.memberId, Errors.REBALANCE_IN_PROGRESS));
        }
        member.pendingJoin = result;
        member.joinVersion = version;
        resetSession(member);
    }

    private void update(ClassicMember member, int sessionTimeoutMs, int rebalanceTimeoutMs, List<ClassicMember.Protocol> protocols) {
        member.sessionTimeoutMs = sessionTimeoutMs;
        member.rebalanceTimeoutMs = rebalanceTimeoutMs;
        member.protocols = protocols;
    }

    private boolean supports(String type, List<ClassicMember.Protocol> protocols) {
        if (protocols.isEmpty() || type == null || type.isEmpty()) {
            return false;
        }
        if (members.isEmpty()) {
            return true;
        }
        if (!type.equals(protocolType)) {
            return false;
        }
        Set<String> common = candidateProtocols();
        return protocols.stream().anyMatch(p -> common.contains(p.name()));
    }

    private Set<String> candidateProtocols() {
        Set<String> common = null;
        for (ClassicMember m : members.values()) {
            Set<String> names = new HashSet<>();
            m.protocols.forEach(p -> names.add(p.name()));
            if (common == null) {
                common = names;
            } else {
                common.retainAll(names);
            }
        }
        return common == null ? Set.of() : common;
    }

    // ---------------------------------------------------------------- rebalance

    private void prepareRebalance() {
        if (state == State.COMPLETING_REBALANCE) {
            for (ClassicMember m : members.values()) {
                if (m.pendingSync != null) {
                    m.pendingSync.complete(new SyncGroupResponseData().setErrorCode(Errors.REBALANCE_IN_PROGRESS.code()));
                    m.pendingSync = null;
                }
            }
        }
        cancelRebalanceTimer();
        boolean initial = state == State.EMPTY;
        state = State.PREPARING_REBALANCE;
        int rebalanceTimeout = maxRebalanceTimeout();
        if (initial && config.initialRebalanceDelayMs() > 0) {
            initialDelay = true;
            joinedDuringDelay.clear();
            int delay = Math.min(config.initialRebalanceDelayMs(), rebalanceTimeout);
            scheduleInitialDelay(delay, rebalanceTimeout - delay);
        } else {
            rebalanceTimer = timer.schedule(rebalanceTimeout, this::completeJoin);
            maybeCompleteJoin();
        }
    }

    private void scheduleInitialDelay(int delay, int remaining) {
        rebalanceTimer = timer.schedule(delay, () -> {
            if (!joinedDuringDelay.isEmpty() && remaining > 0) {
                joinedDuringDelay.clear();
                int next = Math.min(config.initialRebalanceDelayMs(), remaining);
                scheduleInitialDelay(next, remaining - next);
            } else {
                initialDelay = false;
                completeJoin();
            }
        });
    }

    private int maxRebalanceTimeout() {
        return members.values().stream().mapToInt(m -> m.rebalanceTimeoutMs).max().orElse(config.minSessionTimeoutMs());
    }

    private void maybeCompleteJoin() {
        if (state != State.PREPARING_REBALANCE || initialDelay || !pendingMembers.isEmpty()) {
            return;
        }
        for (ClassicMember m : members.values()) {
            if (m.pendingJoin == null) {
                return;
            }
        }
        completeJoin();
    }

    private void completeJoin() {
        if (state != State.PREPARING_REBALANCE) {
            return;
        }
        initialDelay = false;
        cancelRebalanceTimer();
        for (ClassicMember m : new ArrayList<>(members.values())) {
            if (m.pendingJoin == null) {
                removeQuietly(m);
            }
        }
        generationId++;
        if (members.isEmpty()) {
            state = State.EMPTY;
            protocolName = null;
            leaderId = null;
            emptySinceMs = timer.nowMs();
            return;
        }
        protocolName = selectProtocol();
        if (leaderId == null || !members.containsKey(leaderId)) {
            leaderId = members.keySet().iterator().next();
        }
        state = State.COMPLETING_REBALANCE;
        for (ClassicMember m : members.values()) {
            CompletableFuture<JoinGroupResponseData> pending = m.pendingJoin;
            m.pendingJoin = null;
            m.assignment = new byte[0];
            resetSession(m);
            pending.complete(joinResponse(m, m.joinVersion, false));
        }
    }

    private String selectProtocol() {
        Set<String> candidates = candidateProtocols();
        Map<String, Integer> votes = new LinkedHashMap<>();
        for (ClassicMember m : members.values()) {
            for (ClassicMember.Protocol p : m.protocols) {
                if (candidates.contains(p.name())) {
                    votes.merge(p.name(), 1, Integer::sum);
                    break;
                }
            }
        }
        return votes.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElseThrow();
    }

    private JoinGroupResponseData joinResponse(ClassicMember member, short version, boolean skipAssignment) {
        JoinGroupResponseData r = new JoinGroupResponseData()
                .setGenerationId(generationId)
                .setProtocolType(protocolType)
                .setProtocolName(protocolName)
                .setLeader(leaderId)
                .setMemberId(member.memberId)
                .setSkipAssignment(skipAssignment);
        if (member.memberId.equals(leaderId)) {
            List<JoinGroupResponseData.JoinGroupResponseMember> list = new ArrayList<>();
            for (ClassicMember m : members.values()) {
                list.add(new JoinGroupResponseData.JoinGroupResponseMember()
                        .setMemberId(m.memberId).setGroupInstanceId(m.instanceId).setMetadata(m.metadataFor(protocolName)));
            }
            r.setMembers(list);
        }
        return r;
    }

    // ---------------------------------------------------------------- sync, heartbeat, leave

    CompletableFuture<SyncGroupResponseData> sync(String memberId, String instanceId, int generation, String type,
                                                  String protocol, Map<String, byte[]> assignments) {
        Errors error = validate(memberId, instanceId, generation);
        if (error == Errors.NONE && ((type != null && !type.equals(protocolType)) || (protocol != null && !protocol.equals(protocolName)))) {
            error = Errors.INCONSISTENT_GROUP_PROTOCOL;
        }
        if (error == Errors.NONE && state == State.PREPARING_REBALANCE) {
            error = Errors.REBALANCE_IN_PROGRESS;
        }
        if (error != Errors.NONE) {
            return CompletableFuture.completedFuture(new SyncGroupResponseData().setErrorCode(error.code()));
        }
        ClassicMember member = members.get(memberId);
        resetSession(member);
        if (state == State.STABLE) {
            return CompletableFuture.completedFuture(syncResponse(member));
        }
        CompletableFuture<SyncGroupResponseData> result = new CompletableFuture<>();
        member.pendingSync = result;
        if (memberId.equals(leaderId)) {
            for (ClassicMember m : members.values()) {
                m.assignment = assignments.getOrDefault(m.memberId, new byte[0]);
            }
            state = State.STABLE;
            for (ClassicMember m : members.values()) {
                if (m.pendingSync != null) {
                    m.pendingSync.complete(syncResponse(m));
                    m.pendingSync = null;
                }
            }
        }
        return result;
    }

    private SyncGroupResponseData syncResponse(ClassicMember m) {
        return new SyncGroupResponseData().setProtocolType(protocolType).setProtocolName(protocolName).setAssignment(m.assignment);
    }

    Errors heartbeat(String memberId, String instanceId, int generation) {
        Errors error = validate(memberId, instanceId, generation);
        if (error != Errors.NONE) {
            return error;
        }
        resetSession(members.get(memberId));
        return state == State.PREPARING_REBALANCE ? Errors.REBALANCE_IN_PROGRESS : Errors.NONE;
    }

    /** Removes one member by ID or static instance ID, as LeaveGroup asks. */
    Errors leave(String memberId, String instanceId) {
        String id = memberId;
        if (instanceId != null) {
            String mapped = staticMembers.get(instanceId);
            if (mapped == null) {
                return Errors.UNKNOWN_MEMBER_ID;
            }
            if (memberId != null && !memberId.isEmpty() && !memberId.equals(mapped)) {
                return Errors.FENCED_INSTANCE_ID;
            }
            id = mapped;
        }
        GroupTimer.Timeout pending = pendingMembers.remove(id);
        if (pending != null) {
            pending.cancel();
            maybeCompleteJoin();
            return Errors.NONE;
        }
        ClassicMember m = members.get(id);
        if (m == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        remove(m);
        return Errors.NONE;
    }

    /** Validates a member's identity and generation; does not look at the state beyond Empty/Dead. */
    Errors validate(String memberId, String instanceId, int generation) {
        Errors fenced = checkStatic(memberId, instanceId);
        if (fenced != Errors.NONE) {
            return fenced;
        }
        if (state == State.EMPTY || state == State.DEAD || !members.containsKey(memberId)) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        return generation == generationId ? Errors.NONE : Errors.ILLEGAL_GENERATION;
    }

    private Errors checkStatic(String memberId, String instanceId) {
        if (instanceId == null) {
            return Errors.NONE;
        }
        String mapped = staticMembers.get(instanceId);
        return mapped != null && !mapped.equals(memberId) ? Errors.FENCED_INSTANCE_ID : Errors.NONE;
    }

    private void resetSession(ClassicMember m) {
        if (m.session != null) {
            m.session.cancel();
        }
        String id = m.memberId;
        m.session = timer.schedule(m.sessionTimeoutMs, () -> expire(id));
    }

    /** Session expiry; a member whose JoinGroup or SyncGroup is parked is waiting on us, so it is kept alive. */
    private void expire(String memberId) {
        ClassicMember m = members.get(memberId);
        if (m == null) {
            return;
        }
        if (m.pendingJoin != null || m.pendingSync != null) {
            resetSession(m);
            return;
        }
        remove(m);
    }

    private void expirePending(String memberId) {
        if (pendingMembers.remove(memberId) != null) {
            maybeCompleteJoin();
        }
    }

    private void remove(ClassicMember m) {
        removeQuietly(m);
        if (m.pendingJoin != null) {
            m.pendingJoin.complete(joinErrorData(m.memberId, Errors.UNKNOWN_MEMBER_ID));
            m.pendingJoin = null;
        }
        if (m.pendingSync != null) {
            m.pendingSync.complete(new SyncGroupResponseData().setErrorCode(Errors.UNKNOWN_MEMBER_ID.code()));
            m.pendingSync = null;
        }
        switch (state) {
            case STABLE, COMPLETING_REBALANCE -> prepareRebalance();
            case PREPARING_REBALANCE -> {
                if (members.isEmpty()) {
                    completeJoin();
                } else {
                    maybeCompleteJoin();
                }
            }
            default -> { }
        }
    }

    private void removeQuietly(ClassicMember m) {
        if (m.session != null) {
            m.session.cancel();
        }
        members.remove(m.memberId);
        if (m.instanceId != null && m.memberId.equals(staticMembers.get(m.instanceId))) {
            staticMembers.remove(m.instanceId);
        }
        if (m.memberId.equals(leaderId)) {
            leaderId = members.isEmpty() ? null : members.keySet().iterator().next();
        }
    }

    private void cancelRebalanceTimer() {
        if (rebalanceTimer != null) {
            rebalanceTimer.cancel();
            rebalanceTimer = null;
        }
    }

    /** Marks the group deleted; any parked request is answered with {@code error}. */
    void kill(Errors error) {
        cancelRebalanceTimer();
        for (ClassicMember m : members.values()) {
            if (m.session != null) {
                m.session.cancel();
            }
        }
        pendingMembers.values().forEach(GroupTimer.Timeout::cancel);
        state = State.DEAD;
    }

    private static CompletableFuture<JoinGroupResponseData> joinError(String memberId, Errors error) {
        return CompletableFuture.completedFuture(joinErrorData(memberId, error));
    }

    private static JoinGroupResponseData joinErrorData(String memberId, Errors error) {
        return new JoinGroupResponseData().setErrorCode(error.code()).setMemberId(memberId == null ? "" : memberId)
                .setGenerationId(-1).setProtocolName(null).setLeader("");
    }

    /** For tests and describe: member ids in join order. */
    List<String> memberIds() {
        return new ArrayList<>(members.keySet());
    }

    @Override
    public String toString() {
        return groupId + " " + state + " generation " + generationId + " members " + members.keySet();
    }
}
