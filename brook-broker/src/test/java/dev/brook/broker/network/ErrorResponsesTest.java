package dev.brook.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownServerException;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;
import org.junit.jupiter.api.Test;

/**
 * When a handler fails, {@link ConnectionHandler} answers with the API's own error response, built and written at the
 * request's version, for every API and version kafka-clients knows (a superset of what Brook serves), so a future
 * handler's failure can never close the connection or leave later responses waiting behind it.
 */
class ErrorResponsesTest {

    /** Serves every API at every version, and fails each request with the given exception. */
    private static final class FailingDispatcher implements RequestDispatcher {
        private final RuntimeException failure;

        FailingDispatcher(RuntimeException failure) {
            this.failure = failure;
        }

        @Override
        public boolean supports(ApiKeys apiKey, short version) {
            return version >= apiKey.oldestVersion() && version <= apiKey.latestVersion();
        }

        @Override
        public CompletableFuture<ApiMessage> dispatch(RequestContext context, AbstractRequest request) {
            return CompletableFuture.failedFuture(failure);
        }

        @Override
        public ApiMessage apiVersionsFallback(short errorCode) {
            return new ApiVersionsResponseData().setErrorCode(errorCode);
        }
    }

    @Test
    void everyApiAtEveryVersionAnswersAFailedHandlerWithItsErrorResponseAndKeepsTheConnection() {
        List<String> failures = new ArrayList<>();
        int answered = 0;
        for (RuntimeException failure : List.of(new UnknownServerException("disk on fire"), new InvalidRequestException("bad"),
                new IllegalStateException("a bug"))) {
            EmbeddedChannel ch = new EmbeddedChannel();
            KafkaServer.configure(ch.pipeline(), 1 << 20, 60_000, new FailingDispatcher(failure));
            int correlationId = 0;
            for (ApiKeys api : ApiKeys.values()) {
                for (short version = api.oldestVersion(); version <= api.latestVersion(); version++) {
                    ByteBuffer body = defaultRequest(api, version);
                    if (body == null) {
                        continue;
                    }
                    correlationId++;
                    ch.writeInbound(frame(api, version, correlationId, body));
                    ch.runPendingTasks();
                    String what = api + " v" + version + " failing with " + failure;
                    if (!ch.isActive()) {
                        failures.add(what + ": connection closed");
                        ch = new EmbeddedChannel();
                        KafkaServer.configure(ch.pipeline(), 1 << 20, 60_000, new FailingDispatcher(failure));
                        continue;
                    }
                    ByteBuf out = ch.readOutbound();
                    if (api == ApiKeys.PRODUCE) {
                        // the default Produce request has acks=0, which is never answered, error or not
                        assertThat((Object) out).as(what).isNull();
                        continue;
                    }
                    if (out == null) {
                        failures.add(what + ": no response");
                        continue;
                    }
                    try {
                        ByteBuffer nio = ByteBuffer.allocate(out.readableBytes());
                        out.readBytes(nio).release();
                        nio.flip();
                        nio.getInt();
                        assertThat(ResponseHeader.parse(nio, api.responseHeaderVersion(version)).correlationId())
                                .isEqualTo(correlationId);
                        AbstractResponse.parseResponse(api, new ByteBufferAccessor(nio), version);
                        answered++;
                    } catch (RuntimeException e) {
                        failures.add(what + ": unparseable response: " + e);
                    }
                }
            }
        }
        assertThat(failures).isEmpty();
        assertThat(answered).isGreaterThan(600);
    }

    /** The API's request with every field at its default, or null where such a request is not valid at all. */
    private static ByteBuffer defaultRequest(ApiKeys api, short version) {
        try {
            ApiMessage data = ApiMessageType.fromApiKey(api.id).newRequest();
            ByteBuffer body = MessageUtil.toByteBufferAccessor(data, version).buffer();
            AbstractRequest.parseRequest(api, version, new ByteBufferAccessor(body.duplicate()));
            return body;
        } catch (RuntimeException e) {
            return null; // kafka-clients itself refuses this request (DescribeAcls with UNKNOWN filters)
        }
    }

    private static ByteBuf frame(ApiKeys api, short version, int correlationId, ByteBuffer body) {
        ByteBuffer header = MessageUtil.toByteBufferAccessor(
                new RequestHeader(api, version, "test", correlationId).data(), api.requestHeaderVersion(version)).buffer();
        ByteBuf buf = Unpooled.buffer();
        buf.writeInt(header.remaining() + body.remaining());
        buf.writeBytes(header);
        buf.writeBytes(body.duplicate());
        return buf;
    }

    @Test
    void aFailedAcksZeroProduceIsNotAnsweredAndTheNextRequestStillIs() {
        EmbeddedChannel ch = new EmbeddedChannel();
        KafkaServer.configure(ch.pipeline(), 1 << 20, 60_000, new FailingDispatcher(new UnknownServerException("x")));
        ByteBuffer produce = MessageUtil.toByteBufferAccessor(new org.apache.kafka.common.message.ProduceRequestData()
                .setAcks((short) 0), (short) 9).buffer();
        ch.writeInbound(frame(ApiKeys.PRODUCE, (short) 9, 1, produce));
        ch.writeInbound(frame(ApiKeys.METADATA, (short) 12, 2, defaultRequest(ApiKeys.METADATA, (short) 12)));
        ch.runPendingTasks();

        ByteBuf out = ch.readOutbound();
        assertThat(out).as("the Metadata response, not stuck behind the unanswered produce").isNotNull();
        assertThat(out.getInt(4)).as("correlation id").isEqualTo(2);
        out.release();
        assertThat(ch.isActive()).isTrue();
    }
}
