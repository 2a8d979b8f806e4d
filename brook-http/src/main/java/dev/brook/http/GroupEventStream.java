package dev.brook.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brook.log.ThrottledLogger;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * An event stream that is a member of a consumer group ({@code GET /events/{topic}?group=G}): a kafka-clients consumer
 * in group G (the consumer protocol, KIP-848) on the broker's own listener. The group shares the topic's partitions
 * among its members, HTTP clients and Kafka clients alike, so several readers of one group each get a part of the
 * records and together all of them; a reader that goes away hands its partitions to the others within seconds.
 *
 * <p>What is committed is what was delivered: an offset is committed (every second, when a partition is taken away,
 * and when the stream ends) only after the bytes of its event, and of every event before it, were written to the
 * socket. So delivery is at least once: events written but not yet committed when a reader vanishes are sent again,
 * to whichever member gets the partition next. A reconnecting EventSource sends {@code Last-Event-ID}; for a partition
 * this member is given, a position there ahead of the group's commit is taken as seen, so a browser's reconnect does
 * not repeat what it showed already.
 *
 * <p>Events are those of {@link EventStream} (same JSON), with the id naming the partitions this member has sent from.
 * Comments say when the member's assignment changes ({@code : assigned 0,2}). Backpressure: while the socket's buffer
 * ({@link HttpLimits#streamBufferBytes}) is full the consumer pauses, and a reader behind for
 * {@link HttpLimits#stallTimeoutMs} is disconnected. Each such stream holds a consumer and a thread, so they are
 * bounded by {@link HttpLimits#maxGroupStreams}.
 */
final class GroupEventStream {
    private static final Logger log = LoggerFactory.getLogger(GroupEventStream.class);
    private static final ThrottledLogger PROBLEMS = new ThrottledLogger(log, Level.INFO);
    private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final long COMMIT_INTERVAL_MS = 1_000;
    private static final java.util.concurrent.atomic.AtomicLong IDS = new java.util.concurrent.atomic.AtomicLong();

    private final HttpGateway gateway;
    private final ChannelHandlerContext ctx;
    private final Channel channel;
    private final String topic;
    private final String group;
    private final byte[] keyFilter;
    private final boolean binary;
    private final Map<Integer, Long> resumeFrom;
    private final Map<String, Object> consumerConfig = new HashMap<>();
    /** Made on the stream's own thread (a consumer takes tens of milliseconds to build: not on an event loop). */
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    /** Per partition, the next offset after the last event handed to the socket (consumer thread only). */
    private final Map<TopicPartition, Long> sent = new HashMap<>();
    /** Per partition, the next offset after the last event the socket has taken (set by write listeners). */
    private final Map<TopicPartition, Long> delivered = new ConcurrentHashMap<>();
    private final Map<TopicPartition, Long> committed = new HashMap<>();
    private ChannelFuture lastFlush;
    /** Moves on whenever partitions are given or taken: a flush begun before counts for nothing after. */
    private volatile long assignmentGeneration;
    private boolean paused;
    private volatile boolean closed;

    GroupEventStream(HttpGateway gateway, ChannelHandlerContext ctx, String topic, String group, String reset, String key,
                     boolean binary, Map<Integer, Long> resumeFrom) {
        this.gateway = gateway;
        this.ctx = ctx;
        this.channel = ctx.channel();
        this.topic = topic;
        this.group = group;
        this.keyFilter = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
        this.binary = binary;
        this.resumeFrom = resumeFrom;
        Map<String, Object> c = consumerConfig;
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, gateway.broker().bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        c.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, "brook-http-sse-" + IDS.incrementAndGet()); // unique: kafka-clients registers it in JMX
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, reset);
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 200);
        this.thread = new Thread(this::run, "brook-http-sse-" + group);
        thread.setDaemon(true);
    }

    /** Sends the response head and starts the member. Event loop only. */
    void start() {
        EventStream.writeHead(ctx, ": stream of " + topic + " as a member of group " + group);
        channel.closeFuture().addListener(f -> stop());
        thread.start();
    }

    /** Ends the stream (the reader went away, or the gateway closes): the member commits what was delivered and leaves. */
    void stop() {
        closed = true;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup(); // a consumer made after this sees closed and never polls
        }
    }

    /** Waits for the member to have left its group, at most {@code timeoutMs}. */
    void join(long timeoutMs) throws InterruptedException {
        thread.join(timeoutMs);
    }

    private void run() {
        long lastCommit = System.currentTimeMillis();
        long lastBeat = lastCommit;
        long behindSince = 0;
        try {
            consumer = new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            consumer.subscribe(List.of(topic), new Rebalance());
            while (!closed) {
                long now = System.currentTimeMillis();
                boolean writable = channel.isWritable();
                if (writable == paused) {
                    if (writable) {
                        consumer.resume(consumer.assignment());
                        behindSince = 0;
                    } else {
                        consumer.pause(consumer.assignment());
                        behindSince = now;
                    }
                    paused = !writable;
                }
                if (paused && now - behindSince > gateway.limits().stallTimeoutMs()) {
                    PROBLEMS.log("slow reader", "Closing the event stream of {} (group {}) to {}: it has taken nothing for {} ms",
                            topic, group, channel.remoteAddress(), gateway.limits().stallTimeoutMs());
                    channel.close();
                    break;
                }
                boolean polled = false;
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(paused ? 50 : 100))) {
                    polled = true;
                    sent.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
                    if (keyFilter == null || (r.key() != null && Arrays.equals(r.key(), keyFilter))) {
                        channel.write(event(r));
                    }
                }
                now = System.currentTimeMillis();
                if (polled) {
                    flush(null); // records the key filter skipped count as delivered once what came before them is
                } else if (!paused && now - lastBeat >= gateway.limits().heartbeatMs()) {
                    flush(KEEP_ALIVE);
                    lastBeat = now;
                }
                if (now - lastCommit >= COMMIT_INTERVAL_MS) {
                    commit(false);
                    lastCommit = now;
                }
            }
        } catch (WakeupException e) {
            // stopping
        } catch (RuntimeException e) {
            PROBLEMS.log("member failed", "The event stream of {} (group {}) to {} stopped", topic, group, channel.remoteAddress(), e);
            channel.close();
        } finally {
            finish();
        }
    }

    /** Flushes what was written (plus {@code extra}, if any); once the socket has taken it, the positions sent so far are delivered. */
    private void flush(byte[] extra) {
        Map<TopicPartition, Long> upTo = Map.copyOf(sent);
        long generation = assignmentGeneration;
        ChannelFuture f = extra == null ? channel.writeAndFlush(Unpooled.EMPTY_BUFFER)
                : channel.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(extra)));
        f.addListener(done -> {
            // flushes complete in the order they were made, so each one's positions are the latest delivered; one made
            // before a rebalance may name partitions since taken away, and must not bring them back
            if (done.isSuccess() && generation == assignmentGeneration) {
                delivered.putAll(upTo);
            }
        });
        lastFlush = f;
    }

    /** Commits the delivered positions that moved (of {@code only} partitions, or all when null). */
    private void commit(boolean sync) {
        commit(sync, null);
    }

    private void commit(boolean sync, Collection<TopicPartition> only) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        Set<TopicPartition> owned = consumer.assignment();
        delivered.forEach((tp, offset) -> {
            if (owned.contains(tp) && (only == null || only.contains(tp)) && !offset.equals(committed.get(tp))) {
                offsets.put(tp, new OffsetAndMetadata(offset));
            }
        });
        if (offsets.isEmpty()) {
            return;
        }
        if (sync) {
            consumer.commitSync(offsets, Duration.ofSeconds(2));
            offsets.forEach((tp, o) -> committed.put(tp, o.offset()));
        } else {
            consumer.commitAsync(offsets, (done, error) -> {
                if (error == null) {
                    done.forEach((tp, o) -> committed.put(tp, o.offset()));
                }
            });
        }
    }

    /** Waits (briefly) for the last flush, so what the socket took is committed. */
    private void awaitLastFlush() {
        ChannelFuture f = lastFlush;
        if (f != null) {
            f.awaitUninterruptibly(1_000);
        }
    }

    private void finish() {
        if (consumer == null) { // it could not be made: nothing joined, nothing to commit
            channel.close();
            gateway.closeGroupStream(this);
            return;
        }
        try {
            awaitLastFlush();
            try {
                commit(true);
            } catch (WakeupException e) {
                commit(true); // the wakeup that asked us to stop landed here; the offsets are still to do
            }
        } catch (RuntimeException e) {
            PROBLEMS.log("last commit", "Event stream of {} (group {}): the last commit failed; some records will be sent again",
                    topic, group, e);
        } finally {
            try {
                consumer.close(Duration.ofSeconds(1));
            } catch (RuntimeException e) {
                PROBLEMS.log("close", "Event stream of {} (group {}): closing its consumer failed", topic, group, e);
            }
            channel.close();
            gateway.closeGroupStream(this);
        }
    }

    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (partitions.isEmpty()) {
                return;
            }
            flush(null);
            awaitLastFlush();
            try {
                try {
                    commit(true, partitions);
                } catch (WakeupException e) {
                    commit(true, partitions); // the stream is stopping; the wakeup is spent, the offsets are still to do
                }
            } catch (RuntimeException e) {
                PROBLEMS.log("revoke commit", "Event stream of {} (group {}): a commit on giving up partitions failed", topic, group, e);
            }
            forget(partitions);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            forget(partitions); // owned elsewhere by now: nothing of them may be committed
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            assignmentGeneration++;
            if (!resumeFrom.isEmpty() && !partitions.isEmpty()) {
                Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(5));
                for (TopicPartition tp : partitions) {
                    Long seen = resumeFrom.get(tp.partition());
                    // a position past the end (a made-up id, a restarted in-memory topic, a recreated topic) is not taken
                    if (seen != null && seen > consumer.position(tp) && seen <= ends.getOrDefault(tp, -1L)) {
                        consumer.seek(tp, seen);
                        sent.put(tp, seen);
                    }
                }
            }
            if (paused) {
                consumer.pause(partitions); // the socket is still full: these wait with the others
            }
            announce(Set.of());
        }

        private void forget(Collection<TopicPartition> partitions) {
            assignmentGeneration++;
            partitions.forEach(tp -> {
                sent.remove(tp);
                delivered.remove(tp);
                committed.remove(tp);
            });
            announce(partitions);
        }

        /** A comment naming the partitions this member now owns: its assignment less {@code leaving}. */
        private void announce(Collection<TopicPartition> leaving) {
            java.util.TreeSet<Integer> owned = new java.util.TreeSet<>();
            consumer.assignment().stream().filter(tp -> !leaving.contains(tp)).forEach(tp -> owned.add(tp.partition()));
            String list = owned.isEmpty() ? "none" : String.join(",", owned.stream().map(String::valueOf).toList());
            channel.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer((": assigned " + list + "\n\n").getBytes(StandardCharsets.US_ASCII))));
        }
    }

    private DefaultHttpContent event(ConsumerRecord<byte[], byte[]> r) {
        ObjectNode data = Exchange.JSON.createObjectNode().put("topic", r.topic()).put("partition", r.partition())
                .put("offset", r.offset()).put("timestamp", r.timestamp()).put("timestamp_type", r.timestampType().name);
        put(data, "key", r.key());
        put(data, "value", r.value());
        Header[] headers = r.headers().toArray();
        if (headers.length > 0) {
            ObjectNode h = data.putObject("headers");
            for (Header header : headers) {
                put(h, header.key(), header.value());
            }
        }
        try {
            return new DefaultHttpContent(Unpooled.wrappedBuffer(("id: " + position() + "\ndata: " + Exchange.JSON.writeValueAsString(data)
                    + "\n\n").getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void put(ObjectNode node, String field, byte[] bytes) {
        if (bytes == null) {
            node.putNull(field);
        } else {
            node.put(field, binary ? Base64.getEncoder().encodeToString(bytes) : new String(bytes, StandardCharsets.UTF_8));
        }
    }

    /** The partitions this member has sent from, {@code partition:next offset}, as {@link RecordFollower#position} writes them. */
    private String position() {
        TreeMap<Integer, Long> byPartition = new TreeMap<>();
        sent.forEach((tp, o) -> byPartition.put(tp.partition(), o));
        StringBuilder sb = new StringBuilder();
        byPartition.forEach((p, o) -> sb.append(sb.length() == 0 ? "" : ",").append(p).append(':').append(o));
        return sb.toString();
    }

    String group() {
        return group;
    }

}
