package dev.brook.broker.handler;

import dev.brook.broker.cluster.Topic;
import dev.brook.broker.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeConfigsRequest;

/**
 * DescribeConfigs for topics, for this broker (by its node ID, or the empty name for cluster defaults), and for
 * consumer groups (the broker settings every group follows: Brook has no per-group overrides yet).
 */
final class DescribeConfigsHandler implements ApiHandler<DescribeConfigsRequest> {
    private final BrokerNode broker;
    private final ConfigView view;

    DescribeConfigsHandler(BrokerNode broker) {
        this.broker = broker;
        this.view = new ConfigView(broker.config());
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, DescribeConfigsRequest request) {
        DescribeConfigsRequestData data = request.data();
        DescribeConfigsResponseData response = new DescribeConfigsResponseData();
        for (DescribeConfigsRequestData.DescribeConfigsResource resource : data.resources()) {
            DescribeConfigsResponseData.DescribeConfigsResult result = new DescribeConfigsResponseData.DescribeConfigsResult()
                    .setResourceType(resource.resourceType()).setResourceName(resource.resourceName());
            response.results().add(result);
            ConfigResource.Type type = ConfigResource.Type.forId(resource.resourceType());
            if (type == ConfigResource.Type.TOPIC) {
                Topic topic = broker.topics().topic(resource.resourceName());
                if (topic == null) {
                    result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                            .setErrorMessage("Topic " + resource.resourceName() + " does not exist");
                } else {
                    result.setConfigs(view.topic(topic, resource.configurationKeys(), data.includeSynonyms()));
                }
            } else if (type == ConfigResource.Type.BROKER) {
                if (!BrokerResources.isThisBroker(resource.resourceName(), broker.nodeId())) {
                    result.setErrorCode(Errors.INVALID_REQUEST.code())
                            .setErrorMessage("Broker " + resource.resourceName() + " is not this broker (" + broker.nodeId() + ")");
                } else {
                    result.setConfigs(view.broker(resource.configurationKeys(), data.includeSynonyms()));
                }
            } else if (type == ConfigResource.Type.GROUP) {
                result.setConfigs(view.group(resource.configurationKeys(), data.includeSynonyms()));
            } else {
                result.setErrorCode(Errors.INVALID_REQUEST.code())
                        .setErrorMessage("Brook describes TOPIC, BROKER and GROUP configs, not " + type);
            }
        }
        return CompletableFuture.completedFuture(response);
    }
}
