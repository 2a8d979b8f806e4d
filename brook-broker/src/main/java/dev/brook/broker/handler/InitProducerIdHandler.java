package dev.brook.broker.handler;

import dev.brook.broker.network.RequestContext;
import dev.brook.broker.txn.TransactionCoordinator;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.InitProducerIdRequest;

/**
 * InitProducerId for idempotent producers: a producer ID never used before, at epoch 0; or, when the client
 * asks to bump an existing one (KIP-360, after a sequence problem), the same ID at the next epoch, or a fresh
 * ID once the epoch would overflow. A transactional ID goes to the {@link TransactionCoordinator}. KIP-939's
 * {@code keep_prepared_txn} (two-phase commit, v6, not yet stable in Kafka either) gets UNSUPPORTED_VERSION.
 */
final class InitProducerIdHandler implements ApiHandler<InitProducerIdRequest> {
    private final BrokerNode broker;
    private final TransactionCoordinator txns;

    InitProducerIdHandler(BrokerNode broker, TransactionCoordinator txns) {
        this.broker = broker;
        this.txns = txns;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext context, InitProducerIdRequest request) {
        InitProducerIdRequestData data = request.data();
        InitProducerIdResponseData response = new InitProducerIdResponseData().setProducerId(-1).setProducerEpoch((short) -1);
        if (data.transactionalId() != null) {
            if (data.keepPreparedTxn()) {
                return CompletableFuture.completedFuture(response.setErrorCode(Errors.UNSUPPORTED_VERSION.code()));
            }
            return txns.initProducerId(data.transactionalId(), data.transactionTimeoutMs(), data.producerId(), data.producerEpoch())
                    .thenApply(r -> (ApiMessage) response.setErrorCode(r.error().code()).setProducerId(r.producerId())
                            .setProducerEpoch(r.epoch()));
        }
        if (data.producerId() >= 0 && data.producerEpoch() >= 0 && data.producerEpoch() < Short.MAX_VALUE - 1) {
            response.setProducerId(data.producerId()).setProducerEpoch((short) (data.producerEpoch() + 1));
        } else {
            response.setProducerId(broker.identity().nextProducerId()).setProducerEpoch((short) 0);
        }
        return CompletableFuture.completedFuture(response);
    }
}
