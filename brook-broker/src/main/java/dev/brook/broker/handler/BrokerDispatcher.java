package dev.brook.broker.handler;

import dev.brook.broker.network.RequestContext;
import dev.brook.broker.network.RequestDispatcher;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;

/**
 * The table of APIs this broker answers: for each API key its handler and the version range advertised in
 * ApiVersions. Built once at startup, read-only afterwards, so any event loop may use it.
 */
public final class BrokerDispatcher implements RequestDispatcher {

    private record Entry(ApiHandler<AbstractRequest> handler, short minAdvertised, short max) {
    }

    private final Map<ApiKeys, Entry> entries = new EnumMap<>(ApiKeys.class);

    /** Registers an API at every version kafka-clients can parse. */
    public <R extends AbstractRequest> BrokerDispatcher register(ApiKeys key, ApiHandler<R> handler) {
        return register(key, key.oldestVersion(), handler);
    }

    /**
     * Registers an API, advertising {@code minAdvertised} as its oldest version. Produce is advertised from
     * v0 as Kafka does: librdkafka reads a higher minimum as "no compression support".
     */
    @SuppressWarnings("unchecked")
    public <R extends AbstractRequest> BrokerDispatcher register(ApiKeys key, short minAdvertised, ApiHandler<R> handler) {
        entries.put(key, new Entry((ApiHandler<AbstractRequest>) handler, minAdvertised, key.latestVersion()));
        return this;
    }

    @Override
    public boolean supports(ApiKeys apiKey, short version) {
        Entry e = entries.get(apiKey);
        return e != null && version >= apiKey.oldestVersion() && version <= e.max();
    }

    @Override
    public CompletableFuture<ApiMessage> dispatch(RequestContext context, AbstractRequest request) {
        return entries.get(context.header().apiKey()).handler().handle(context, request);
    }

    @Override
    public ApiMessage apiVersionsFallback(short errorCode) {
        return new ApiVersionsResponseData().setErrorCode(errorCode).setApiKeys(advertisedVersions());
    }

    /** What ApiVersions advertises. */
    ApiVersionsResponseData.ApiVersionCollection advertisedVersions() {
        ApiVersionsResponseData.ApiVersionCollection c = new ApiVersionsResponseData.ApiVersionCollection();
        entries.forEach((key, e) -> c.add(new ApiVersionsResponseData.ApiVersion()
                .setApiKey(key.id).setMinVersion(e.minAdvertised()).setMaxVersion(e.max())));
        return c;
    }
}
