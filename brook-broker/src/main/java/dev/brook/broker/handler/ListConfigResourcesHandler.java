package dev.brook.broker.handler;

import dev.brook.broker.cluster.Topic;
import dev.brook.broker.network.RequestContext;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.ListConfigResourcesResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ListConfigResourcesRequest;

/**
 * ListConfigResources (KIP-1142), which Kafka's ClientMetricsCommand {@code --list} and Admin.listConfigResources call:
 * v0 lists client-metrics subscriptions; v1 lists the resources of the types asked for (all when none): every topic,
 * this broker, the groups that have dynamic configs and the client-metrics subscriptions.
 */
final class ListConfigResourcesHandler implements ApiHandler<ListConfigResourcesRequest> {
    private static final List<ConfigResource.Type> ALL = List.of(ConfigResource.Type.TOPIC, ConfigResource.Type.BROKER,
            ConfigResource.Type.GROUP, ConfigResource.Type.CLIENT_METRICS);

    private final BrokerNode broker;

    ListConfigResourcesHandler(BrokerNode broker) {
        this.broker = broker;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, ListConfigResourcesRequest request) {
        ListConfigResourcesResponseData response = new ListConfigResourcesResponseData();
        List<Byte> asked = context.apiVersion() == 0 ? List.of(ConfigResource.Type.CLIENT_METRICS.id()) : request.data().resourceTypes();
        List<ConfigResource.Type> types = asked.isEmpty() ? ALL : asked.stream().map(ConfigResource.Type::forId).toList();
        for (ConfigResource.Type type : types) {
            switch (type) {
                case TOPIC -> {
                    for (Topic t : broker.topics().topics()) {
                        response.configResources().add(new ListConfigResourcesResponseData.ConfigResource()
                                .setResourceName(t.name()).setResourceType(type.id()));
                    }
                }
                case BROKER -> response.configResources().add(new ListConfigResourcesResponseData.ConfigResource()
                        .setResourceName(String.valueOf(broker.nodeId())).setResourceType(type.id()));
                case GROUP -> broker.groupConfigs().all().keySet().forEach(g -> response.configResources().add(
                        new ListConfigResourcesResponseData.ConfigResource().setResourceName(g).setResourceType(type.id())));
                case CLIENT_METRICS -> broker.clientMetrics().names().forEach(n -> response.configResources().add(
                        new ListConfigResourcesResponseData.ConfigResource().setResourceName(n).setResourceType(type.id())));
                default -> {
                    return CompletableFuture.completedFuture(new ListConfigResourcesResponseData()
                            .setErrorCode(Errors.UNSUPPORTED_VERSION.code()));
                }
            }
        }
        return CompletableFuture.completedFuture(response);
    }
}
