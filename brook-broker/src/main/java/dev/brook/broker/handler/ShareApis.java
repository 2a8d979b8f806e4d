package dev.brook.broker.handler;

import dev.brook.broker.cluster.Partition;
import dev.brook.broker.cluster.Topic;
import dev.brook.broker.group.GroupCoordinator;
import dev.brook.broker.network.RequestContext;
import dev.brook.broker.share.SharePartition;
import dev.brook.broker.share.SharePartitions;
import dev.brook.broker.share.ShareSessions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidRecordStateException;
import org.apache.kafka.common.message.AlterShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.AlterShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.ShareAcknowledgeRequestData;
import org.apache.kafka.common.message.ShareAcknowledgeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterShareGroupOffsetsRequest;
import org.apache.kafka.common.requests.DeleteShareGroupOffsetsRequest;
import org.apache.kafka.common.requests.DescribeShareGroupOffsetsRequest;
import org.apache.kafka.common.requests.ShareAcknowledgeRequest;
import org.apache.kafka.common.requests.ShareGroupDescribeRequest;
import org.apache.kafka.common.requests.ShareGroupHeartbeatRequest;

/**
 * The share-group APIs (KIP-932) besides ShareFetch: membership (ShareGroupHeartbeat, ShareGroupDescribe) goes to the
 * {@link GroupCoordinator}, which owns share groups beside the other two kinds; acknowledgements and offsets go to
 * the share-partitions ({@link SharePartitions}) and the members' share sessions.
 */
final class ShareApis {
    private ShareApis() {
    }

    static void register(BrokerDispatcher d, BrokerNode broker, GroupCoordinator groups, SharePartitions shares, ShareSessions sessions) {
        d.register(ApiKeys.SHARE_GROUP_HEARTBEAT, (RequestContext c, ShareGroupHeartbeatRequest r) ->
                GroupApis.widen(groups.shareGroupHeartbeat(r.data(), c.clientId(), GroupApis.host(c))));
        d.register(ApiKeys.SHARE_GROUP_DESCRIBE, (RequestContext c, ShareGroupDescribeRequest r) -> GroupApis.widen(groups.shareGroupDescribe(r.data())));
        d.register(ApiKeys.SHARE_FETCH, new ShareFetchHandler(broker, shares, sessions));
        d.register(ApiKeys.SHARE_ACKNOWLEDGE, (RequestContext c, ShareAcknowledgeRequest r) -> GroupApis.widen(acknowledge(broker, shares, sessions, r.data())));
        d.register(ApiKeys.DESCRIBE_SHARE_GROUP_OFFSETS, (RequestContext c, DescribeShareGroupOffsetsRequest r) ->
                CompletableFuture.completedFuture(describeOffsets(broker, shares, r.data())));
        d.register(ApiKeys.ALTER_SHARE_GROUP_OFFSETS, (RequestContext c, AlterShareGroupOffsetsRequest r) ->
                GroupApis.widen(alterOffsets(broker, groups, shares, r.data())));
        d.register(ApiKeys.DELETE_SHARE_GROUP_OFFSETS, (RequestContext c, DeleteShareGroupOffsetsRequest r) ->
                GroupApis.widen(deleteOffsets(broker, groups, shares, r.data())));
        groups.onShareGroupDeleted(id -> {
            shares.deleteGroup(id);
            sessions.closeGroup(id);
        });
    }

    /** ShareAcknowledge: as the acknowledgements of a ShareFetch, without fetching; epoch -1 closes the session. */
    static CompletableFuture<ShareAcknowledgeResponseData> acknowledge(BrokerNode broker, SharePartitions shares, ShareSessions sessions,
                                                                       ShareAcknowledgeRequestData data) {
        List<CompletableFuture<Void>> durable = new ArrayList<>();
        ShareAcknowledgeResponseData response = acknowledge(broker, shares, sessions, data, durable);
        return CompletableFuture.allOf(durable.toArray(CompletableFuture[]::new)).thenApply(v -> response);
    }

    private static ShareAcknowledgeResponseData acknowledge(BrokerNode broker, SharePartitions shares, ShareSessions sessions,
                                                            ShareAcknowledgeRequestData data, List<CompletableFuture<Void>> durable) {
        String group = data.groupId();
        String member = data.memberId();
        ShareAcknowledgeResponseData response = new ShareAcknowledgeResponseData();
        if (group == null || group.isEmpty() || member == null || member.isEmpty() || member.length() > 36) {
            return response.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("GroupId and MemberId must be set.");
        }
        int epoch = data.shareSessionEpoch();
        if (epoch == 0) {
            return response.setErrorCode(Errors.INVALID_SHARE_SESSION_EPOCH.code())
                    .setErrorMessage("A share session is opened by ShareFetch, not ShareAcknowledge.");
        }
        ShareSessions.Session session = sessions.get(group, member);
        if (session == null) {
            return response.setErrorCode(Errors.SHARE_SESSION_NOT_FOUND.code()).setErrorMessage("No share session for member " + member + ".");
        }
        if (epoch != -1 && !session.advance(epoch)) {
            return response.setErrorCode(Errors.INVALID_SHARE_SESSION_EPOCH.code())
                    .setErrorMessage("The share session epoch " + epoch + " is not the one expected.");
        }
        response.setAcquisitionLockTimeoutMs(shares.settings(group).lockDurationMs());
        for (ShareAcknowledgeRequestData.AcknowledgeTopic t : data.topics()) {
            ShareAcknowledgeResponseData.ShareAcknowledgeTopicResponse rt = new ShareAcknowledgeResponseData.ShareAcknowledgeTopicResponse()
                    .setTopicId(t.topicId());
            response.responses().add(rt);
            Topic topic = broker.topics().topic(t.topicId());
            for (ShareAcknowledgeRequestData.AcknowledgePartition p : t.partitions()) {
                ShareAcknowledgeResponseData.PartitionData pd = new ShareAcknowledgeResponseData.PartitionData().setPartitionIndex(p.partitionIndex())
                        .setCurrentLeader(new ShareAcknowledgeResponseData.LeaderIdAndEpoch().setLeaderId(broker.nodeId())
                                .setLeaderEpoch(Partition.LEADER_EPOCH));
                rt.partitions().add(pd);
                if (topic == null || topic.partition(p.partitionIndex()) == null) {
                    pd.setErrorCode((topic == null ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION).code());
                    continue;
                }
                List<SharePartition.AckBatch> batches = new ArrayList<>();
                for (ShareAcknowledgeRequestData.AcknowledgementBatch b : p.acknowledgementBatches()) {
                    batches.add(new SharePartition.AckBatch(b.firstOffset(), b.lastOffset(), ShareAcknowledgements.types(b.acknowledgeTypes())));
                }
                String invalid = ShareAcknowledgements.validate(batches, data.isRenewAck());
                if (invalid != null) {
                    pd.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage(invalid);
                    continue;
                }
                if (batches.isEmpty()) {
                    continue;
                }
                try {
                    durable.add(shares.acknowledge(group, member, new TopicPartition(topic.name(), p.partitionIndex()), batches));
                } catch (InvalidRecordStateException e) {
                    pd.setErrorCode(Errors.INVALID_RECORD_STATE.code()).setErrorMessage(e.getMessage());
                }
            }
        }
        if (epoch == -1) {
            Set<TopicPartition> held = new LinkedHashSet<>();
            for (TopicIdPartition tip : session.partitions()) {
                Topic topic = broker.topics().topic(tip.topicId());
                if (topic != null) {
                    held.add(new TopicPartition(topic.name(), tip.partition()));
                }
            }
            shares.releaseAll(group, member, held);
            sessions.close(session);
        }
        return response;
    }

    /** DescribeShareGroupOffsets: each share-partition's start offset and lag; -1 where the group has not fetched it. */
    static DescribeShareGroupOffsetsResponseData describeOffsets(BrokerNode broker, SharePartitions shares,
                                                                 DescribeShareGroupOffsetsRequestData data) {
        DescribeShareGroupOffsetsResponseData response = new DescribeShareGroupOffsetsResponseData();
        for (DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup g : data.groups()) {
            DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseGroup rg =
                    new DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseGroup().setGroupId(g.groupId());
            response.groups().add(rg);
            Map<TopicPartition, SharePartition> known = shares.ofGroup(g.groupId());
            List<DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestTopic> wanted = g.topics();
            if (wanted == null) {
                wanted = new ArrayList<>();
                Map<String, List<Integer>> byTopic = new java.util.TreeMap<>();
                known.keySet().forEach(tp -> byTopic.computeIfAbsent(tp.topic(), k -> new ArrayList<>()).add(tp.partition()));
                for (Map.Entry<String, List<Integer>> e : byTopic.entrySet()) {
                    wanted.add(new DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestTopic().setTopicName(e.getKey())
                            .setPartitions(e.getValue()));
                }
            }
            for (DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestTopic t : wanted) {
                Topic topic = broker.topics().topic(t.topicName());
                DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseTopic rt =
                        new DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseTopic().setTopicName(t.topicName())
                                .setTopicId(topic == null ? org.apache.kafka.common.Uuid.ZERO_UUID : topic.id());
                rg.topics().add(rt);
                for (int p : t.partitions()) {
                    DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponsePartition rp =
                            new DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponsePartition().setPartitionIndex(p)
                                    .setStartOffset(-1).setLag(-1);
                    rt.partitions().add(rp);
                    SharePartition sp = known.get(new TopicPartition(t.topicName(), p));
                    Partition partition = topic == null ? null : topic.partition(p);
                    if (sp == null || partition == null) {
                        continue;
                    }
                    synchronized (sp) {
                        long start = sp.startOffset();
                        rp.setStartOffset(start).setLeaderEpoch(0)
                                .setLag(Math.max(0, partition.highWatermark() - start - sp.deliveryCompleteCount()));
                    }
                }
            }
        }
        return response;
    }

    /**
     * AlterShareGroupOffsets: sets the start offset of share-partitions of an empty share group (created if absent),
     * forgetting what was in flight.
     */
    static CompletableFuture<AlterShareGroupOffsetsResponseData> alterOffsets(BrokerNode broker, GroupCoordinator groups, SharePartitions shares,
                                                                              AlterShareGroupOffsetsRequestData data) {
        return groups.emptyShareGroup(data.groupId(), true).thenCompose(error -> {
            AlterShareGroupOffsetsResponseData response = new AlterShareGroupOffsetsResponseData();
            if (error != Errors.NONE) {
                return CompletableFuture.completedFuture(response.setErrorCode(error.code()).setErrorMessage(error == Errors.NON_EMPTY_GROUP
                        ? "The share group has members; stop them before altering its offsets." : "Group " + data.groupId() + " is not a share group."));
            }
            List<CompletableFuture<Void>> durable = new ArrayList<>();
            for (AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestTopic t : data.topics()) {
                Topic topic = broker.topics().topic(t.topicName());
                AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponseTopic rt =
                        new AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponseTopic().setTopicName(t.topicName())
                                .setTopicId(topic == null ? org.apache.kafka.common.Uuid.ZERO_UUID : topic.id());
                response.responses().add(rt);
                for (AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestPartition p : t.partitions()) {
                    AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponsePartition rp =
                            new AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponsePartition().setPartitionIndex(p.partitionIndex());
                    rt.partitions().add(rp);
                    Partition partition = topic == null ? null : topic.partition(p.partitionIndex());
                    if (partition == null) {
                        rp.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()).setErrorMessage("Unknown topic or partition.");
                        continue;
                    }
                    long offset = Math.max(partition.logStartOffset(), Math.min(p.startOffset(), partition.highWatermark()));
                    durable.add(shares.reset(data.groupId(), partition, offset));
                }
            }
            return CompletableFuture.allOf(durable.toArray(CompletableFuture[]::new)).thenApply(v -> response);
        });
    }

    /** DeleteShareGroupOffsets: forgets an empty share group's state on whole topics; it starts again from share.auto.offset.reset. */
    static CompletableFuture<DeleteShareGroupOffsetsResponseData> deleteOffsets(BrokerNode broker, GroupCoordinator groups, SharePartitions shares,
                                                                                DeleteShareGroupOffsetsRequestData data) {
        return groups.emptyShareGroup(data.groupId(), false).thenApply(error -> {
            DeleteShareGroupOffsetsResponseData response = new DeleteShareGroupOffsetsResponseData();
            if (error != Errors.NONE) {
                return response.setErrorCode(error.code()).setErrorMessage(error == Errors.NON_EMPTY_GROUP
                        ? "The share group has members; stop them before deleting its offsets." : "Group " + data.groupId() + " not found.");
            }
            for (DeleteShareGroupOffsetsRequestData.DeleteShareGroupOffsetsRequestTopic t : data.topics()) {
                Topic topic = broker.topics().topic(t.topicName());
                DeleteShareGroupOffsetsResponseData.DeleteShareGroupOffsetsResponseTopic rt =
                        new DeleteShareGroupOffsetsResponseData.DeleteShareGroupOffsetsResponseTopic().setTopicName(t.topicName())
                                .setTopicId(topic == null ? org.apache.kafka.common.Uuid.ZERO_UUID : topic.id());
                response.responses().add(rt);
                if (topic == null) {
                    rt.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()).setErrorMessage("Unknown topic.");
                } else if (!shares.delete(data.groupId(), t.topicName())) {
                    rt.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()).setErrorMessage("There is no offset information to delete.");
                }
            }
            return response;
        });
    }
}
