package dev.brook.broker.handler;

import dev.brook.broker.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeClusterRequest;

/** DescribeCluster: the cluster ID and its single broker, which is also the controller. */
final class DescribeClusterHandler implements ApiHandler<DescribeClusterRequest> {
    private static final byte BROKER_ENDPOINT = 1;

    private final BrokerNode broker;

    DescribeClusterHandler(BrokerNode broker) {
        this.broker = broker;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, DescribeClusterRequest request) {
        DescribeClusterResponseData response = new DescribeClusterResponseData()
                .setClusterId(broker.identity().clusterId())
                .setControllerId(broker.nodeId())
                .setClusterAuthorizedOperations(MetadataHandler.AUTHORIZED_OPERATIONS_OMITTED);
        if (request.data().endpointType() != BROKER_ENDPOINT) {
            return CompletableFuture.completedFuture(response.setErrorCode(Errors.UNSUPPORTED_ENDPOINT_TYPE.code())
                    .setErrorMessage("Brook serves only broker endpoints"));
        }
        response.setEndpointType(BROKER_ENDPOINT);
        response.brokers().add(new DescribeClusterResponseData.DescribeClusterBroker()
                .setBrokerId(broker.nodeId()).setHost(broker.host()).setPort(broker.port()));
        return CompletableFuture.completedFuture(response);
    }
}
