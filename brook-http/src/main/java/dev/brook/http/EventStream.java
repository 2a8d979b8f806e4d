package dev.brook.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brook.broker.cluster.Partition;
import dev.brook.log.Log;
import dev.brook.log.LogException;
import dev.brook.log.ReadResult;
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
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
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
 * The id is the stream's position after this event: for every partition streamed, the next offset to send. A client
 * that reconnects with it ({@code Last-Event-ID}, as EventSource does by itself) resumes with no gap and no duplicate.
 * Records skipped by a key filter move the position too: the next heartbeat then carries an id-only event, which sets
 * the browser's last event id without dispatching anything. Otherwise an idle stream gets a {@code : keep-alive}
 * comment every {@link HttpLimits#heartbeatMs}. The first bytes are {@code retry: 1000}, so a browser reconnects
 * after one second.
 *
 * <p>The stream reads the partitions' logs in process, from the connection's event loop, whenever an append wakes it
 * ({@link dev.brook.broker.handler.DelayedFetches#watch}) or the socket drains. Backpressure: it writes only while
 * the channel is writable (Netty's write buffer stops it at {@link HttpLimits#streamBufferBytes}); a reader that
 * stays behind for {@link HttpLimits#stallTimeoutMs} is disconnected. At most 256 KiB is written per turn, so one
 * busy stream does not starve the others on its event loop.
 */
final class EventStream {
    private static final Logger log = LoggerFactory.getLogger(EventStream.class);
    private static final ThrottledLogger DISCONNECTS = new ThrottledLogger(log, Level.INFO);
    private static final int TURN_BYTES = 256 * 1024;
    private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);

    private final HttpGateway gateway;
    private final ChannelHandlerContext ctx;
    private final String topic;
    private final List<Partition> partitions;
    private final long[] next;
    private final byte[] keyFilter;
    private final boolean binary;
    private final AtomicBoolean wakeScheduled = new AtomicBoolean();
    private AutoCloseable watch;
    private ScheduledFuture<?> heartbeat;
    private boolean idUnsent;
    private long behindSinceMs;
    private boolean closed;

    EventStream(HttpGateway gateway, ChannelHandlerContext ctx, String topic, List<Partition> partitions, Map<Integer, Long> positions,
                String keyFilter, boolean binary) {
        this.gateway = gateway;
        this.ctx = ctx;
        this.topic = topic;
        this.partitions = partitions;
        this.next = new long[partitions.size()];
        for (int i = 0; i < partitions.size(); i++) {
            next[i] = positions.get(partitions.get(i).topicPartition().partition());
        }
        this.keyFilter = keyFilter == null ? null : keyFilter.getBytes(StandardCharsets.UTF_8);
        this.binary = binary;
    }

    /** Sends the response head and the records already there, and starts listening for appends. Event loop only. */
    void start() {
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
                .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED)
                .set("X-Accel-Buffering", "no");
        ctx.write(response);
        ctx.writeAndFlush(content(("retry: 1000\n: stream of " + topic + " from " + id() + "\n\n").getBytes(StandardCharsets.UTF_8)));
        List<TopicPartition> tps = new ArrayList<>();
        partitions.forEach(p -> tps.add(p.topicPartition()));
        watch = gateway.broker().node().fetches().watch(tps, this::wake);
        long every = gateway.limits().heartbeatMs();
        heartbeat = ctx.executor().scheduleAtFixedRate(this::heartbeat, every, every, TimeUnit.MILLISECONDS);
        ctx.pipeline().addLast("event-stream", new ChannelInboundHandlerAdapter() {
            @Override
            public void channelWritabilityChanged(ChannelHandlerContext c) {
                pump();
                c.fireChannelWritabilityChanged();
            }
        });
        ctx.channel().closeFuture().addListener(f -> ctx.executor().execute(this::close));
        pump();
    }

    /** Called on whatever thread appended: only schedules a pump on this stream's event loop. */
    private void wake() {
        if (wakeScheduled.compareAndSet(false, true)) {
            ctx.executor().execute(() -> {
                wakeScheduled.set(false);
                pump();
            });
        }
    }

    /** Sends what the logs hold past the stream's position, while the channel takes it. */
    private void pump() {
        if (closed) {
            return;
        }
        if (!ctx.channel().isWritable()) {
            if (behindSinceMs == 0) {
                behindSinceMs = System.currentTimeMillis();
            }
            return;
        }
        behindSinceMs = 0;
        int written = 0;
        try {
            boolean progressed = true;
            while (progressed && written < TURN_BYTES && ctx.channel().isWritable()) {
                progressed = false;
                for (int i = 0; i < partitions.size() && written < TURN_BYTES && ctx.channel().isWritable(); i++) {
                    int before = written;
                    long was = next[i];
                    written += sendFrom(i, TURN_BYTES - written);
                    progressed |= written > before || next[i] > was;
                }
            }
        } catch (LogException e) {
            ctx.writeAndFlush(content(("event: error\ndata: " + json(Exchange.JSON.createObjectNode().put("error_code", 500)
                    .put("message", e.getMessage())) + "\n\n").getBytes(StandardCharsets.UTF_8)));
            ctx.close();
            return;
        }
        if (written > 0) {
            ctx.flush();
        }
        if (written >= TURN_BYTES && ctx.channel().isWritable()) {
            ctx.executor().execute(this::pump); // more to send: after the other work queued on this loop
        }
    }

    /** Sends records of partition {@code i} from its position, up to about {@code budget} bytes; returns bytes written. */
    private int sendFrom(int i, int budget) {
        Log l = partitions.get(i).log();
        if (next[i] < l.logStartOffset()) {
            next[i] = l.logStartOffset(); // retention or DeleteRecords removed what this stream had not sent yet
        }
        if (next[i] >= l.logEndOffset()) {
            return 0;
        }
        ReadResult read = l.read(next[i], Math.min(budget, 1 << 20));
        int written = 0;
        int partition = partitions.get(i).topicPartition().partition();
        for (RecordBatch batch : read.records().batches()) {
            for (Record r : batch) {
                if (r.offset() < next[i]) {
                    continue;
                }
                next[i] = r.offset() + 1;
                if (keyFilter != null && !keyMatches(r)) {
                    idUnsent = true;
                    continue;
                }
                ByteBuf event = event(partition, batch, r);
                written += event.readableBytes();
                ctx.write(new DefaultHttpContent(event));
                idUnsent = false;
            }
            next[i] = Math.max(next[i], batch.nextOffset());
            if (written >= budget || !ctx.channel().isWritable()) {
                break;
            }
        }
        return written;
    }

    private boolean keyMatches(Record r) {
        if (!r.hasKey() || r.keySize() != keyFilter.length) {
            return false;
        }
        ByteBuffer key = r.key();
        for (byte b : keyFilter) {
            if (key.get() != b) {
                return false;
            }
        }
        return true;
    }

    private ByteBuf event(int partition, RecordBatch batch, Record r) {
        ObjectNode data = Exchange.JSON.createObjectNode().put("topic", topic).put("partition", partition).put("offset", r.offset())
                .put("timestamp", r.timestamp()).put("timestamp_type", batch.timestampType().name);
        put(data, "key", r.key());
        put(data, "value", r.value());
        if (r.headers().length > 0) {
            ObjectNode headers = data.putObject("headers");
            for (Header h : r.headers()) {
                headers.put(h.key(), h.value() == null ? null : binary ? Base64.getEncoder().encodeToString(h.value())
                        : new String(h.value(), StandardCharsets.UTF_8));
            }
        }
        return Unpooled.wrappedBuffer(("id: " + id() + "\ndata: " + json(data) + "\n\n").getBytes(StandardCharsets.UTF_8));
    }

    private void put(ObjectNode data, String field, ByteBuffer bytes) {
        if (bytes == null) {
            data.putNull(field);
            return;
        }
        byte[] b = new byte[bytes.remaining()];
        bytes.get(b);
        data.put(field, binary ? Base64.getEncoder().encodeToString(b) : new String(b, StandardCharsets.UTF_8));
    }

    private void heartbeat() {
        if (closed) {
            return;
        }
        if (!ctx.channel().isWritable()) {
            if (behindSinceMs > 0 && System.currentTimeMillis() - behindSinceMs > gateway.limits().stallTimeoutMs()) {
                DISCONNECTS.log("slow reader", "Closing the event stream of {} to {}: it has read nothing for {} ms with {} bytes queued",
                        topic, ctx.channel().remoteAddress(), gateway.limits().stallTimeoutMs(), gateway.limits().streamBufferBytes());
                ctx.close();
            }
            return;
        }
        byte[] beat = idUnsent ? ("id: " + id() + "\n\n").getBytes(StandardCharsets.US_ASCII) : KEEP_ALIVE;
        idUnsent = false;
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
        if (watch != null) {
            try {
                watch.close();
            } catch (Exception ignored) {
                // unparking cannot fail
            }
        }
        gateway.closeStream();
    }

    /** The stream's position, {@code partition:next offset} for each partition, comma-separated. */
    private String id() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < partitions.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(partitions.get(i).topicPartition().partition()).append(':').append(next[i]);
        }
        return sb.toString();
    }

    /** The positions an event id names. */
    static Map<Integer, Long> parseId(String id) {
        Map<Integer, Long> positions = new LinkedHashMap<>();
        for (String part : Arrays.asList(id.trim().split(","))) {
            int colon = part.indexOf(':');
            try {
                positions.put(Integer.parseInt(part.substring(0, colon).trim()), Long.parseLong(part.substring(colon + 1).trim()));
            } catch (RuntimeException e) {
                throw HttpError.badRequest("Last-Event-ID must be partition:offset pairs separated by commas, not " + id);
            }
        }
        return positions;
    }

    private static DefaultHttpContent content(byte[] bytes) {
        return new DefaultHttpContent(Unpooled.wrappedBuffer(bytes));
    }

    private static String json(ObjectNode node) {
        try {
            return Exchange.JSON.writeValueAsString(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
