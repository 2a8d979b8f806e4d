package dev.brook.broker.handler;

import dev.brook.broker.cluster.Topic;
import dev.brook.broker.cluster.TopicConfigs;
import dev.brook.broker.network.RequestContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterConfigsRequest;

/**
 * AlterConfigs, the older API (kafkajs and older tools still use it): the given configs <em>replace</em> all
 * of the resource's overrides.
 */
final class AlterConfigsHandler implements ApiHandler<AlterConfigsRequest> {
    private final BrokerNode broker;

    AlterConfigsHandler(BrokerNode broker) {
        this.broker = broker;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, AlterConfigsRequest request) {
        AlterConfigsRequestData data = request.data();
        AlterConfigsResponseData response = new AlterConfigsResponseData();
        for (AlterConfigsRequestData.AlterConfigsResource resource : data.resources()) {
            AlterConfigsResponseData.AlterConfigsResourceResponse rr = new AlterConfigsResponseData.AlterConfigsResourceResponse()
                    .setResourceType(resource.resourceType()).setResourceName(resource.resourceName());
            response.responses().add(rr);
            Map<String, String> configs = new LinkedHashMap<>();
            resource.configs().forEach(c -> configs.put(c.name(), c.value()));
            try {
                ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
                if (type == ConfigResource.Type.TOPIC) {
                    Topic topic = broker.topics().topic(resource.resourceName());
                    if (topic == null) {
                        throw new UnknownTopicOrPartitionException("Topic " + resource.resourceName() + " does not exist");
                    }
                    String storage = topic.overrides().get(TopicConfigs.STORAGE);
                    if (storage != null) {
                        configs.putIfAbsent(TopicConfigs.STORAGE, storage); // a full replacement keeps what cannot change
                    }
                    TopicAlteration.validate(topic.overrides(), configs);
                    if (!data.validateOnly()) {
                        broker.topics().setConfigs(topic.name(), configs);
                    }
                } else if (type == ConfigResource.Type.BROKER) {
                    broker.config().alter(BrokerResources.scope(resource.resourceName(), broker.nodeId()), configs, data.validateOnly());
                } else {
                    throw new InvalidRequestException("Brook alters TOPIC configs and this broker's configs, not " + type + " " + resource.resourceName());
                }
            } catch (ApiException e) {
                rr.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage());
            }
        }
        return CompletableFuture.completedFuture(response);
    }
}
