package dev.brook.http;

import dev.brook.log.LogException;
import dev.brook.log.ThrottledLogger;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * One Server-Sent Events stream of a topic's records. Each record is one event:
 * <pre>
 *   id: 0:15,1:7
 *   data: {"topic":"t","partition":0,"offset":14,"timestamp":1764583200000,"key":"k","value":"v","headers":{"h":"x"}}
 *
 * </pre>
 * The id is the stream's position after this event ({@link RecordFollower#position}). A client that reconnects with
 * it ({@code Last-Event-ID}, as EventSource does by itself) resumes with no gap and no duplicate. Records skipped by a
 * key filter move the position too: the next heartbeat then carries an id-only event, which sets the browser's last
 * event id without dispatching anything. Otherwise an idle stream gets a {@code : keep-alive} comment every
 * {@link HttpLimits#heartbeatMs}. The first bytes are {@code retry: 1000}, so a browser reconnects after one second.
 *
 * <p>Backpressure: records are read only while the channel is writable (Netty's write buffer stops it at
 * {@link HttpLimits#streamBufferBytes}); a reader that stays behind for {@link HttpLimits#stallTimeoutMs} is
 * disconnected. Owned by the connection's event loop.
 */
final class EventStream implements RecordFollower.Emitter {
    private static final Logger log = LoggerFactory.getLogger(EventStream.class);
    private static final ThrottledLogger DISCONNECTS = new ThrottledLogger(log, Level.INFO);
    private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);

    private final HttpGateway gateway;
    private final ChannelHandlerContext ctx;
    private final RecordFollower follower;
    private ScheduledFuture<?> heartbeat;
    private long behindSinceMs;
    private boolean closed;

    EventStream(HttpGateway gateway, ChannelHandlerContext ctx, EventStreams.Selection selection) {
        this.gateway = gateway;
        this.ctx = ctx;
        this.follower = new RecordFollower(gateway, ctx, selection, this);
    }

    /** Sends the response head and the records already there, and starts following. Event loop only. */
    void start() {
        writeHead(ctx, ": stream of " + follower.topic() + " from " + follower.position());
        long every = gateway.limits().heartbeatMs();
        heartbeat = ctx.executor().scheduleAtFixedRate(this::heartbeat, every, every, TimeUnit.MILLISECONDS);
        ctx.pipeline().addLast("event-stream", new ChannelInboundHandlerAdapter() {
            @Override
            public void channelWritabilityChanged(ChannelHandlerContext c) {
                if (c.channel().isWritable()) {
                    behindSinceMs = 0;
                    follower.pump();
                } else if (behindSinceMs == 0) {
                    behindSinceMs = System.currentTimeMillis();
                }
                c.fireChannelWritabilityChanged();
            }
        });
        ctx.channel().closeFuture().addListener(f -> ctx.executor().execute(this::close));
        follower.start();
    }

    /** The response head of an event stream, then {@code retry: 1000} and a first comment line. */
    static void writeHead(ChannelHandlerContext ctx, String comment) {
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
                .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED)
                .set("X-Accel-Buffering", "no");
        ctx.write(response);
        ctx.writeAndFlush(content(("retry: 1000\n" + comment + "\n\n").getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public int emit(RecordFollower f, int partition, RecordBatch batch, Record record) {
        ByteBuf event;
        try {
            event = Unpooled.wrappedBuffer(("id: " + f.position() + "\ndata: "
                    + Exchange.JSON.writeValueAsString(f.json(partition, batch, record)) + "\n\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        int size = event.readableBytes();
        ctx.write(new DefaultHttpContent(event));
        return size;
    }

    @Override
    public void failed(LogException e) {
        String data = Exchange.JSON.createObjectNode().put("error_code", 500).put("message", e.getMessage()).toString();
        ctx.writeAndFlush(content(("event: error\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8)));
        ctx.close();
    }

    private void heartbeat() {
        if (closed) {
            return;
        }
        if (!ctx.channel().isWritable()) {
            if (behindSinceMs == 0) {
                behindSinceMs = System.currentTimeMillis();
            } else if (System.currentTimeMillis() - behindSinceMs > gateway.limits().stallTimeoutMs()) {
                DISCONNECTS.log("slow reader", "Closing the event stream of {} to {}: it has taken nothing for {} ms with {} bytes queued",
                        follower.topic(), ctx.channel().remoteAddress(), gateway.limits().stallTimeoutMs(), gateway.limits().streamBufferBytes());
                ctx.close();
            }
            return;
        }
        byte[] beat = follower.takeSkipped() ? ("id: " + follower.position() + "\n\n").getBytes(StandardCharsets.US_ASCII) : KEEP_ALIVE;
        ctx.writeAndFlush(content(beat));
    }

    private void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (heartbeat != null) {
            heartbeat.cancel(false);
        }
        follower.close();
        gateway.closeStream();
    }

    private static DefaultHttpContent content(byte[] bytes) {
        return new DefaultHttpContent(Unpooled.wrappedBuffer(bytes));
    }
}
