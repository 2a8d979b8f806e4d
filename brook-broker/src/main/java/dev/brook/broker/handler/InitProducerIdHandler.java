package dev.brook.broker.handler;

import dev.brook.broker.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.InitProducerIdRequest;

/**
 * InitProducerId for idempotent producers: a producer ID never used before, at epoch 0; or, when the client
 * asks to bump an existing one (KIP-360, after a sequence problem), the same ID at the next epoch, or a fresh
 * ID once the epoch would overflow. Transactional IDs need the transaction coordinator, which Brook does not
 * have yet: they get TRANSACTIONAL_ID_AUTHORIZATION_FAILED with a message, an error clients do not retry.
 */
final class InitProducerIdHandler implements ApiHandler<InitProducerIdRequest> {
    private final BrokerNode broker;

    InitProducerIdHandler(BrokerNode broker) {
        this.broker = broker;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, InitProducerIdRequest request) {
        InitProducerIdRequestData data = request.data();
        InitProducerIdResponseData response = new InitProducerIdResponseData().setProducerId(-1).setProducerEpoch((short) -1);
        if (data.transactionalId() != null) {
            return CompletableFuture.completedFuture(response.setErrorCode(Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED.code()));
        }
        if (data.producerId() >= 0 && data.producerEpoch() >= 0 && data.producerEpoch() < Short.MAX_VALUE - 1) {
            response.setProducerId(data.producerId()).setProducerEpoch((short) (data.producerEpoch() + 1));
        } else {
            response.setProducerId(broker.identity().nextProducerId()).setProducerEpoch((short) 0);
        }
        return CompletableFuture.completedFuture(response);
    }
}
