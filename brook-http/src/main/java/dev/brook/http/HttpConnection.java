package dev.brook.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brook.log.ThrottledLogger;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * One HTTP connection: gathers each request's body (up to {@link HttpLimits#maxBodyBytes}), routes it, and writes
 * the JSON reply or error. One request at a time: reading pauses while a reply is pending, so replies keep the
 * order of requests. A streamed produce ({@code Transfer-Encoding: chunked} to a records endpoint) hands each body
 * chunk to its {@link ProduceStream} as it arrives; an event stream takes the connection over for good.
 *
 * <p>Every method runs on the connection's event loop. Errors become {@code {"error_code", "message"}} here, in one
 * place; unexpected ones are logged (throttled) and answered 500.
 */
final class HttpConnection extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(HttpConnection.class);
    private static final ThrottledLogger ERRORS = new ThrottledLogger(log, Level.ERROR);

    /** How long a connection answered with "close" keeps draining what the client still sends. */
    static final long LINGER_MS = 2_000;

    private final HttpGateway gateway;
    private HttpRequest request;
    private Router.Match match;
    private CompositeByteBuf body;
    private boolean discarding;
    private ProduceStream stream;
    private boolean takenOver;
    private boolean closing;

    HttpConnection(HttpGateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (takenOver || closing) {
                return; // an event stream owns the connection, or it is closing: anything the client sends is dropped
            }
            if (msg instanceof HttpRequest req) {
                start(ctx, req);
            }
            if (msg instanceof HttpContent content) {
                content(ctx, content);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void start(ChannelHandlerContext ctx, HttpRequest req) {
        request = req;
        match = null;
        discarding = false;
        if (!req.decoderResult().isSuccess()) {
            fail(ctx, new HttpError(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request: " + req.decoderResult().cause()), true);
            return;
        }
        try {
            match = gateway.router().match(req.method(), req.uri());
        } catch (HttpError e) {
            fail(ctx, e, false);
            return;
        }
        HttpMethod method = req.method();
        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD) && !method.equals(HttpMethod.OPTIONS)
                && !gateway.origins().allowsChange(req.headers().get(HttpHeaderNames.ORIGIN), req.headers().get("Sec-Fetch-Site"),
                        req.headers().get(HttpHeaderNames.HOST))) {
            fail(ctx, new HttpError(HttpResponseStatus.FORBIDDEN, 40301, "requests from pages of " + req.headers().get(HttpHeaderNames.ORIGIN,
                    "another site") + " are not allowed (" + AllowedOrigins.NAME + ")"), false);
            return;
        }
        if (HttpUtil.getContentLength(req, -1L) > gateway.limits().maxBodyBytes()) {
            fail(ctx, tooLarge(), true);
            return;
        }
        if (HttpUtil.is100ContinueExpected(req)) {
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
        }
        if (req.method().equals(HttpMethod.POST) && HttpUtil.isTransferEncodingChunked(req) && req.uri().split("\\?")[0].endsWith("/records")) {
            Exchange exchange = new Exchange(ctx, req, match.params(), new byte[0]);
            try {
                exchange.requireJson();
                stream = gateway.produceStream(exchange);
            } catch (HttpError e) {
                fail(ctx, e, true);
            }
            return;
        }
        body = ctx.alloc().compositeBuffer();
    }

    private void content(ChannelHandlerContext ctx, HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        if (stream != null) {
            stream.feed(content.content());
            if (last) {
                stream.end();
                stream = null;
            }
            return;
        }
        if (discarding || body == null) {
            return;
        }
        if (body.readableBytes() + content.content().readableBytes() > gateway.limits().maxBodyBytes()) {
            fail(ctx, tooLarge(), true);
            return;
        }
        body.addComponent(true, content.content().retain());
        if (last) {
            byte[] bytes = new byte[body.readableBytes()];
            body.readBytes(bytes);
            releaseBody();
            dispatch(ctx, new Exchange(ctx, request, match.params(), bytes));
        }
    }

    private void dispatch(ChannelHandlerContext ctx, Exchange exchange) {
        HttpRequest req = request;
        ctx.channel().config().setAutoRead(false);
        CompletableFuture<Reply> reply;
        try {
            reply = match.handler().handle(exchange);
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        reply.whenComplete((r, error) -> ctx.executor().execute(() -> {
            if (error != null) {
                fail(ctx, unwrap(error), false);
            } else if (r == Reply.STREAMING) {
                takenOver = true;
            } else {
                respond(ctx, req, r);
            }
        }));
    }

    private void respond(ChannelHandlerContext ctx, HttpRequest req, Reply r) {
        ByteBuf content = r.raw() != null ? Unpooled.wrappedBuffer(r.raw())
                : r.body() == null ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(toBytes(r.body()));
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, r.status(), content);
        if (r.raw() != null) {
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType()).set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        } else if (r.body() != null) {
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        }
        write(ctx, req, response, false);
    }

    /** Answers with the error's status and body; {@code close} for requests whose body cannot be read on. */
    private void fail(ChannelHandlerContext ctx, HttpError e, boolean close) {
        releaseBody();
        discarding = true;
        ObjectNode error = Exchange.JSON.createObjectNode().put("error_code", e.errorCode()).put("message", e.getMessage());
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, e.status(), Unpooled.wrappedBuffer(toBytes(error)));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        write(ctx, request, response, close);
    }

    private void write(ChannelHandlerContext ctx, HttpRequest req, FullHttpResponse response, boolean close) {
        boolean keepAlive = !close && req != null && HttpUtil.isKeepAlive(req);
        HttpUtil.setContentLength(response, response.content().readableBytes());
        if (keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        var future = ctx.writeAndFlush(response);
        if (!keepAlive) {
            closeAfter(ctx, future);
        } else {
            ctx.channel().config().setAutoRead(true);
            ctx.read();
        }
    }

    /**
     * Closes once the response is written. A client may still be sending a body the server will not read (a 413 is
     * sent as soon as the headers say too much); closing a socket with unread input resets it, and a reset can reach
     * the client before it has read the response. So the server only shuts its output, drains and drops what still
     * comes for up to {@link #LINGER_MS}, and closes when the client does or that time is up.
     */
    private void closeAfter(ChannelHandlerContext ctx, io.netty.channel.ChannelFuture written) {
        closing = true;
        if (!(ctx.channel() instanceof io.netty.channel.socket.DuplexChannel duplex)) {
            written.addListener(ChannelFutureListener.CLOSE);
            return;
        }
        written.addListener(f -> {
            if (!f.isSuccess()) {
                ctx.close();
                return;
            }
            duplex.shutdownOutput();
            ctx.channel().config().setAutoRead(true);
            ctx.read();
            ctx.executor().schedule(() -> ctx.close(), LINGER_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
        });
    }

    private HttpError unwrap(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof HttpError e) {
            return e;
        }
        HttpError mapped = KafkaErrors.toHttp(cause);
        if (mapped.status().code() >= 500) {
            ERRORS.log("unexpected error", "HTTP {} {} failed", request.method(), request.uri(), cause);
        }
        return mapped;
    }

    private HttpError tooLarge() {
        return new HttpError(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "The request is larger than the " + gateway.limits().maxBodyBytes()
                + " bytes the server accepts.");
    }

    private static byte[] toBytes(Object json) {
        try {
            return Exchange.JSON.writeValueAsBytes(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void releaseBody() {
        if (body != null) {
            body.release();
            body = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseBody();
        if (stream != null) {
            stream.end();
            stream = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof java.io.IOException)) {
            ERRORS.log("connection error", "HTTP connection from {} failed", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
