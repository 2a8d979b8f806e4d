package dev.brook.broker.handler;

import dev.brook.broker.cluster.Topic;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.message.ListPartitionReassignmentsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterPartitionReassignmentsRequest;
import org.apache.kafka.common.requests.ElectLeadersRequest;
import org.apache.kafka.common.requests.ListPartitionReassignmentsRequest;

/**
 * The replica-placement APIs, as a single-node Kafka answers them, for Kafka's LeaderElectionCommand and
 * ReassignPartitionsCommand and for tools such as Cruise Control: every partition has its one replica on this node, which
 * leads it, so
 * <ul>
 *   <li>ElectLeaders (v0-2): ELECTION_NOT_NEEDED for each partition named (the tools print "Valid replica already
 *       elected"); for all partitions, an empty result, as Kafka's controller gives; UNKNOWN_TOPIC_OR_PARTITION for one
 *       that does not exist;</li>
 *   <li>ListPartitionReassignments (v0): no reassignment is ever in progress;</li>
 *   <li>AlterPartitionReassignments (v0-1): a reassignment to this node alone is already complete; a cancellation finds
 *       NO_REASSIGNMENT_IN_PROGRESS; any other replica set is INVALID_REPLICA_ASSIGNMENT, since there is no other node.</li>
 * </ul>
 */
final class ReplicaApis {
    private ReplicaApis() {
    }

    static void register(BrokerDispatcher d, BrokerNode broker) {
        d.register(ApiKeys.ELECT_LEADERS, (ApiHandler<ElectLeadersRequest>) (context, request) -> {
            ElectLeadersResponseData response = new ElectLeadersResponseData();
            if (request.data().topicPartitions() != null) {
                for (ElectLeadersRequestData.TopicPartitions tp : request.data().topicPartitions()) {
                    ElectLeadersResponseData.ReplicaElectionResult result = new ElectLeadersResponseData.ReplicaElectionResult()
                            .setTopic(tp.topic());
                    response.replicaElectionResults().add(result);
                    Topic topic = broker.topics().topic(tp.topic());
                    for (int p : tp.partitions()) {
                        ElectLeadersResponseData.PartitionResult r = new ElectLeadersResponseData.PartitionResult().setPartitionId(p);
                        if (topic == null || p < 0 || p >= topic.partitions().size()) {
                            r.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                                    .setErrorMessage(topic == null ? "No such topic as " + tp.topic() : "No such partition " + tp.topic() + "-" + p);
                        } else {
                            r.setErrorCode(Errors.ELECTION_NOT_NEEDED.code()).setErrorMessage("Leader election not needed for topic partition");
                        }
                        result.partitionResult().add(r);
                    }
                }
            }
            return CompletableFuture.completedFuture(response);
        });
        d.register(ApiKeys.LIST_PARTITION_REASSIGNMENTS, (ApiHandler<ListPartitionReassignmentsRequest>) (context, request) ->
                CompletableFuture.completedFuture(new ListPartitionReassignmentsResponseData()));
        d.register(ApiKeys.ALTER_PARTITION_REASSIGNMENTS, (ApiHandler<AlterPartitionReassignmentsRequest>) (context, request) -> {
            AlterPartitionReassignmentsResponseData response = new AlterPartitionReassignmentsResponseData();
            for (AlterPartitionReassignmentsRequestData.ReassignableTopic t : request.data().topics()) {
                AlterPartitionReassignmentsResponseData.ReassignableTopicResponse tr =
                        new AlterPartitionReassignmentsResponseData.ReassignableTopicResponse().setName(t.name());
                response.responses().add(tr);
                Topic topic = broker.topics().topic(t.name());
                for (AlterPartitionReassignmentsRequestData.ReassignablePartition p : t.partitions()) {
                    AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse pr =
                            new AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse().setPartitionIndex(p.partitionIndex());
                    tr.partitions().add(pr);
                    if (topic == null || p.partitionIndex() < 0 || p.partitionIndex() >= topic.partitions().size()) {
                        pr.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code()).setErrorMessage("Unable to find partition " + t.name() + "-" + p.partitionIndex());
                    } else if (p.replicas() == null) {
                        pr.setErrorCode(Errors.NO_REASSIGNMENT_IN_PROGRESS.code()).setErrorMessage("No ongoing reassignment for partition "
                                + t.name() + "-" + p.partitionIndex());
                    } else if (!p.replicas().equals(List.of(broker.nodeId()))) {
                        pr.setErrorCode(Errors.INVALID_REPLICA_ASSIGNMENT.code()).setErrorMessage("Brook is a single node: the only replica"
                                + " set is [" + broker.nodeId() + "], not " + p.replicas());
                    }
                }
            }
            return CompletableFuture.completedFuture(response);
        });
    }
}
