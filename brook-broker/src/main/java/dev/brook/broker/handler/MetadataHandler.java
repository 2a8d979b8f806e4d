package dev.brook.broker.handler;

import dev.brook.broker.cluster.Partition;
import dev.brook.broker.cluster.Topic;
import dev.brook.broker.network.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.MetadataRequest;

/**
 * Metadata: this one broker, and the topics asked for (all when the list is null, or empty at v0) with their
 * stable topic IDs. This broker leads every partition at epoch 0 and is the only replica. An unknown topic
 * is created on the spot when the client allows it and {@code auto.create.topics.enable} is on.
 */
final class MetadataHandler implements ApiHandler<MetadataRequest> {
    static final int AUTHORIZED_OPERATIONS_OMITTED = Integer.MIN_VALUE;

    private final BrokerNode broker;

    MetadataHandler(BrokerNode broker) {
        this.broker = broker;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, MetadataRequest request) {
        MetadataRequestData data = request.data();
        short version = context.apiVersion();
        MetadataResponseData response = new MetadataResponseData()
                .setClusterId(broker.identity().clusterId())
                .setControllerId(broker.nodeId())
                .setClusterAuthorizedOperations(AUTHORIZED_OPERATIONS_OMITTED);
        response.brokers().add(new MetadataResponseData.MetadataResponseBroker()
                .setNodeId(broker.nodeId()).setHost(broker.host()).setPort(broker.port()));
        boolean all = data.topics() == null || (version == 0 && data.topics().isEmpty());
        if (all) {
            broker.topics().topics().stream()
                    .sorted((a, b) -> a.name().compareTo(b.name()))
                    .forEach(t -> response.topics().add(describe(t)));
        } else {
            boolean autoCreate = (version < 4 || data.allowAutoTopicCreation()) && broker.config().current().autoCreateTopics();
            for (MetadataRequestData.MetadataRequestTopic wanted : data.topics()) {
                response.topics().add(lookup(wanted, autoCreate));
            }
        }
        return CompletableFuture.completedFuture(response);
    }

    private MetadataResponseData.MetadataResponseTopic lookup(MetadataRequestData.MetadataRequestTopic wanted,
                                                               boolean autoCreate) {
        if (wanted.name() == null || (wanted.name().isEmpty() && !Uuid.ZERO_UUID.equals(wanted.topicId()))) {
            Uuid id = wanted.topicId();
            Topic byId = broker.topics().topic(id);
            return byId != null ? describe(byId) : new MetadataResponseData.MetadataResponseTopic()
                    .setTopicId(id).setErrorCode(Errors.UNKNOWN_TOPIC_ID.code())
                    .setTopicAuthorizedOperations(AUTHORIZED_OPERATIONS_OMITTED);
        }
        Topic topic = broker.topics().topic(wanted.name());
        if (topic == null && autoCreate) {
            try {
                topic = broker.topics().create(wanted.name(), broker.config().current().defaultPartitions(), Map.of());
            } catch (TopicExistsException raced) {
                topic = broker.topics().topic(wanted.name());
            } catch (ApiException e) {
                return error(wanted.name(), Errors.forException(e));
            }
        }
        return topic != null ? describe(topic) : error(wanted.name(), Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }

    private static MetadataResponseData.MetadataResponseTopic error(String name, Errors error) {
        return new MetadataResponseData.MetadataResponseTopic().setName(name).setErrorCode(error.code())
                .setTopicAuthorizedOperations(AUTHORIZED_OPERATIONS_OMITTED);
    }

    private MetadataResponseData.MetadataResponseTopic describe(Topic topic) {
        List<MetadataResponseData.MetadataResponsePartition> partitions = new ArrayList<>(topic.partitions().size());
        List<Integer> replicas = List.of(broker.nodeId());
        for (Partition p : topic.partitions()) {
            partitions.add(new MetadataResponseData.MetadataResponsePartition()
                    .setPartitionIndex(p.topicPartition().partition())
                    .setLeaderId(broker.nodeId())
                    .setLeaderEpoch(Partition.LEADER_EPOCH)
                    .setReplicaNodes(replicas)
                    .setIsrNodes(replicas)
                    .setOfflineReplicas(List.of()));
        }
        return new MetadataResponseData.MetadataResponseTopic()
                .setName(topic.name())
                .setTopicId(topic.id())
                .setIsInternal(org.apache.kafka.common.internals.Topic.isInternal(topic.name()))
                .setPartitions(partitions)
                .setTopicAuthorizedOperations(AUTHORIZED_OPERATIONS_OMITTED);
    }
}
