package dev.brook.broker.network;

import dev.brook.log.ThrottledLogger;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestAndSize;
import org.apache.kafka.common.requests.RequestHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * One client connection: parses each Kafka request frame, hands it to the {@link RequestDispatcher}, and
 * writes the responses back <em>in request order</em>, as the Kafka protocol requires.
 *
 * <pre>
 *  socket ─▶ IdleStateHandler ─▶ LengthFieldBasedFrameDecoder ─▶ ConnectionHandler ─▶ RequestDispatcher
 *                                 (size prefix, max size)          │  parse header + body      │ handler
 *  socket ◀──────────────────────────────────────────────────────  │◀─ in-order response queue ◀┘ (maybe later)
 * </pre>
 *
 * <p>Rules: every method runs on the channel's event loop, so the in-flight queue needs no locking; a
 * response that completes on another thread hops back to the event loop first. A request that cannot be
 * parsed, names an unknown API key or an unsupported version closes the connection with a log line, as
 * Kafka does, except ApiVersions at an unknown version, which gets Kafka's v0 answer with
 * UNSUPPORTED_VERSION so that newer clients can fall back. Errors inside a handler become that API's error
 * response here, in one place. When too many responses are pending, reading pauses (back-pressure).
 */
final class ConnectionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ConnectionHandler.class);
    /** Bad input from clients: the first of each kind in full, then a count per interval (a fuzzer sends thousands). */
    private static final ThrottledLogger CLOSES = new ThrottledLogger(log, Level.WARN);
    private static final ThrottledLogger ERRORS = new ThrottledLogger(log, Level.ERROR);
    private static final int MAX_IN_FLIGHT = 64;
    private static final int RESUME_IN_FLIGHT = 16;

    private final RequestDispatcher dispatcher;
    private final ArrayDeque<Pending> inFlight = new ArrayDeque<>();
    private boolean paused;

    ConnectionHandler(RequestDispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    /** A request awaiting its turn to answer; {@code done} with {@code frame == null} means "no response". */
    private static final class Pending {
        java.util.List<Object> frame;
        boolean done;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf frame = (ByteBuf) msg;
        try {
            handleFrame(ctx, frame);
        } finally {
            frame.release();
        }
    }

    private void handleFrame(ChannelHandlerContext ctx, ByteBuf frame) {
        if (frame.readableBytes() < 8) {
            closeWithReason(ctx, "short frame", "a request frame of " + frame.readableBytes() + " bytes is too short for a header");
            return;
        }
        short apiKeyId = frame.getShort(frame.readerIndex());
        short version = frame.getShort(frame.readerIndex() + 2);
        int correlationId = frame.getInt(frame.readerIndex() + 4);
        if (!ApiKeys.hasId(apiKeyId)) {
            closeWithReason(ctx, "unknown API key", "unknown API key " + apiKeyId);
            return;
        }
        ApiKeys apiKey = ApiKeys.forId(apiKeyId);
        if (!dispatcher.supports(apiKey, version)) {
            if (apiKey == ApiKeys.API_VERSIONS) {
                Pending pending = enqueue(ctx);
                complete(ctx, pending, correlationId, (short) 0, (short) 0,
                        dispatcher.apiVersionsFallback(Errors.UNSUPPORTED_VERSION.code()));
            } else {
                closeWithReason(ctx, "unsupported version", "unsupported version " + version + " of " + apiKey);
            }
            return;
        }
        ByteBuffer buffer = frame.nioBuffer();
        RequestHeader header;
        AbstractRequest request;
        try {
            header = RequestHeader.parse(buffer);
            RequestAndSize parsed = AbstractRequest.parseRequest(apiKey, version, new ByteBufferAccessor(buffer));
            request = parsed.request;
        } catch (RuntimeException e) {
            closeWithReason(ctx, "malformed request", "malformed " + apiKey + " v" + version + " request: " + e);
            return;
        }
        Pending pending = enqueue(ctx);
        short responseHeaderVersion = apiKey.responseHeaderVersion(version);
        RequestContext context = new RequestContext(header, ctx.channel().eventLoop(), ctx.channel().remoteAddress(),
                ctx.channel().closeFuture());
        CompletableFuture<ApiMessage> response;
        try {
            response = dispatcher.dispatch(context, request);
        } catch (RuntimeException e) {
            response = CompletableFuture.failedFuture(e);
        }
        response.whenComplete((body, error) -> {
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            if (cause instanceof CloseConnection close) {
                ctx.executor().execute(() -> closeWithReason(ctx, "closed by handler", close.getMessage()));
                return;
            }
            ApiMessage answer = body;
            if (error != null) {
                try {
                    answer = errorResponse(request, header, error);
                } catch (RuntimeException e) {
                    // without an answer the queue would wait for this request forever: give up on the connection
                    ctx.executor().execute(() -> closeWithReason(ctx, "no error response", "cannot build the error response to "
                            + header.apiKey() + " v" + version + ": " + e));
                    return;
                }
            }
            ApiMessage finalAnswer = answer;
            if (ctx.executor().inEventLoop()) {
                complete(ctx, pending, correlationId, responseHeaderVersion, version, finalAnswer);
            } else {
                ctx.executor().execute(() -> complete(ctx, pending, correlationId, responseHeaderVersion, version, finalAnswer));
            }
        });
    }

    private static ApiMessage errorResponse(AbstractRequest request, RequestHeader header, Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
        if (!(cause instanceof ApiException)) {
            ERRORS.log("unexpected error", "Unexpected error handling {} from client {}", header.apiKey(), header.clientId(), cause);
        }
        AbstractResponse response = request.getErrorResponse(0, cause);
        return response == null ? null : response.data(); // null: a request with no response (Produce with acks=0)
    }

    private Pending enqueue(ChannelHandlerContext ctx) {
        Pending pending = new Pending();
        inFlight.addLast(pending);
        if (!paused && inFlight.size() >= MAX_IN_FLIGHT) {
            paused = true;
            ctx.channel().config().setAutoRead(false);
        }
        return pending;
    }

    private void complete(ChannelHandlerContext ctx, Pending pending, int correlationId, short headerVersion,
                          short version, ApiMessage body) {
        if (!ctx.channel().isActive()) {
            pending.done = true;
            releaseAll();
            return;
        }
        if (body != null) {
            try {
                pending.frame = ResponseSerializer.serialize(ctx.alloc(), correlationId, headerVersion, body, version);
            } catch (RuntimeException e) {
                ERRORS.log("unserializable response", "Could not serialize {} at v{} for correlation id {}; closing the connection",
                        body.getClass().getSimpleName(), version, correlationId, e);
                pending.done = true;
                ctx.close();
                return;
            }
        }
        pending.done = true;
        boolean wrote = false;
        while (!inFlight.isEmpty() && inFlight.peekFirst().done) {
            Pending head = inFlight.pollFirst();
            if (head.frame != null) {
                for (Object part : head.frame) {
                    ctx.write(part, ctx.voidPromise());
                }
                head.frame = null;
                wrote = true;
            }
        }
        if (wrote) {
            ctx.flush();
        }
        if (paused && inFlight.size() <= RESUME_IN_FLIGHT) {
            paused = false;
            ctx.channel().config().setAutoRead(true);
        }
    }

    private void releaseAll() {
        for (Pending p : inFlight) {
            if (p.frame != null) {
                p.frame.forEach(io.netty.util.ReferenceCountUtil::release);
                p.frame = null;
            }
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseAll();
        inFlight.clear();
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            log.debug("Closing idle connection from {}", ctx.channel().remoteAddress());
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            closeWithReason(ctx, "oversized request", "request larger than socket.request.max.bytes (" + cause.getMessage() + ")");
        } else if (cause instanceof java.io.IOException) {
            log.debug("Connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        } else {
            closeWithReason(ctx, "connection error", cause.toString());
        }
    }

    private static void closeWithReason(ChannelHandlerContext ctx, String kind, String reason) {
        CLOSES.log(kind, "Closing connection from {}: {}", ctx.channel().remoteAddress(), reason);
        ctx.close();
    }
}
