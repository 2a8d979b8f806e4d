package dev.brook.broker.handler;

import dev.brook.broker.network.RequestContext;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;

/**
 * Answers one Kafka API. Runs on the connection's event loop: it must not block on anything but short
 * local disk writes; anything that waits (long-poll fetch, fsync for acks=all) completes the future later.
 * Throwing, or completing exceptionally, with a kafka-clients {@code ApiException} gives the client that
 * error code; anything else is logged and answered as UNKNOWN_SERVER_ERROR.
 *
 * @param <R> the request type
 */
@FunctionalInterface
public interface ApiHandler<R extends AbstractRequest> {
    CompletableFuture<ApiMessage> handle(RequestContext context, R request);
}
