package dev.brook.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brook.log.LogException;
import dev.brook.log.ThrottledLogger;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * One WebSocket at {@code /ws}: subscribe to topics, unsubscribe and publish, on one socket, in JSON text frames.
 * <pre>
 *  client ▶ {"type":"subscribe","id":"s1","topic":"orders","from":"earliest"}     (also partition, key, format,
 *                                                                                  from_timestamp, position)
 *  server ◀ {"type":"subscribed","id":"s1","position":"0:0,1:0"}
 *  server ◀ {"type":"record","subscription":"s1","position":"0:1,1:0","topic":"orders","partition":0,"offset":0,
 *            "timestamp":1764583200000,"timestamp_type":"CreateTime","key":"k","value":"v","headers":{"h":"x"}}
 *  client ▶ {"type":"unsubscribe","id":"s1"}          server ◀ {"type":"unsubscribed","id":"s1"}
 *  client ▶ {"type":"publish","id":"p1","topic":"orders","key":{"type":"STRING","data":"k"},
 *            "value":{"type":"JSON","data":{"total":12}}}                         (the REST produce format)
 *  server ◀ {"type":"published","id":"p1","partition_id":0,"offset":1,"timestamp":"...", ...}
 *  server ◀ {"type":"error","id":"p1","error_code":40403,"message":"..."}           (for any request that fails)
 * </pre>
 * A subscription's {@code position} is that of its last record, as in an event stream's ids: a client that
 * reconnects and subscribes with {@code "position": "<the last one it saw>"} resumes with no gap and no duplicate.
 * Subscriptions start with the same parameters as event streams ({@link EventStreams}).
 *
 * <p>The socket gets a ping every {@link HttpLimits#heartbeatMs}; a reader that stays behind Netty's write buffer for
 * {@link HttpLimits#stallTimeoutMs} is closed with status 1008. One WebSocket counts as one stream against
 * {@link HttpLimits#maxStreams}. Owned by the connection's event loop.
 */
final class WebSocketSession extends SimpleChannelInboundHandler<WebSocketFrame> {
    private static final Logger log = LoggerFactory.getLogger(WebSocketSession.class);
    private static final ThrottledLogger DISCONNECTS = new ThrottledLogger(log, Level.INFO);

    private final HttpGateway gateway;
    private final WebSocketServerHandshaker handshaker;
    private final Map<String, RecordFollower> subscriptions = new HashMap<>();
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> heartbeat;
    private long behindSinceMs;
    private boolean closed;

    private WebSocketSession(HttpGateway gateway, WebSocketServerHandshaker handshaker) {
        this.gateway = gateway;
        this.handshaker = handshaker;
    }

    /** {@code GET /ws}: the handshake, after which this session replaces the HTTP handler on the connection. */
    static CompletableFuture<Reply> open(HttpGateway gateway, Exchange x) {
        if (!"websocket".equalsIgnoreCase(x.header(HttpHeaderNames.UPGRADE))) {
            throw new HttpError(HttpResponseStatus.UPGRADE_REQUIRED, 426, "/ws speaks WebSocket: send Upgrade: websocket");
        }
        String origin = x.header(HttpHeaderNames.ORIGIN);
        if (!gateway.origins().allowsChange(origin, x.header("Sec-Fetch-Site"), x.header(HttpHeaderNames.HOST))) {
            throw new HttpError(HttpResponseStatus.FORBIDDEN, 40301, "WebSocket connections from pages of " + origin
                    + " are not allowed (" + AllowedOrigins.NAME + ")");
        }
        if (!gateway.openStream()) {
            throw new HttpError(HttpResponseStatus.SERVICE_UNAVAILABLE, 50301, "this server already serves " + gateway.limits().maxStreams()
                    + " streams (brook.http.max.streams)");
        }
        FullHttpRequest request = new DefaultFullHttpRequest(x.request.protocolVersion(), x.request.method(), x.request.uri(),
                Unpooled.EMPTY_BUFFER, x.request.headers(), io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE);
        String url = "ws://" + x.header(HttpHeaderNames.HOST) + "/ws";
        WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(url, null, true, gateway.limits().maxBodyBytes())
                .newHandshaker(request);
        if (handshaker == null) {
            gateway.closeStream();
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(x.ctx.channel());
            return CompletableFuture.completedFuture(Reply.STREAMING);
        }
        WebSocketSession session = new WebSocketSession(gateway, handshaker);
        handshaker.handshake(x.ctx.channel(), request).addListener(f -> {
            if (!f.isSuccess()) {
                gateway.closeStream();
                x.ctx.close();
                return;
            }
            x.ctx.pipeline().addAfter(x.ctx.name(), "ws-aggregator", new WebSocketFrameAggregator(gateway.limits().maxBodyBytes()));
            x.ctx.pipeline().addAfter("ws-aggregator", "ws-session", session);
            x.ctx.pipeline().remove(x.ctx.name());
            x.ctx.channel().config().setAutoRead(true);
        });
        return CompletableFuture.completedFuture(Reply.STREAMING);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext c) {
        this.ctx = c;
        long every = gateway.limits().heartbeatMs();
        heartbeat = c.executor().scheduleAtFixedRate(this::heartbeat, every, every, TimeUnit.MILLISECONDS);
        c.channel().closeFuture().addListener(f -> c.executor().execute(this::close));
    }

    @Override
    protected void channelRead0(ChannelHandlerContext c, WebSocketFrame frame) {
        if (frame instanceof TextWebSocketFrame text) {
            request(text.text());
        } else if (frame instanceof PingWebSocketFrame) {
            c.writeAndFlush(new PongWebSocketFrame(frame.content().retain()));
        } else if (frame instanceof CloseWebSocketFrame) {
            handshaker.close(c.channel(), (CloseWebSocketFrame) frame.retain());
        } else if (!(frame instanceof PongWebSocketFrame)) {
            send(error(null, HttpError.badRequest("frames must be JSON text; binary frames are not read")));
        }
    }

    private void request(String text) {
        JsonNode message;
        try {
            message = Exchange.JSON.readTree(text);
        } catch (IOException e) {
            send(error(null, HttpError.badRequest("a frame must be one JSON object: " + Exchange.firstLine(e.getMessage()))));
            return;
        }
        String id = message.path("id").isTextual() ? message.get("id").asText() : null;
        try {
            switch (message.path("type").asText("")) {
                case "subscribe" -> subscribe(id, message);
                case "unsubscribe" -> unsubscribe(id);
                case "publish" -> publish(id, message);
                default -> throw HttpError.badRequest("type must be subscribe, unsubscribe or publish");
            }
        } catch (HttpError e) {
            send(error(id, e));
        }
    }

    private void subscribe(String id, JsonNode message) {
        if (id == null) {
            throw HttpError.badRequest("a subscription needs an id (a string)");
        }
        if (subscriptions.containsKey(id)) {
            throw HttpError.badRequest("subscription " + id + " exists already");
        }
        String topic = message.path("topic").asText(null);
        if (topic == null) {
            throw HttpError.badRequest("subscribe needs a topic");
        }
        EventStreams.Selection selection = EventStreams.select(gateway, topic,
                name -> message.hasNonNull(name) ? message.get(name).asText() : null, message.path("position").asText(null));
        RecordFollower follower = new RecordFollower(gateway, ctx, selection, new Emitter(id));
        subscriptions.put(id, follower);
        send(Exchange.JSON.createObjectNode().put("type", "subscribed").put("id", id).put("position", follower.position()));
        follower.start();
    }

    private void unsubscribe(String id) {
        RecordFollower follower = id == null ? null : subscriptions.remove(id);
        if (follower == null) {
            throw HttpError.notFound(404, "no subscription " + id);
        }
        follower.close();
        send(Exchange.JSON.createObjectNode().put("type", "unsubscribed").put("id", id));
    }

    private void publish(String id, JsonNode message) {
        String topic = message.path("topic").asText(null);
        if (topic == null) {
            throw HttpError.badRequest("publish needs a topic");
        }
        gateway.produce().produce(topic, message).whenComplete((report, error) -> ctx.executor().execute(() -> {
            if (error != null) {
                send(error(id, KafkaErrors.toHttp(error)));
            } else {
                ObjectNode ack = Exchange.JSON.createObjectNode().put("type", "published");
                if (id != null) {
                    ack.put("id", id);
                }
                ack.setAll(report);
                ack.remove("error_code");
                send(ack);
            }
        }));
    }

    /** Writes one subscription's records as {@code record} frames. */
    private final class Emitter implements RecordFollower.Emitter {
        private final String subscription;

        Emitter(String subscription) {
            this.subscription = subscription;
        }

        @Override
        public int emit(RecordFollower f, int partition, RecordBatch batch, Record record) {
            ObjectNode frame = Exchange.JSON.createObjectNode().put("type", "record").put("subscription", subscription)
                    .put("position", f.position());
            frame.setAll(f.json(partition, batch, record));
            String text = frame.toString();
            ctx.write(new TextWebSocketFrame(text));
            return text.length();
        }

        @Override
        public void failed(LogException e) {
            subscriptions.remove(subscription);
            send(error(subscription, new HttpError(HttpResponseStatus.INTERNAL_SERVER_ERROR, 500, e.getMessage())));
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext c) {
        if (c.channel().isWritable()) {
            behindSinceMs = 0;
            subscriptions.values().forEach(RecordFollower::pump);
        } else if (behindSinceMs == 0) {
            behindSinceMs = System.currentTimeMillis();
        }
        c.fireChannelWritabilityChanged();
    }

    private void heartbeat() {
        if (closed) {
            return;
        }
        if (!ctx.channel().isWritable()) {
            if (behindSinceMs == 0) {
                behindSinceMs = System.currentTimeMillis();
            } else if (System.currentTimeMillis() - behindSinceMs > gateway.limits().stallTimeoutMs()) {
                DISCONNECTS.log("slow reader", "Closing the WebSocket to {}: it has taken nothing for {} ms", ctx.channel().remoteAddress(),
                        gateway.limits().stallTimeoutMs());
                handshaker.close(ctx.channel(), new CloseWebSocketFrame(1008, "reading too slowly"));
                ctx.close();
            }
            return;
        }
        ctx.writeAndFlush(new PingWebSocketFrame());
    }

    private void send(ObjectNode message) {
        ctx.writeAndFlush(new TextWebSocketFrame(message.toString()));
    }

    private static ObjectNode error(String id, HttpError e) {
        ObjectNode error = Exchange.JSON.createObjectNode().put("type", "error");
        if (id != null) {
            error.put("id", id);
        }
        return error.put("error_code", e.errorCode()).put("message", e.getMessage());
    }

    private void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (heartbeat != null) {
            heartbeat.cancel(false);
        }
        subscriptions.values().forEach(RecordFollower::close);
        subscriptions.clear();
        gateway.closeStream();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
        c.close();
    }
}
