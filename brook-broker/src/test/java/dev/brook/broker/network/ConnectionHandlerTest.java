package dev.brook.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.DeleteRecordsRequest;
import org.apache.kafka.common.requests.DeleteRecordsResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;
import org.junit.jupiter.api.Test;

class ConnectionHandlerTest {

    /** Answers Metadata and ApiVersions with canned bodies; holds DeleteRecords until told to complete. */
    static final class ScriptedDispatcher implements RequestDispatcher {
        final List<CompletableFuture<ApiMessage>> held = new ArrayList<>();

        @Override
        public boolean supports(ApiKeys apiKey, short version) {
            return (apiKey == ApiKeys.METADATA || apiKey == ApiKeys.API_VERSIONS || apiKey == ApiKeys.DELETE_RECORDS)
                    && version >= apiKey.oldestVersion() && version <= apiKey.latestVersion();
        }

        @Override
        public CompletableFuture<ApiMessage> dispatch(RequestContext context, AbstractRequest request) {
            return switch (context.header().apiKey()) {
                case METADATA -> CompletableFuture.completedFuture(new MetadataResponseData().setClusterId("c-" + context.header().correlationId()));
                case API_VERSIONS -> CompletableFuture.completedFuture(apiVersionsFallback((short) 0));
                case DELETE_RECORDS -> {
                    CompletableFuture<ApiMessage> f = new CompletableFuture<>();
                    held.add(f);
                    yield f;
                }
                default -> throw new IllegalStateException();
            };
        }

        @Override
        public ApiMessage apiVersionsFallback(short errorCode) {
            ApiVersionsResponseData d = new ApiVersionsResponseData().setErrorCode(errorCode);
            d.apiKeys().add(new ApiVersionsResponseData.ApiVersion().setApiKey(ApiKeys.METADATA.id).setMinVersion((short) 0).setMaxVersion((short) 13));
            return d;
        }
    }

    private final ScriptedDispatcher dispatcher = new ScriptedDispatcher();

    private EmbeddedChannel channel(int maxRequestBytes) {
        EmbeddedChannel ch = new EmbeddedChannel();
        KafkaServer.configure(ch.pipeline(), maxRequestBytes, 60_000, dispatcher);
        return ch;
    }

    private static ByteBuf frame(AbstractRequest request, int correlationId) {
        RequestHeader header = new RequestHeader(request.apiKey(), request.version(), "test", correlationId);
        ByteBuffer body = request.serializeWithHeader(header);
        ByteBuf buf = Unpooled.buffer();
        buf.writeInt(body.remaining());
        buf.writeBytes(body);
        return buf;
    }

    private static ByteBuf metadata(int correlationId) {
        return frame(new MetadataRequest.Builder(new MetadataRequestData()).build((short) 12), correlationId);
    }

    /** Reads one response frame: returns the body buffer positioned after the header, checking the correlation id. */
    private static ByteBuffer response(EmbeddedChannel ch, int correlationId, short headerVersion) {
        ByteBuf out = ch.readOutbound();
        assertThat(out).as("a response frame").isNotNull();
        ByteBuffer nio = ByteBuffer.allocate(out.readableBytes());
        out.readBytes(nio);
        out.release();
        nio.flip();
        int size = nio.getInt();
        assertThat(size).isEqualTo(nio.remaining());
        ResponseHeader header = ResponseHeader.parse(nio, headerVersion);
        assertThat(header.correlationId()).isEqualTo(correlationId);
        return nio;
    }

    @Test
    void answersARequestWithItsCorrelationId() {
        EmbeddedChannel ch = channel(1 << 20);
        ch.writeInbound(metadata(7));
        ByteBuffer body = response(ch, 7, ApiKeys.METADATA.responseHeaderVersion((short) 12));
        MetadataResponse r = MetadataResponse.parse(new ByteBufferAccessor(body), (short) 12);
        assertThat(r.data().clusterId()).isEqualTo("c-7");
        assertThat(ch.isActive()).isTrue();
    }

    @Test
    void answersInRequestOrderEvenWhenAnEarlierRequestCompletesLater() {
        EmbeddedChannel ch = channel(1 << 20);
        DeleteRecordsRequest slow = new DeleteRecordsRequest.Builder(new org.apache.kafka.common.message.DeleteRecordsRequestData()).build((short) 2);
        ch.writeInbound(frame(slow, 1));
        ch.writeInbound(metadata(2));
        assertThat((Object) ch.readOutbound()).as("nothing may overtake the pending request").isNull();
        dispatcher.held.get(0).complete(new org.apache.kafka.common.message.DeleteRecordsResponseData());
        ch.runPendingTasks();
        ByteBuffer first = response(ch, 1, ApiKeys.DELETE_RECORDS.responseHeaderVersion((short) 2));
        DeleteRecordsResponse.parse(new ByteBufferAccessor(first), (short) 2);
        response(ch, 2, ApiKeys.METADATA.responseHeaderVersion((short) 12));
    }

    @Test
    void turnsAHandlerExceptionIntoTheApisErrorResponse() {
        EmbeddedChannel ch = channel(1 << 20);
        DeleteRecordsRequest slow = new DeleteRecordsRequest.Builder(new org.apache.kafka.common.message.DeleteRecordsRequestData()
                .setTopics(List.of(new org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsTopic().setName("t")
                        .setPartitions(List.of(new org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsPartition()
                                .setPartitionIndex(0).setOffset(5)))))).build((short) 2);
        ch.writeInbound(frame(slow, 3));
        dispatcher.held.get(0).completeExceptionally(new UnknownTopicOrPartitionException("nope"));
        ch.runPendingTasks();
        DeleteRecordsResponse r = DeleteRecordsResponse.parse(new ByteBufferAccessor(
                response(ch, 3, ApiKeys.DELETE_RECORDS.responseHeaderVersion((short) 2))), (short) 2);
        assertThat(r.data().topics().find("t").partitions().find(0).errorCode())
                .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(ch.isActive()).isTrue();
    }

    @Test
    void answersAnUnknownApiVersionsVersionWithTheV0FallbackAndUnsupportedVersion() {
        EmbeddedChannel ch = channel(1 << 20);
        ByteBuf buf = Unpooled.buffer();
        byte[] clientId = "future-client".getBytes();
        buf.writeInt(2 + 2 + 4 + 2 + clientId.length + 1);
        buf.writeShort(ApiKeys.API_VERSIONS.id).writeShort(127).writeInt(42).writeShort(clientId.length).writeBytes(clientId).writeByte(0);
        ch.writeInbound(buf);
        ApiVersionsResponse r = ApiVersionsResponse.parse(new ByteBufferAccessor(response(ch, 42, (short) 0)), (short) 0);
        assertThat(r.data().errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
        assertThat(r.data().apiKeys()).isNotEmpty();
        assertThat(ch.isActive()).isTrue();
    }

    @Test
    void answersAKnownApiVersionsRequest() {
        EmbeddedChannel ch = channel(1 << 20);
        ch.writeInbound(frame(new ApiVersionsRequest(new ApiVersionsRequestData().setClientSoftwareName("x").setClientSoftwareVersion("1"), (short) 3), 9));
        ApiVersionsResponse r = ApiVersionsResponse.parse(new ByteBufferAccessor(response(ch, 9, (short) 0)), (short) 3);
        assertThat(r.data().errorCode()).isZero();
    }

    @Test
    void closesTheConnectionOnAnUnknownApiKey() {
        EmbeddedChannel ch = channel(1 << 20);
        ByteBuf buf = Unpooled.buffer();
        buf.writeInt(10).writeShort(32000).writeShort(0).writeInt(1).writeShort(0);
        ch.writeInbound(buf);
        assertThat(ch.isActive()).isFalse();
        assertThat((Object) ch.readOutbound()).isNull();
    }

    @Test
    void closesTheConnectionOnAnUnsupportedVersionOfAnotherApi() {
        EmbeddedChannel ch = channel(1 << 20);
        ByteBuf buf = Unpooled.buffer();
        buf.writeInt(10).writeShort(ApiKeys.METADATA.id).writeShort(99).writeInt(1).writeShort(0);
        ch.writeInbound(buf);
        assertThat(ch.isActive()).isFalse();
    }

    @Test
    void closesTheConnectionOnAGarbageFrame() {
        EmbeddedChannel ch = channel(1 << 20);
        ByteBuf buf = Unpooled.buffer();
        buf.writeInt(12).writeShort(ApiKeys.METADATA.id).writeShort(12).writeInt(5).writeBytes(new byte[] {(byte) 0xff, (byte) 0xee, 0x01, 0x02});
        ch.writeInbound(buf);
        assertThat(ch.isActive()).isFalse();
    }

    @Test
    void closesTheConnectionOnAFrameTooShortForAHeader() {
        EmbeddedChannel ch = channel(1 << 20);
        ch.writeInbound(Unpooled.buffer().writeInt(3).writeBytes(new byte[3]));
        assertThat(ch.isActive()).isFalse();
    }

    @Test
    void closesTheConnectionOnAnOversizedFrameWithoutBufferingIt() {
        EmbeddedChannel ch = channel(1024);
        ch.writeInbound(Unpooled.buffer().writeInt(200_000_000).writeBytes(new byte[16]));
        assertThat(ch.isActive()).isFalse();
    }

    @Test
    void closesTheConnectionOnANegativeFrameSize() {
        EmbeddedChannel ch = channel(1024);
        ch.writeInbound(Unpooled.buffer().writeInt(-5).writeBytes(new byte[16]));
        assertThat(ch.isActive()).isFalse();
    }

    @Test
    void acceptsAFrameOfExactlyTheMaximumSize() {
        EmbeddedChannel ch = channel(1 << 20);
        ByteBuf f = metadata(11);
        int size = f.getInt(0);
        EmbeddedChannel exact = channel(size);
        exact.writeInbound(f);
        response(exact, 11, ApiKeys.METADATA.responseHeaderVersion((short) 12));
        ch.close();
    }
}
