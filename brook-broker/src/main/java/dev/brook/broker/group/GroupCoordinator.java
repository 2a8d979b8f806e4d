package dev.brook.broker.group;

import dev.brook.broker.cluster.GroupConfigs;
import dev.brook.broker.cluster.Topic;
import dev.brook.broker.cluster.TopicRegistry;
import dev.brook.log.ThrottledLogger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.ShareGroupDescribeRequestData;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The group coordinator: consumer groups of both Kafka protocols (classic, KIP-848 "consumer"), their
 * committed offsets, and the admin views of them.
 *
 * <p>Threading: every public method may be called from any thread; it hands its work to the
 * {@link GroupTimer}'s single coordinator thread and returns a future. Groups are therefore plain
 * single-threaded state machines. Offset commits are answered once the group log has fsynced them.
 *
 * <p>Durability: committed offsets live in {@link GroupLog} and are replayed at startup; group membership
 * is not persisted — after a restart members find themselves unknown, rejoin, and resume from their
 * committed offsets, as Kafka clients do after a coordinator change.
 */
public final class GroupCoordinator {
    private static final Logger log = LoggerFactory.getLogger(GroupCoordinator.class);
    private static final ThrottledLogger PERSIST_FAILURES = new ThrottledLogger(log, Level.ERROR);
    /** Checks for expired offsets of empty groups this often. */
    static final long EXPIRY_CHECK_INTERVAL_MS = 60_000;

    private final GroupConfig config;
    /** Each group's own dynamic configs (Kafka's GROUP config resource), over {@link #config}; null: none. */
    private final GroupConfigs groupConfigs;
    private final GroupTimer timer;
    private final GroupLog groupLog;
    private final TopicRegistry topics;
    final Map<String, Group> groups = new HashMap<>();
    private final TransactionalOffsets transactional = new TransactionalOffsets();

    GroupCoordinator(GroupConfig config, GroupConfigs groupConfigs, GroupTimer timer, GroupLog groupLog, TopicRegistry topics) {
        this.config = config;
        this.groupConfigs = groupConfigs;
        this.timer = timer;
        this.groupLog = groupLog;
        this.topics = topics;
    }

    /** The internal topic holding committed offsets. */
    public static final String OFFSETS_TOPIC = "__consumer_offsets";

    private AutoCloseable onClose = () -> { };

    /**
     * Opens the coordinator on its own thread: creates {@value #OFFSETS_TOPIC} if needed, replays it, and
     * starts offset expiry.
     */
    public static GroupCoordinator open(GroupConfig config, GroupConfigs groupConfigs, TopicRegistry topics,
                                        dev.brook.log.Flusher flusher) {
        Topic offsetsTopic = topics.topic(OFFSETS_TOPIC);
        if (offsetsTopic == null) {
            offsetsTopic = topics.createInternal(OFFSETS_TOPIC, 1,
                    Map.of("cleanup.policy", "compact", "segment.bytes", String.valueOf(16 * 1024 * 1024)));
        }
        ThreadGroupTimer timer = new ThreadGroupTimer("brook-group-coordinator");
        GroupCoordinator c = start(config, groupConfigs, timer, new GroupLog(offsetsTopic.partition(0), flusher), topics);
        c.onClose = timer;
        return c;
    }

    /** Stops the coordinator thread; parked requests are abandoned (their connections are closing too). */
    public void close() {
        try {
            onClose.close();
        } catch (Exception e) {
            log.warn("Error stopping the group coordinator", e);
        }
    }

    /**
     * Loads committed offsets from the group log (on the coordinator thread) and starts offset expiry.
     */
    public static GroupCoordinator start(GroupConfig config, GroupTimer timer, GroupLog groupLog, TopicRegistry topics) {
        return start(config, null, timer, groupLog, topics);
    }

    /** As {@link #start(GroupConfig, GroupTimer, GroupLog, TopicRegistry)}, with per-group dynamic configs. */
    public static GroupCoordinator start(GroupConfig config, GroupConfigs groupConfigs, GroupTimer timer, GroupLog groupLog,
                                         TopicRegistry topics) {
        GroupCoordinator c = new GroupCoordinator(config, groupConfigs, timer, groupLog, topics);
        c.submit(() -> {
            c.load();
            return CompletableFuture.completedFuture(null);
        }).join();
        c.scheduleExpiry();
        topics.onTopicDeleted(c::topicDeleted);
        return c;
    }

    private void load() {
        groupLog.replay(new GroupLog.Visitor() {
            @Override
            public void offset(String group, TopicPartition tp, CommittedOffset offset) {
                groups.computeIfAbsent(group, id -> new ClassicGroup(id, timer, config)).offsets.put(tp, offset);
            }

            @Override
            public void pendingOffset(long producerId, String group, TopicPartition tp, CommittedOffset offset) {
                transactional.put(producerId, group, tp, offset);
            }

            @Override
            public void pendingResolved(long producerId, String group, TopicPartition tp) {
                transactional.remove(producerId, group, tp);
            }

            @Override
            public void offsetDeleted(String group, TopicPartition tp) {
                Group g = groups.get(group);
                if (g != null) {
                    g.offsets.remove(tp);
                    if (g.offsets.isEmpty() && g.isEmpty()) {
                        groups.remove(group);
                    }
                }
            }
        });
        log.info("Loaded committed offsets of {} groups", groups.size());
    }

    private <T> CompletableFuture<T> submit(Supplier<CompletableFuture<T>> work) {
        return timer.submit(work);
    }

    // ---------------------------------------------------------------- classic protocol

    public CompletableFuture<JoinGroupResponseData> joinGroup(JoinGroupRequestData req, short version, String clientId,
                                                              String clientHost) {
        return submit(() -> {
            String memberId = req.memberId() == null ? "" : req.memberId();
            Errors invalid = Errors.NONE;
            if (req.groupId() == null || req.groupId().isEmpty()) {
                invalid = Errors.INVALID_GROUP_ID;
            } else if (req.sessionTimeoutMs() < config.minSessionTimeoutMs() || req.sessionTimeoutMs() > config.maxSessionTimeoutMs()) {
                invalid = Errors.INVALID_SESSION_TIMEOUT;
            }
            ClassicGroup group = null;
            if (invalid == Errors.NONE) {
                Group existing = groups.get(req.groupId());
                if (existing instanceof ShareGroup) {
                    invalid = Errors.INCONSISTENT_GROUP_PROTOCOL;
                } else if (existing instanceof ConsumerGroup cg) {
                    if (!cg.isEmpty()) {
                        invalid = Errors.INCONSISTENT_GROUP_PROTOCOL;
                    } else {
                        group = convertToClassic(cg);
                    }
                } else if (existing instanceof ClassicGroup cg) {
                    group = cg;
                } else if (memberId.isEmpty()) {
                    group = new ClassicGroup(req.groupId(), timer, config);
                    groups.put(req.groupId(), group);
                } else {
                    invalid = Errors.UNKNOWN_MEMBER_ID;
                }
            }
            if (invalid != Errors.NONE) {
                return CompletableFuture.completedFuture(normalize(new JoinGroupResponseData().setErrorCode(invalid.code())
                        .setMemberId(memberId).setGenerationId(-1).setLeader(""), version));
            }
            List<ClassicMember.Protocol> protocols = new ArrayList<>();
            req.protocols().forEach(p -> protocols.add(new ClassicMember.Protocol(p.name(), p.metadata())));
            int rebalanceTimeout = version >= 1 ? req.rebalanceTimeoutMs() : req.sessionTimeoutMs();
            return group.join(memberId, req.groupInstanceId(), clientId, clientHost, req.sessionTimeoutMs(),
                    rebalanceTimeout, req.protocolType(), protocols, version).thenApply(r -> normalize(r, version));
        });
    }

    private static JoinGroupResponseData normalize(JoinGroupResponseData r, short version) {
        if (version < 7 && r.protocolName() == null) {
            r.setProtocolName("");
        }
        if (version < 7) {
            r.setProtocolType(null);
        }
        return r;
    }

    public CompletableFuture<SyncGroupResponseData> syncGroup(SyncGroupRequestData req, short version) {
        return submit(() -> {
            ClassicGroup group = groups.get(req.groupId()) instanceof ClassicGroup g ? g : null;
            CompletableFuture<SyncGroupResponseData> r;
            if (group == null) {
                r = CompletableFuture.completedFuture(new SyncGroupResponseData().setErrorCode(Errors.UNKNOWN_MEMBER_ID.code()));
            } else {
                Map<String, byte[]> assignments = new HashMap<>();
                req.assignments().forEach(a -> assignments.put(a.memberId(), a.assignment()));
                r = group.sync(req.memberId(), req.groupInstanceId(), req.generationId(), req.protocolType(),
                        req.protocolName(), assignments);
            }
            return r.thenApply(resp -> {
                if (version < 5) {
                    resp.setProtocolType(null).setProtocolName(null);
                }
                return resp;
            });
        });
    }

    public CompletableFuture<HeartbeatResponseData> heartbeat(String groupId, String memberId, String instanceId, int generation) {
        return submit(() -> {
            Errors e = groups.get(groupId) instanceof ClassicGroup g ? g.heartbeat(memberId, instanceId, generation)
                    : Errors.UNKNOWN_MEMBER_ID;
            return CompletableFuture.completedFuture(new HeartbeatResponseData().setErrorCode(e.code()));
        });
    }

    public CompletableFuture<LeaveGroupResponseData> leaveGroup(LeaveGroupRequestData req, short version) {
        return submit(() -> {
            LeaveGroupResponseData response = new LeaveGroupResponseData();
            ClassicGroup group = groups.get(req.groupId()) instanceof ClassicGroup g ? g : null;
            if (version < 3) {
                Errors e = group == null ? Errors.UNKNOWN_MEMBER_ID : group.leave(req.memberId(), null);
                return CompletableFuture.completedFuture(response.setErrorCode(e.code()));
            }
            for (LeaveGroupRequestData.MemberIdentity m : req.members()) {
                Errors e = group == null ? Errors.UNKNOWN_MEMBER_ID : group.leave(m.memberId(), m.groupInstanceId());
                response.members().add(new LeaveGroupResponseData.MemberResponse()
                        .setMemberId(m.memberId()).setGroupInstanceId(m.groupInstanceId()).setErrorCode(e.code()));
            }
            return CompletableFuture.completedFuture(response);
        });
    }

    private ClassicGroup convertToClassic(ConsumerGroup empty) {
        ClassicGroup g = new ClassicGroup(empty.groupId, timer, config);
        g.offsets.putAll(empty.offsets);
        groups.put(g.groupId, g);
        return g;
    }

    private ConsumerGroup convertToConsumer(ClassicGroup empty) {
        ConsumerGroup g = new ConsumerGroup(empty.groupId, timer, configsOf(empty.groupId), TopicMetadata.of(topics));
        g.offsets.putAll(empty.offsets);
        groups.put(g.groupId, g);
        return g;
    }

    // ---------------------------------------------------------------- consumer protocol (KIP-848)

    /** A consumer group's settings, read afresh at each use so a dynamic group config applies at once. */
    private java.util.function.Supplier<GroupConfig> configsOf(String groupId) {
        return groupConfigs == null ? () -> config : () -> groupConfigs.forGroup(groupId, config);
    }

    public CompletableFuture<ConsumerGroupHeartbeatResponseData> consumerGroupHeartbeat(ConsumerGroupHeartbeatRequestData req,
                                                                                        short version, String clientId,
                                                                                        String clientHost) {
        return submit(() -> {
            ConsumerGroupHeartbeatResponseData error = new ConsumerGroupHeartbeatResponseData().setMemberEpoch(-1);
            if (req.groupId() == null || req.groupId().isEmpty()) {
                return CompletableFuture.completedFuture(error.setErrorCode(Errors.INVALID_REQUEST.code())
                        .setErrorMessage("GroupId can't be empty."));
            }
            Group existing = groups.get(req.groupId());
            ConsumerGroup group;
            if (existing instanceof ConsumerGroup cg) {
                group = cg;
            } else if (existing instanceof ShareGroup) {
                return CompletableFuture.completedFuture(error.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code())
                        .setErrorMessage("Group " + req.groupId() + " is not a consumer group."));
            } else if (existing instanceof ClassicGroup cg) {
                if (!cg.isEmpty()) {
                    return CompletableFuture.completedFuture(error.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code())
                            .setErrorMessage("Group " + req.groupId() + " is not a consumer group."));
                }
                group = convertToConsumer(cg);
            } else if (req.memberEpoch() == 0) {
                group = new ConsumerGroup(req.groupId(), timer, configsOf(req.groupId()), TopicMetadata.of(topics));
                groups.put(req.groupId(), group);
            } else {
                return CompletableFuture.completedFuture(error.setErrorCode(Errors.UNKNOWN_MEMBER_ID.code()));
            }
            return CompletableFuture.completedFuture(group.heartbeat(req, version, clientId, clientHost));
        });
    }

    public CompletableFuture<ConsumerGroupDescribeResponseData> consumerGroupDescribe(ConsumerGroupDescribeRequestData req) {
        return submit(() -> {
            ConsumerGroupDescribeResponseData response = new ConsumerGroupDescribeResponseData();
            for (String id : req.groupIds()) {
                Group g = groups.get(id);
                if (g instanceof ConsumerGroup cg) {
                    response.groups().add(cg.describe());
                } else {
                    response.groups().add(new ConsumerGroupDescribeResponseData.DescribedGroup().setGroupId(id)
                            .setErrorCode(Errors.GROUP_ID_NOT_FOUND.code())
                            .setErrorMessage(g == null ? "Group " + id + " not found." : "Group " + id + " is not a consumer group."));
                }
            }
            return CompletableFuture.completedFuture(response);
        });
    }

    // ---------------------------------------------------------------- share groups (KIP-932): membership only

    /** Told the id of each share group DeleteGroups removes, so its share-partition state goes too. */
    private java.util.function.Consumer<String> shareGroupDeleted = id -> { };

    /** Sets what is told of a deleted share group (the share-partition state's owner). */
    public void onShareGroupDeleted(java.util.function.Consumer<String> listener) {
        this.shareGroupDeleted = listener;
    }

    private java.util.function.Supplier<ShareGroup.Settings> shareSettingsOf(String groupId) {
        return () -> {
            Map<String, String> own = groupConfigs == null ? Map.of() : groupConfigs.overrides(groupId);
            return new ShareGroup.Settings(Integer.parseInt(own.getOrDefault("share.heartbeat.interval.ms", "5000")),
                    Integer.parseInt(own.getOrDefault("share.session.timeout.ms", "45000")), 200);
        };
    }

    public CompletableFuture<ShareGroupHeartbeatResponseData> shareGroupHeartbeat(ShareGroupHeartbeatRequestData req, String clientId,
                                                                                  String clientHost) {
        return submit(() -> {
            if (req.groupId() == null || req.groupId().isEmpty()) {
                return CompletableFuture.completedFuture(new ShareGroupHeartbeatResponseData().setMemberEpoch(-1)
                        .setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("GroupId can't be empty."));
            }
            Group existing = groups.get(req.groupId());
            ShareGroup group;
            if (existing instanceof ShareGroup sg) {
                group = sg;
            } else if (existing != null) {
                return CompletableFuture.completedFuture(new ShareGroupHeartbeatResponseData().setMemberEpoch(-1)
                        .setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()).setErrorMessage("Group " + req.groupId() + " is not a share group."));
            } else if (req.memberEpoch() == 0) {
                group = new ShareGroup(req.groupId(), timer, shareSettingsOf(req.groupId()), TopicMetadata.of(topics));
                groups.put(req.groupId(), group);
            } else {
                // membership is not durable: after a restart a member rejoins instead of failing for good
                return CompletableFuture.completedFuture(new ShareGroupHeartbeatResponseData().setMemberEpoch(-1)
                        .setErrorCode(Errors.UNKNOWN_MEMBER_ID.code()).setErrorMessage("Member " + req.memberId() + " is not in group "
                                + req.groupId() + "."));
            }
            return CompletableFuture.completedFuture(group.heartbeat(req, clientId, clientHost));
        });
    }

    public CompletableFuture<ShareGroupDescribeResponseData> shareGroupDescribe(ShareGroupDescribeRequestData req) {
        return submit(() -> {
            ShareGroupDescribeResponseData response = new ShareGroupDescribeResponseData();
            for (String id : req.groupIds()) {
                Group g = groups.get(id);
                if (g instanceof ShareGroup sg) {
                    response.groups().add(sg.describe());
                } else {
                    response.groups().add(new ShareGroupDescribeResponseData.DescribedGroup().setGroupId(id)
                            .setErrorCode(Errors.GROUP_ID_NOT_FOUND.code())
                            .setErrorMessage(g == null ? "Group " + id + " not found." : "Group " + id + " is not a share group."));
                }
            }
            return CompletableFuture.completedFuture(response);
        });
    }

    /**
     * For the share-group offset APIs: NONE if {@code groupId} is an empty share group (created, empty, when absent and
     * {@code create}), GROUP_ID_NOT_FOUND if it is absent or another kind of group, NON_EMPTY_GROUP if it has members.
     */
    public CompletableFuture<Errors> emptyShareGroup(String groupId, boolean create) {
        return submit(() -> {
            Group g = groups.get(groupId);
            if (g == null && create) {
                g = new ShareGroup(groupId, timer, shareSettingsOf(groupId), TopicMetadata.of(topics));
                groups.put(groupId, g);
            }
            Errors e = !(g instanceof ShareGroup) ? Errors.GROUP_ID_NOT_FOUND : g.isEmpty() ? Errors.NONE : Errors.NON_EMPTY_GROUP;
            return CompletableFuture.completedFuture(e);
        });
    }

    /** Makes sure share group {@code groupId} is listed (its share-partition state was found at start). */
    public void shareGroupKnown(String groupId) {
        timer.execute(() -> groups.computeIfAbsent(groupId, id -> new ShareGroup(id, timer, shareSettingsOf(id), TopicMetadata.of(topics))));
    }

    // ---------------------------------------------------------------- offsets

    public CompletableFuture<OffsetCommitResponseData> commitOffsets(OffsetCommitRequestData req, short version) {
        return submit(() -> {
            OffsetCommitResponseData response = new OffsetCommitResponseData();
            Errors groupError = validateCommit(req);
            Map<TopicPartition, CommittedOffset> accepted = new LinkedHashMap<>();
            long now = timer.nowMs();
            for (OffsetCommitRequestData.OffsetCommitRequestTopic t : req.topics()) {
                Topic topic = version >= 10 ? topics.topic(t.topicId()) : topics.topic(t.name());
                OffsetCommitResponseData.OffsetCommitResponseTopic rt = new OffsetCommitResponseData.OffsetCommitResponseTopic()
                        .setName(t.name()).setTopicId(t.topicId());
                response.topics().add(rt);
                for (OffsetCommitRequestData.OffsetCommitRequestPartition p : t.partitions()) {
                    Errors e = groupError;
                    if (e == Errors.STALE_MEMBER_EPOCH && topic != null && groups.get(req.groupId()) instanceof ConsumerGroup cg) {
                        e = cg.validateOffsetCommit(req.memberId(), req.generationIdOrMemberEpoch(), topic.id(), p.partitionIndex());
                    }
                    if (e == Errors.NONE && (topic == null || topic.partition(p.partitionIndex()) == null)) {
                        e = version >= 10 && topic == null ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
                    }
                    if (e == Errors.NONE && p.committedMetadata() != null && p.committedMetadata().length() > config.offsetMetadataMaxBytes()) {
                        e = Errors.OFFSET_METADATA_TOO_LARGE;
                    }
                    if (e == Errors.NONE) {
                        accepted.put(new TopicPartition(topic.name(), p.partitionIndex()),
                                new CommittedOffset(p.committedOffset(), p.committedLeaderEpoch(), p.committedMetadata(), now));
                    }
                    rt.partitions().add(new OffsetCommitResponseData.OffsetCommitResponsePartition()
                            .setPartitionIndex(p.partitionIndex()).setErrorCode(e.code()));
                }
            }
            if (accepted.isEmpty()) {
                return CompletableFuture.completedFuture(response);
            }
            groups.computeIfAbsent(req.groupId(), id -> new ClassicGroup(id, timer, config));
            CompletableFuture<OffsetCommitResponseData> done = new CompletableFuture<>();
            groupLog.appendOffsets(req.groupId(), accepted, now).whenComplete((ok, err) -> timer.execute(() -> {
                if (err != null) {
                    PERSIST_FAILURES.log("offset commit not persisted", "Could not persist offsets of group {}", req.groupId(), err);
                    response.topics().forEach(t -> t.partitions().forEach(p -> {
                        if (p.errorCode() == 0) {
                            p.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code());
                        }
                    }));
                } else {
                    groups.computeIfAbsent(req.groupId(), id -> new ClassicGroup(id, timer, config)).offsets.putAll(accepted);
                }
                done.complete(response);
            }));
            return done;
        });
    }

    private Errors validateCommit(OffsetCommitRequestData req) {
        if (req.groupId() == null || req.groupId().isEmpty()) {
            return Errors.INVALID_GROUP_ID;
        }
        Group g = groups.get(req.groupId());
        boolean anonymous = (req.memberId() == null || req.memberId().isEmpty()) && req.generationIdOrMemberEpoch() < 0;
        if (g == null || (anonymous && g.isEmpty())) {
            return anonymous ? Errors.NONE : Errors.UNKNOWN_MEMBER_ID;
        }
        if (g instanceof ShareGroup) {
            return Errors.GROUP_ID_NOT_FOUND;
        }
        if (anonymous) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        if (g instanceof ClassicGroup cg) {
            Errors e = cg.validate(req.memberId(), req.groupInstanceId(), req.generationIdOrMemberEpoch());
            if (e == Errors.NONE && cg.state == ClassicGroup.State.COMPLETING_REBALANCE) {
                return Errors.REBALANCE_IN_PROGRESS;
            }
            return e;
        }
        return ((ConsumerGroup) g).validateOffsetRequest(req.memberId(), req.generationIdOrMemberEpoch());
    }

    /**
     * TxnOffsetCommit: offsets committed inside producer {@code producerId}'s transaction, which the caller has checked
     * holds this group's offsets partition. Validated as a commit is (a member and generation, if given), made durable as
     * pending, and visible once the transaction commits.
     */
    public CompletableFuture<TxnOffsetCommitResponseData> txnOffsetCommit(TxnOffsetCommitRequestData req, short version) {
        return submit(() -> {
            TxnOffsetCommitResponseData response = new TxnOffsetCommitResponseData();
            boolean anonymous = (req.memberId() == null || req.memberId().isEmpty()) && req.generationIdOrMemberEpoch() < 0;
            Errors groupError = anonymous ? (req.groupId() == null || req.groupId().isEmpty() ? Errors.INVALID_GROUP_ID : Errors.NONE)
                    : validateCommit(new OffsetCommitRequestData().setGroupId(req.groupId()).setMemberId(req.memberId())
                    .setGenerationIdOrMemberEpoch(req.generationIdOrMemberEpoch()).setGroupInstanceId(req.groupInstanceId()));
            if (groupError == Errors.STALE_MEMBER_EPOCH || groupError == Errors.REBALANCE_IN_PROGRESS) {
                groupError = Errors.NONE; // a commit between rebalances (Kafka Streams commits then); the member was found
            }
            Map<TopicPartition, CommittedOffset> accepted = new LinkedHashMap<>();
            long now = timer.nowMs();
            boolean byId = version >= 6;
            for (TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic t : req.topics()) {
                Topic topic = byId ? topics.topic(t.topicId()) : topics.topic(t.name());
                TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic rt = new TxnOffsetCommitResponseData.TxnOffsetCommitResponseTopic()
                        .setName(t.name()).setTopicId(t.topicId());
                response.topics().add(rt);
                for (TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition p : t.partitions()) {
                    Errors e = groupError;
                    if (e == Errors.NONE && (topic == null || topic.partition(p.partitionIndex()) == null)) {
                        e = byId && topic == null ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
                    }
                    if (e == Errors.NONE && p.committedMetadata() != null && p.committedMetadata().length() > config.offsetMetadataMaxBytes()) {
                        e = Errors.OFFSET_METADATA_TOO_LARGE;
                    }
                    if (e == Errors.NONE) {
                        accepted.put(new TopicPartition(topic.name(), p.partitionIndex()),
                                new CommittedOffset(p.committedOffset(), p.committedLeaderEpoch(), p.committedMetadata(), now));
                    }
                    rt.partitions().add(new TxnOffsetCommitResponseData.TxnOffsetCommitResponsePartition()
                            .setPartitionIndex(p.partitionIndex()).setErrorCode(e.code()));
                }
            }
            if (accepted.isEmpty()) {
                return CompletableFuture.completedFuture(response);
            }
            CompletableFuture<TxnOffsetCommitResponseData> done = new CompletableFuture<>();
            groupLog.appendPending(req.producerId(), req.groupId(), accepted, now).whenComplete((ok, err) -> timer.execute(() -> {
                if (err != null) {
                    PERSIST_FAILURES.log("transactional offset commit not persisted", "Could not persist transactional offsets of group {}",
                            req.groupId(), err);
                    response.topics().forEach(t -> t.partitions().forEach(p -> {
                        if (p.errorCode() == 0) {
                            p.setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code());
                        }
                    }));
                } else {
                    transactional.putAll(req.producerId(), req.groupId(), accepted);
                }
                done.complete(response);
            }));
            return done;
        });
    }

    /**
     * The transaction coordinator decided producer {@code producerId}'s transaction: its pending offsets become committed
     * ones (on commit) or are dropped. Visible at once to later requests; completes once durable.
     */
    public CompletableFuture<Void> completeTransaction(long producerId, boolean commit) {
        return submit(() -> {
            Map<String, Map<TopicPartition, CommittedOffset>> pending = transactional.of(producerId);
            if (pending.isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            Map<String, Map<TopicPartition, CommittedOffset>> decided = new LinkedHashMap<>(pending);
            transactional.removeAll(producerId);
            if (commit) {
                decided.forEach((group, offsets) ->
                        groups.computeIfAbsent(group, id -> new ClassicGroup(id, timer, config)).offsets.putAll(offsets));
            }
            return groupLog.resolvePending(producerId, decided, commit, timer.nowMs());
        });
    }

    public CompletableFuture<OffsetFetchResponseData> fetchOffsets(OffsetFetchRequestData req, short version) {
        return submit(() -> {
            OffsetFetchResponseData response = new OffsetFetchResponseData();
            if (version >= 8) {
                for (OffsetFetchRequestData.OffsetFetchRequestGroup g : req.groups()) {
                    response.groups().add(fetchGroup(g, version, req.requireStable()));
                }
                return CompletableFuture.completedFuture(response);
            }
            List<OffsetFetchRequestData.OffsetFetchRequestTopics> wanted = null;
            if (req.topics() != null) {
                wanted = new ArrayList<>();
                for (OffsetFetchRequestData.OffsetFetchRequestTopic t : req.topics()) {
                    wanted.add(new OffsetFetchRequestData.OffsetFetchRequestTopics().setName(t.name()).setPartitionIndexes(t.partitionIndexes()));
                }
            }
            OffsetFetchResponseData.OffsetFetchResponseGroup one = fetchGroup(new OffsetFetchRequestData.OffsetFetchRequestGroup()
                    .setGroupId(req.groupId()).setTopics(wanted).setMemberEpoch(-1), version, req.requireStable());
            response.setErrorCode(one.errorCode());
            for (OffsetFetchResponseData.OffsetFetchResponseTopics t : one.topics()) {
                OffsetFetchResponseData.OffsetFetchResponseTopic rt = new OffsetFetchResponseData.OffsetFetchResponseTopic().setName(t.name());
                for (OffsetFetchResponseData.OffsetFetchResponsePartitions p : t.partitions()) {
                    rt.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartition()
                            .setPartitionIndex(p.partitionIndex()).setCommittedOffset(p.committedOffset())
                            .setCommittedLeaderEpoch(p.committedLeaderEpoch()).setMetadata(p.metadata()).setErrorCode(p.errorCode()));
                }
                response.topics().add(rt);
            }
            return CompletableFuture.completedFuture(response);
        });
    }

    /**
     * One group's committed offsets. With {@code requireStable}, a partition with an offset pending in an open
     * transaction gets UNSTABLE_OFFSET_COMMIT (the consumer retries until the transaction is decided).
     */
    private OffsetFetchResponseData.OffsetFetchResponseGroup fetchGroup(OffsetFetchRequestData.OffsetFetchRequestGroup req, short version,
                                                                       boolean requireStable) {
        OffsetFetchResponseData.OffsetFetchResponseGroup out = new OffsetFetchResponseData.OffsetFetchResponseGroup().setGroupId(req.groupId());
        Group g = groups.get(req.groupId());
        if (g instanceof ConsumerGroup cg && req.memberId() != null) {
            Errors e = cg.validateOffsetRequest(req.memberId(), req.memberEpoch());
            if (e != Errors.NONE) {
                return out.setErrorCode(e.code());
            }
        }
        boolean byId = version >= 10;
        Map<TopicPartition, CommittedOffset> offsets = g == null ? Map.of() : g.offsets;
        if (req.topics() == null && requireStable && transactional.hasPending(req.groupId())) {
            return out.setErrorCode(Errors.UNSTABLE_OFFSET_COMMIT.code());
        }
        if (req.topics() == null) {
            Map<String, OffsetFetchResponseData.OffsetFetchResponseTopics> byTopic = new LinkedHashMap<>();
            offsets.entrySet().stream().sorted(Map.Entry.comparingByKey(java.util.Comparator.comparing(TopicPartition::toString)))
                    .forEach(e -> {
                        Topic topic = topics.topic(e.getKey().topic());
                        if (byId && topic == null) {
                            return;
                        }
                        byTopic.computeIfAbsent(e.getKey().topic(), n -> new OffsetFetchResponseData.OffsetFetchResponseTopics()
                                .setName(byId ? "" : n).setTopicId(topic == null ? Uuid.ZERO_UUID : topic.id()))
                                .partitions().add(partition(e.getKey().partition(), e.getValue()));
                    });
            out.setTopics(new ArrayList<>(byTopic.values()));
            return out;
        }
        for (OffsetFetchRequestData.OffsetFetchRequestTopics t : req.topics()) {
            Topic topic = byId ? topics.topic(t.topicId()) : null;
            String name = byId ? (topic == null ? null : topic.name()) : t.name();
            OffsetFetchResponseData.OffsetFetchResponseTopics rt = new OffsetFetchResponseData.OffsetFetchResponseTopics()
                    .setName(byId ? "" : t.name()).setTopicId(t.topicId());
            for (int p : t.partitionIndexes()) {
                if (byId && name == null) {
                    rt.partitions().add(partition(p, null).setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()));
                } else if (requireStable && transactional.hasPending(req.groupId(), new TopicPartition(name, p))) {
                    rt.partitions().add(partition(p, null).setErrorCode(Errors.UNSTABLE_OFFSET_COMMIT.code()));
                } else {
                    rt.partitions().add(partition(p, offsets.get(new TopicPartition(name, p))));
                }
            }
            out.topics().add(rt);
        }
        return out;
    }

    private static OffsetFetchResponseData.OffsetFetchResponsePartitions partition(int index, CommittedOffset o) {
        return new OffsetFetchResponseData.OffsetFetchResponsePartitions().setPartitionIndex(index)
                .setCommittedOffset(o == null ? -1 : o.offset())
                .setCommittedLeaderEpoch(o == null ? -1 : o.leaderEpoch())
                .setMetadata(o == null || o.metadata() == null ? "" : o.metadata());
    }

    public CompletableFuture<OffsetDeleteResponseData> deleteOffsets(OffsetDeleteRequestData req) {
        return submit(() -> {
            OffsetDeleteResponseData response = new OffsetDeleteResponseData();
            Group g = groups.get(req.groupId());
            if (g == null || g instanceof ShareGroup) {
                return CompletableFuture.completedFuture(response.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()));
            }
            List<TopicPartition> deleted = new ArrayList<>();
            for (OffsetDeleteRequestData.OffsetDeleteRequestTopic t : req.topics()) {
                OffsetDeleteResponseData.OffsetDeleteResponseTopic rt = new OffsetDeleteResponseData.OffsetDeleteResponseTopic().setName(t.name());
                boolean subscribed = !g.isEmpty() && g.subscribedTo(t.name());
                for (OffsetDeleteRequestData.OffsetDeleteRequestPartition p : t.partitions()) {
                    Errors e = subscribed ? Errors.GROUP_SUBSCRIBED_TO_TOPIC : Errors.NONE;
                    if (e == Errors.NONE) {
                        TopicPartition tp = new TopicPartition(t.name(), p.partitionIndex());
                        if (g.offsets.remove(tp) != null) {
                            deleted.add(tp);
                        }
                    }
                    rt.partitions().add(new OffsetDeleteResponseData.OffsetDeleteResponsePartition()
                            .setPartitionIndex(p.partitionIndex()).setErrorCode(e.code()));
                }
                response.topics().add(rt);
            }
            return groupLog.deleteOffsets(req.groupId(), deleted, timer.nowMs()).handle((ok, err) -> response);
        });
    }

    // ---------------------------------------------------------------- admin views

    public CompletableFuture<ListGroupsResponseData> listGroups(ListGroupsRequestData req) {
        return submit(() -> {
            ListGroupsResponseData response = new ListGroupsResponseData();
            for (Group g : groups.values()) {
                if (!req.statesFilter().isEmpty() && req.statesFilter().stream().noneMatch(s -> s.equalsIgnoreCase(g.stateName()))) {
                    continue;
                }
                if (!req.typesFilter().isEmpty() && req.typesFilter().stream().noneMatch(s -> s.equalsIgnoreCase(g.type()))) {
                    continue;
                }
                response.groups().add(new ListGroupsResponseData.ListedGroup().setGroupId(g.groupId)
                        .setProtocolType(g.protocolType()).setGroupState(g.stateName()).setGroupType(g.type()));
            }
            return CompletableFuture.completedFuture(response);
        });
    }

    public CompletableFuture<DescribeGroupsResponseData> describeGroups(List<String> groupIds) {
        return submit(() -> {
            DescribeGroupsResponseData response = new DescribeGroupsResponseData();
            for (String id : groupIds) {
                Group g = groups.get(id);
                DescribeGroupsResponseData.DescribedGroup d = new DescribeGroupsResponseData.DescribedGroup().setGroupId(id)
                        .setAuthorizedOperations(Integer.MIN_VALUE);
                if (g == null) {
                    d.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()).setErrorMessage("Group " + id + " not found.")
                            .setGroupState("Dead").setProtocolType("").setProtocolData("");
                } else if (g instanceof ClassicGroup cg) {
                    d.setGroupState(cg.stateName()).setProtocolType(cg.protocolType())
                            .setProtocolData(cg.state == ClassicGroup.State.STABLE || cg.state == ClassicGroup.State.COMPLETING_REBALANCE
                                    ? cg.protocolName : "");
                    boolean stable = cg.state == ClassicGroup.State.STABLE;
                    for (ClassicMember m : cg.members.values()) {
                        d.members().add(new DescribeGroupsResponseData.DescribedGroupMember()
                                .setMemberId(m.memberId).setGroupInstanceId(m.instanceId)
                                .setClientId(m.clientId).setClientHost(m.clientHost)
                                .setMemberMetadata(stable ? m.metadataFor(cg.protocolName) : new byte[0])
                                .setMemberAssignment(stable ? m.assignment : new byte[0]));
                    }
                } else {
                    d.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()).setErrorMessage("Group " + id + " is not a classic group.")
                            .setGroupState(g.stateName()).setProtocolType(g.protocolType()).setProtocolData("");
                }
                response.groups().add(d);
            }
            return CompletableFuture.completedFuture(response);
        });
    }

    public CompletableFuture<DeleteGroupsResponseData> deleteGroups(List<String> groupIds) {
        return submit(() -> {
            DeleteGroupsResponseData response = new DeleteGroupsResponseData();
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (String id : groupIds) {
                Group g = groups.get(id);
                Errors e = g == null ? Errors.GROUP_ID_NOT_FOUND : !g.isEmpty() ? Errors.NON_EMPTY_GROUP : Errors.NONE;
                if (e == Errors.NONE) {
                    groups.remove(id);
                    if (g instanceof ClassicGroup cg) {
                        cg.kill(Errors.COORDINATOR_NOT_AVAILABLE);
                    }
                    if (g instanceof ShareGroup) {
                        shareGroupDeleted.accept(id);
                    }
                    writes.add(groupLog.deleteOffsets(id, new ArrayList<>(g.offsets.keySet()), timer.nowMs()));
                }
                response.results().add(new DeleteGroupsResponseData.DeletableGroupResult().setGroupId(id).setErrorCode(e.code()));
            }
            return CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).handle((ok, err) -> response);
        });
    }

    // ---------------------------------------------------------------- expiry

    /** A deleted topic takes its committed offsets with it, in every group. */
    void topicDeleted(String topic) {
        timer.execute(() -> {
            for (Group g : groups.values()) {
                List<TopicPartition> gone = g.offsets.keySet().stream().filter(tp -> tp.topic().equals(topic)).toList();
                if (!gone.isEmpty()) {
                    gone.forEach(g.offsets::remove);
                    groupLog.deleteOffsets(g.groupId, gone, timer.nowMs());
                }
            }
        });
    }

    private void scheduleExpiry() {
        timer.schedule(EXPIRY_CHECK_INTERVAL_MS, () -> {
            expireOffsets();
            scheduleExpiry();
        });
    }

    /** Drops the offsets of groups that have been empty longer than {@code offsets.retention.ms}. */
    void expireOffsets() {
        long now = timer.nowMs();
        for (Group g : new ArrayList<>(groups.values())) {
            if (!(g instanceof ShareGroup) && g.isEmpty() && g.emptySinceMs >= 0 && now - g.emptySinceMs >= config.offsetsRetentionMs()) {
                groups.remove(g.groupId);
                groupLog.deleteOffsets(g.groupId, new ArrayList<>(g.offsets.keySet()), now);
                log.info("Expired offsets of group {}, empty since {}", g.groupId, g.emptySinceMs);
            }
        }
    }
}
