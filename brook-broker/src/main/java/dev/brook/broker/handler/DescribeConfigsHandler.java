package dev.brook.broker.handler;

import dev.brook.broker.cluster.DynamicBrokerConfig;
import dev.brook.broker.cluster.Topic;
import dev.brook.broker.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeConfigsRequest;

/**
 * DescribeConfigs for topics, for this broker (by its node ID: every config; or the empty name: the cluster-wide dynamic
 * defaults), for groups (their own dynamic configs over the broker settings they follow) and for client-metrics
 * subscriptions.
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
                try {
                    result.setConfigs(BrokerResources.scope(resource.resourceName(), broker.nodeId()) == DynamicBrokerConfig.Scope.BROKER
                            ? view.broker(resource.configurationKeys(), data.includeSynonyms())
                            : view.clusterDefaults(resource.configurationKeys(), data.includeSynonyms()));
                } catch (InvalidRequestException e) {
                    result.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage(e.getMessage());
                }
            } else if (type == ConfigResource.Type.GROUP) {
                result.setConfigs(view.group(broker.groupConfigs(), resource.resourceName(), resource.configurationKeys(), data.includeSynonyms()));
            } else if (type == ConfigResource.Type.CLIENT_METRICS) {
                result.setConfigs(ConfigView.clientMetrics(broker.clientMetrics(), resource.resourceName(), resource.configurationKeys(),
                        data.includeSynonyms()));
            } else {
                result.setErrorCode(Errors.INVALID_REQUEST.code())
                        .setErrorMessage("Brook describes TOPIC, BROKER, GROUP and CLIENT_METRICS configs, not " + type);
            }
        }
        return CompletableFuture.completedFuture(response);
    }
}
