package dev.brook.broker.handler;

import dev.brook.broker.cluster.Topic;
import dev.brook.broker.network.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteTopicsRequest;

/** DeleteTopics, by name or (v6+) by topic ID; the topic's data is gone when the response is sent. */
final class DeleteTopicsHandler implements ApiHandler<DeleteTopicsRequest> {
    private final BrokerNode broker;

    DeleteTopicsHandler(BrokerNode broker) {
        this.broker = broker;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, DeleteTopicsRequest request) {
        DeleteTopicsRequestData data = request.data();
        List<DeleteTopicsRequestData.DeleteTopicState> wanted = new ArrayList<>(data.topics());
        data.topicNames().forEach(n -> wanted.add(new DeleteTopicsRequestData.DeleteTopicState().setName(n).setTopicId(Uuid.ZERO_UUID)));
        DeleteTopicsResponseData response = new DeleteTopicsResponseData();
        for (DeleteTopicsRequestData.DeleteTopicState w : wanted) {
            DeleteTopicsResponseData.DeletableTopicResult result = new DeleteTopicsResponseData.DeletableTopicResult()
                    .setName(w.name()).setTopicId(w.topicId());
            response.responses().add(result);
            Topic topic = w.name() != null ? broker.topics().topic(w.name()) : broker.topics().topic(w.topicId());
            if (topic == null) {
                result.setErrorCode((w.name() == null ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION).code());
                continue;
            }
            result.setName(topic.name()).setTopicId(topic.id());
            try {
                broker.topics().delete(topic.name());
            } catch (ApiException e) {
                result.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage());
            }
        }
        return CompletableFuture.completedFuture(response);
    }
}
