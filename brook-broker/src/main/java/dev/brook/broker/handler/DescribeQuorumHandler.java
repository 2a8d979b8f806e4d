package dev.brook.broker.handler;

import dev.brook.broker.network.RequestContext;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DescribeQuorumRequestData;
import org.apache.kafka.common.message.DescribeQuorumResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeQuorumRequest;

/**
 * DescribeQuorum, for Kafka's MetadataQuorumCommand and Admin.describeMetadataQuorum: Brook is its own single-node
 * quorum, so the answer is one voter, this node, which is the leader (epoch 1), never behind, with no observers. Brook
 * has no metadata log; its high watermark is reported as 0. Only {@code __cluster_metadata} partition 0 exists.
 */
final class DescribeQuorumHandler implements ApiHandler<DescribeQuorumRequest> {
    static final String METADATA_TOPIC = "__cluster_metadata";
    private static final int LEADER_EPOCH = 1;

    private final BrokerNode broker;

    DescribeQuorumHandler(BrokerNode broker) {
        this.broker = broker;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, DescribeQuorumRequest request) {
        DescribeQuorumResponseData response = new DescribeQuorumResponseData();
        long now = System.currentTimeMillis();
        for (DescribeQuorumRequestData.TopicData topic : request.data().topics()) {
            DescribeQuorumResponseData.TopicData t = new DescribeQuorumResponseData.TopicData().setTopicName(topic.topicName());
            response.topics().add(t);
            for (DescribeQuorumRequestData.PartitionData p : topic.partitions()) {
                DescribeQuorumResponseData.PartitionData out = new DescribeQuorumResponseData.PartitionData().setPartitionIndex(p.partitionIndex());
                t.partitions().add(out);
                if (!topic.topicName().equals(METADATA_TOPIC) || p.partitionIndex() != 0) {
                    out.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                            .setErrorMessage("Brook's quorum is " + METADATA_TOPIC + " partition 0");
                    continue;
                }
                out.setLeaderId(broker.nodeId()).setLeaderEpoch(LEADER_EPOCH).setHighWatermark(0)
                        .setCurrentVoters(List.of(new DescribeQuorumResponseData.ReplicaState().setReplicaId(broker.nodeId())
                                .setReplicaDirectoryId(Uuid.ZERO_UUID).setLogEndOffset(0)
                                .setLastFetchTimestamp(now).setLastCaughtUpTimestamp(now)))
                        .setObservers(List.of());
            }
        }
        if (context.apiVersion() >= 2) {
            DescribeQuorumResponseData.Node node = new DescribeQuorumResponseData.Node().setNodeId(broker.nodeId());
            node.listeners().add(new DescribeQuorumResponseData.Listener().setName("PLAINTEXT").setHost(broker.host())
                    .setPort(broker.port()));
            response.nodes().add(node);
        }
        return CompletableFuture.completedFuture(response);
    }
}
