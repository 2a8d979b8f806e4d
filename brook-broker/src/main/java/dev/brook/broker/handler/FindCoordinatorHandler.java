package dev.brook.broker.handler;

import dev.brook.broker.network.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest;

/**
 * FindCoordinator: this broker coordinates every consumer group and every transactional id. v4+ asks for many keys
 * at once. Other key types (share groups: not built yet) get INVALID_REQUEST, which clients do not retry.
 */
final class FindCoordinatorHandler implements ApiHandler<FindCoordinatorRequest> {
    private static final byte GROUP = 0;
    private static final byte TRANSACTION = 1;

    private final BrokerNode broker;

    FindCoordinatorHandler(BrokerNode broker) {
        this.broker = broker;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, FindCoordinatorRequest request) {
        FindCoordinatorRequestData data = request.data();
        FindCoordinatorResponseData response = new FindCoordinatorResponseData();
        if (context.apiVersion() < 4) {
            FindCoordinatorResponseData.Coordinator c = coordinator(data.key(), data.keyType());
            return CompletableFuture.completedFuture(response.setErrorCode(c.errorCode()).setErrorMessage(c.errorMessage())
                    .setNodeId(c.nodeId()).setHost(c.host()).setPort(c.port()));
        }
        List<FindCoordinatorResponseData.Coordinator> list = new ArrayList<>();
        for (String key : data.coordinatorKeys()) {
            list.add(coordinator(key, data.keyType()));
        }
        return CompletableFuture.completedFuture(response.setCoordinators(list));
    }

    private FindCoordinatorResponseData.Coordinator coordinator(String key, byte type) {
        FindCoordinatorResponseData.Coordinator c = new FindCoordinatorResponseData.Coordinator().setKey(key)
                .setNodeId(-1).setHost("").setPort(-1);
        if (type != GROUP && type != TRANSACTION) {
            return c.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("Brook coordinates consumer groups and "
                    + "transactions; coordinator key type " + type + " is not served");
        }
        if (key == null || key.isEmpty()) {
            return c.setErrorCode(Errors.INVALID_REQUEST.code())
                    .setErrorMessage((type == GROUP ? "Group id" : "Transactional id") + " must not be empty");
        }
        return c.setNodeId(broker.nodeId()).setHost(broker.host()).setPort(broker.port());
    }
}
