package dev.brook.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brook.broker.cluster.Partition;
import dev.brook.broker.cluster.Topic;
import dev.brook.log.LogException;
import dev.brook.log.ReadResult;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * {@code POST /request/{topic}?timeout_ms=5000}: request-reply over HTTP, by the convention of brook-client's
 * {@code ReplyHeaders}. The body is one record in the REST produce format; it is published to {@code topic} with the
 * headers {@code reply-to: __brook_http_replies} and a fresh {@code correlation-id}, and the HTTP response is the
 * first record on {@code __brook_http_replies} carrying that id, as JSON (the event streams' record shape), or 504
 * after the timeout (default 30 s, at most 5 minutes). Any Kafka client can be the responder: it reads requests,
 * and writes its reply to the {@code reply-to} topic with the request's {@code correlation-id}.
 *
 * <p>The reply topic (created on first use, 3 partitions) is followed in process from its end, by one thread of its
 * own woken by appends; replies to ids nobody waits for (late ones) are dropped.
 */
final class RequestReplyResource implements AutoCloseable {
    static final String REPLY_TOPIC = "__brook_http_replies";
    private static final long DEFAULT_TIMEOUT_MS = 30_000;
    private static final long MAX_TIMEOUT_MS = 300_000;

    private final HttpGateway gateway;
    private final Map<String, CompletableFuture<ObjectNode>> waiting = new ConcurrentHashMap<>();
    private final ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "brook-http-replies");
        t.setDaemon(true);
        return t;
    });
    private final AtomicBoolean readScheduled = new AtomicBoolean();
    private volatile List<Partition> partitions;
    private long[] next;
    private AutoCloseable watch;

    RequestReplyResource(HttpGateway gateway) {
        this.gateway = gateway;
    }

    CompletableFuture<Reply> request(Exchange x) {
        String topic = x.path("topic_name");
        long timeoutMs;
        try {
            timeoutMs = Long.parseLong(x.query("timeout_ms", String.valueOf(DEFAULT_TIMEOUT_MS)));
        } catch (NumberFormatException e) {
            throw HttpError.badRequest("timeout_ms must be a number of milliseconds");
        }
        if (timeoutMs <= 0 || timeoutMs > MAX_TIMEOUT_MS) {
            throw HttpError.badRequest("timeout_ms must be between 1 and " + MAX_TIMEOUT_MS);
        }
        ObjectNode record = x.jsonBody();
        follow();
        String id = UUID.randomUUID().toString();
        ArrayNode headers = record.has("headers") && record.get("headers").isArray() ? (ArrayNode) record.get("headers") : record.putArray("headers");
        headers.addObject().put("name", "reply-to").put("value", base64(REPLY_TOPIC));
        headers.addObject().put("name", "correlation-id").put("value", base64(id));
        CompletableFuture<ObjectNode> reply = new CompletableFuture<>();
        waiting.put(id, reply);
        x.ctx.executor().schedule(() -> {
            if (waiting.remove(id) != null) {
                reply.completeExceptionally(new HttpError(HttpResponseStatus.GATEWAY_TIMEOUT, 504, "no reply on " + REPLY_TOPIC
                        + " within " + timeoutMs + " ms (a responder writes its reply there with the request's correlation-id)"));
            }
        }, timeoutMs, TimeUnit.MILLISECONDS);
        return gateway.produce().produce(topic, record)
                .exceptionally(e -> {
                    waiting.remove(id);
                    throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
                })
                .thenCompose(sent -> reply)
                .thenApply(Reply::ok);
    }

    /** Starts following the reply topic, creating it first, once. */
    private void follow() {
        if (partitions != null) {
            return;
        }
        synchronized (this) {
            if (partitions != null) {
                return;
            }
            Topic topic = gateway.broker().topics().createInternal(REPLY_TOPIC, 3, Map.of());
            List<Partition> list = new ArrayList<>(topic.partitions());
            long[] positions = new long[list.size()];
            List<TopicPartition> tps = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                positions[i] = list.get(i).logEndOffset();
                tps.add(list.get(i).topicPartition());
            }
            next = positions;
            partitions = list;
            watch = gateway.broker().node().fetches().watch(tps, this::wake);
        }
    }

    private void wake() {
        if (readScheduled.compareAndSet(false, true)) {
            reader.execute(() -> {
                readScheduled.set(false);
                readReplies();
            });
        }
    }

    /** Reads what arrived on the reply topic and completes the requests waiting for it. Reader thread only. */
    private void readReplies() {
        List<Partition> list = partitions;
        for (int i = 0; i < list.size(); i++) {
            Partition log = list.get(i);
            try {
                while (next[i] < log.logEndOffset()) {
                    long before = next[i];
                    ReadResult read = log.read(Math.max(next[i], log.logStartOffset()), 1 << 20);
                    for (RecordBatch batch : read.records().batches()) {
                        if (batch.isControlBatch()) {
                            next[i] = Math.max(next[i], batch.nextOffset()); // a transaction marker: no reply
                            continue;
                        }
                        for (Record r : batch) {
                            if (r.offset() >= next[i]) {
                                next[i] = r.offset() + 1;
                                complete(list.get(i).topicPartition().partition(), batch, r);
                            }
                        }
                        next[i] = Math.max(next[i], batch.nextOffset());
                    }
                    if (next[i] == before) {
                        break;
                    }
                }
            } catch (LogException e) {
                next[i] = log.logEndOffset(); // a damaged reply: its requester times out
            }
        }
    }

    private void complete(int partition, RecordBatch batch, Record r) {
        for (Header h : r.headers()) {
            if (h.key().equals("correlation-id") && h.value() != null) {
                CompletableFuture<ObjectNode> reply = waiting.remove(new String(h.value(), StandardCharsets.UTF_8));
                if (reply != null) {
                    reply.complete(json(partition, batch, r));
                }
                return;
            }
        }
    }

    private static ObjectNode json(int partition, RecordBatch batch, Record r) {
        ObjectNode data = Exchange.JSON.createObjectNode().put("topic", REPLY_TOPIC).put("partition", partition).put("offset", r.offset())
                .put("timestamp", r.timestamp()).put("timestamp_type", batch.timestampType().name);
        data.put("key", r.hasKey() ? utf8(r.key()) : null);
        data.put("value", r.hasValue() ? utf8(r.value()) : null);
        ObjectNode headers = data.putObject("headers");
        for (Header h : r.headers()) {
            headers.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
        }
        return data;
    }

    private static String utf8(java.nio.ByteBuffer b) {
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static String base64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        if (watch != null) {
            try {
                watch.close();
            } catch (Exception ignored) {
                // unparking cannot fail
            }
        }
        reader.shutdownNow();
    }
}
