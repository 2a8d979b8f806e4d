package dev.brook.broker.network;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;

/** Routes a parsed request to the handler for its API key; the network layer knows nothing else of the broker. */
public interface RequestDispatcher {

    /** Whether this broker answers {@code apiKey} at {@code version}. */
    boolean supports(ApiKeys apiKey, short version);

    /**
     * Handles one request. The future completes with the response body, or with {@code null} when the
     * protocol wants no response (Produce with acks=0). An exceptional completion is turned into the API's
     * error response by the caller. The request's buffers are only valid until this method returns.
     */
    CompletableFuture<ApiMessage> dispatch(RequestContext context, AbstractRequest request);

    /** The body of an ApiVersions v0 response listing everything supported, with the given error. */
    ApiMessage apiVersionsFallback(short errorCode);
}
