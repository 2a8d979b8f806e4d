package dev.brook.broker.handler;

import dev.brook.broker.cluster.Partition;
import dev.brook.broker.cluster.Topic;
import dev.brook.broker.group.GroupCoordinator;
import dev.brook.broker.network.RequestContext;
import dev.brook.broker.share.SharePartition;
import dev.brook.broker.share.SharePartitions;
import dev.brook.broker.share.ShareSessions;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidRecordStateException;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.ShareAcknowledgeRequestData;
import org.apache.kafka.common.message.ShareAcknowledgeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
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
                widen(groups.shareGroupHeartbeat(r.data(), c.clientId(), host(c))));
        d.register(ApiKeys.SHARE_GROUP_DESCRIBE, (RequestContext c, ShareGroupDescribeRequest r) -> widen(groups.shareGroupDescribe(r.data())));
        d.register(ApiKeys.SHARE_FETCH, new ShareFetchHandler(broker, shares, sessions));
        d.register(ApiKeys.SHARE_ACKNOWLEDGE, (RequestContext c, ShareAcknowledgeRequest r) -> widen(acknowledge(broker, shares, sessions, r.data())));
        d.register(ApiKeys.DESCRIBE_SHARE_GROUP_OFFSETS, (RequestContext c, DescribeShareGroupOffsetsRequest r) ->
                CompletableFuture.completedFuture(describeOffsets(broker, shares, r.data())));
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

    private static CompletableFuture<ApiMessage> widen(CompletableFuture<? extends ApiMessage> f) {
        return f.thenApply(m -> m);
    }

    private static String host(RequestContext c) {
        return c.remote() instanceof InetSocketAddress a && a.getAddress() != null ? "/" + a.getAddress().getHostAddress()
                : String.valueOf(c.remote());
    }
}
