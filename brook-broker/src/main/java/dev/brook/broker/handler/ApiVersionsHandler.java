package dev.brook.broker.handler;

import dev.brook.broker.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsRequest;

/**
 * ApiVersions: the APIs and version ranges this broker answers. v3+ requests carry the client's software
 * name and version, which must be valid; an invalid one gets INVALID_REQUEST as in Kafka. (An unknown
 * ApiVersions version never reaches here: the connection answers it with the v0 fallback.)
 */
final class ApiVersionsHandler implements ApiHandler<ApiVersionsRequest> {
    private final BrokerDispatcher dispatcher;
    private final BrokerNode broker;

    ApiVersionsHandler(BrokerDispatcher dispatcher, BrokerNode broker) {
        this.dispatcher = dispatcher;
        this.broker = broker;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, ApiVersionsRequest request) {
        ApiVersionsResponseData response = new ApiVersionsResponseData()
                .setApiKeys(dispatcher.advertisedVersions());
        BrokerFeatures.describe(response, broker.config().current().transactions().featureLevel(), broker.config().current().shareGroups());
        if (context.apiVersion() >= 3 && !request.isValid()) {
            response.setErrorCode(Errors.INVALID_REQUEST.code());
        }
        return CompletableFuture.completedFuture(response);
    }
}
