package dev.brook.broker.handler;

import dev.brook.broker.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.CreatePartitionsRequest;

/** CreatePartitions: grows a topic to a larger partition count; the new partitions start empty. */
final class CreatePartitionsHandler implements ApiHandler<CreatePartitionsRequest> {
    private final BrokerNode broker;

    CreatePartitionsHandler(BrokerNode broker) {
        this.broker = broker;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, CreatePartitionsRequest request) {
        CreatePartitionsRequestData data = request.data();
        CreatePartitionsResponseData response = new CreatePartitionsResponseData();
        for (CreatePartitionsRequestData.CreatePartitionsTopic wanted : data.topics()) {
            CreatePartitionsResponseData.CreatePartitionsTopicResult result = new CreatePartitionsResponseData.CreatePartitionsTopicResult()
                    .setName(wanted.name());
            response.results().add(result);
            try {
                if (wanted.assignments() != null) {
                    for (CreatePartitionsRequestData.CreatePartitionsAssignment a : wanted.assignments()) {
                        if (!a.brokerIds().equals(java.util.List.of(broker.nodeId()))) {
                            throw new InvalidReplicaAssignmentException("Assignment " + a.brokerIds() + " names brokers other than " + broker.nodeId());
                        }
                    }
                }
                if (data.validateOnly()) {
                    broker.topics().validateAddPartitions(wanted.name(), wanted.count());
                } else {
                    broker.topics().addPartitions(wanted.name(), wanted.count());
                }
            } catch (ApiException e) {
                result.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage());
            }
        }
        return CompletableFuture.completedFuture(response);
    }
}
