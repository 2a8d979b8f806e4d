package dev.brook.broker.handler;

import dev.brook.broker.cluster.Topic;
import dev.brook.broker.network.RequestContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreateTopicsRequest;

/**
 * CreateTopics: validates name, partition count, replication factor (1, or -1 for the default, on one
 * broker), manual assignments (only this broker) and configs, then creates each topic durably with a new
 * topic ID. {@code validate_only} answers as if created. v5+ responses carry the topic's full config.
 */
final class CreateTopicsHandler implements ApiHandler<CreateTopicsRequest> {
    private final BrokerNode broker;
    private final ConfigView view;

    CreateTopicsHandler(BrokerNode broker) {
        this.broker = broker;
        this.view = new ConfigView(broker.config());
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, CreateTopicsRequest request) {
        CreateTopicsRequestData data = request.data();
        CreateTopicsResponseData response = new CreateTopicsResponseData();
        Map<String, Integer> seen = new LinkedHashMap<>();
        data.topics().forEach(t -> seen.merge(t.name(), 1, Integer::sum));
        for (CreateTopicsRequestData.CreatableTopic wanted : data.topics()) {
            CreateTopicsResponseData.CreatableTopicResult result = new CreateTopicsResponseData.CreatableTopicResult()
                    .setName(wanted.name()).setTopicId(Uuid.ZERO_UUID).setNumPartitions(-1).setReplicationFactor((short) -1);
            response.topics().add(result);
            try {
                if (seen.get(wanted.name()) > 1) {
                    throw new InvalidRequestException("Topic " + wanted.name() + " appears more than once in the request");
                }
                create(wanted, data.validateOnly(), result, context.apiVersion());
            } catch (ApiException e) {
                result.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage());
            }
        }
        return CompletableFuture.completedFuture(response);
    }

    private void create(CreateTopicsRequestData.CreatableTopic wanted, boolean validateOnly,
                        CreateTopicsResponseData.CreatableTopicResult result, short version) {
        int partitions = wanted.numPartitions();
        if (!wanted.assignments().isEmpty()) {
            if (partitions != -1 || wanted.replicationFactor() != -1) {
                throw new InvalidRequestException("Give either a replica assignment or partitions and replication factor, not both");
            }
            for (CreateTopicsRequestData.CreatableReplicaAssignment a : wanted.assignments()) {
                if (!a.brokerIds().equals(java.util.List.of(broker.nodeId()))) {
                    throw new InvalidReplicaAssignmentException("Partition " + a.partitionIndex() + " is assigned to brokers "
                            + a.brokerIds() + "; this cluster has only broker " + broker.nodeId());
                }
            }
            partitions = wanted.assignments().size();
        }
        if (partitions == -1) {
            partitions = broker.config().current().defaultPartitions();
        }
        short rf = wanted.replicationFactor();
        if (rf != -1 && rf != 1) {
            throw new InvalidReplicationFactorException("Replication factor " + rf + " is larger than the 1 broker in this cluster");
        }
        Map<String, String> configs = new LinkedHashMap<>();
        wanted.configs().forEach(c -> configs.put(c.name(), c.value()));
        Topic topic;
        if (validateOnly) {
            broker.topics().validateCreate(wanted.name(), partitions, configs);
            topic = new Topic(wanted.name(), Uuid.ZERO_UUID, java.util.List.of(), broker.topics().storedConfigs(wanted.name(), configs));
        } else {
            topic = broker.topics().create(wanted.name(), partitions, configs);
        }
        result.setTopicId(topic.id()).setNumPartitions(partitions).setReplicationFactor((short) 1);
        if (version >= 5) {
            for (DescribeConfigsResponseData.DescribeConfigsResourceResult c : view.topic(topic, null, false)) {
                result.configs().add(new CreateTopicsResponseData.CreatableTopicConfigs()
                        .setName(c.name()).setValue(c.value()).setReadOnly(c.readOnly())
                        .setConfigSource(c.configSource()).setIsSensitive(c.isSensitive()));
            }
        }
    }
}
