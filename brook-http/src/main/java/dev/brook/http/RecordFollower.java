package dev.brook.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brook.broker.cluster.Partition;
import dev.brook.log.AbortedTransaction;
import dev.brook.log.LogException;
import dev.brook.log.ReadResult;
import io.netty.channel.ChannelHandlerContext;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Follows a selection of a topic's partitions from given positions and hands every record past them to an
 * {@link Emitter}, as they are appended: what an SSE event stream and a WebSocket subscription share.
 *
 * <p>It reads the logs in process, on its channel's event loop, whenever an append wakes it
 * ({@link dev.brook.broker.handler.DelayedFetches#watch}) or its owner calls {@link #pump} (the socket drained). It
 * writes only while the channel is writable, and at most 256 KiB per turn, so one busy follower does not starve the
 * others on its event loop. Its position, {@code partition:next offset} for each partition, comma-separated, is what
 * a client hands back to resume with no gap and no duplicate.
 *
 * <p>Owned by its channel's event loop; {@link #wake} alone may be called from any thread.
 */
final class RecordFollower {
    private static final int TURN_BYTES = 256 * 1024;

    /** Where followed records go. Every method runs on the follower's event loop. */
    interface Emitter {
        /** Writes (without flushing) one record; returns the bytes written. */
        int emit(RecordFollower follower, int partition, RecordBatch batch, Record record);

        /** A log could not be read (a damaged segment): the follower stops. */
        void failed(LogException e);
    }

    private final HttpGateway gateway;
    private final ChannelHandlerContext ctx;
    private final String topic;
    private final List<Partition> partitions;
    private final long[] next;
    private final byte[] keyFilter;
    private final boolean binary;
    private final Emitter emitter;
    private final AtomicBoolean wakeScheduled = new AtomicBoolean();
    private AutoCloseable watch;
    private boolean skipped;
    private boolean closed;

    RecordFollower(HttpGateway gateway, ChannelHandlerContext ctx, EventStreams.Selection selection, Emitter emitter) {
        this.gateway = gateway;
        this.ctx = ctx;
        this.topic = selection.topic();
        this.partitions = selection.partitions();
        this.next = new long[partitions.size()];
        for (int i = 0; i < partitions.size(); i++) {
            next[i] = selection.positions().get(partitions.get(i).topicPartition().partition());
        }
        this.keyFilter = selection.key() == null ? null : selection.key().getBytes(StandardCharsets.UTF_8);
        this.binary = selection.binary();
        this.emitter = emitter;
    }

    /** Starts listening for appends and sends what is there already. */
    void start() {
        List<TopicPartition> tps = new ArrayList<>();
        partitions.forEach(p -> tps.add(p.topicPartition()));
        watch = gateway.broker().node().fetches().watch(tps, this::wake);
        pump();
    }

    /** Called on whatever thread appended: only schedules a pump on this follower's event loop. */
    void wake() {
        if (wakeScheduled.compareAndSet(false, true)) {
            ctx.executor().execute(() -> {
                wakeScheduled.set(false);
                pump();
            });
        }
    }

    /** Sends what the logs hold past the position while the channel takes it; flushes what it wrote. */
    void pump() {
        if (closed || !ctx.channel().isWritable()) {
            return;
        }
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
            close();
            emitter.failed(e);
            return;
        }
        if (written > 0) {
            ctx.flush();
        }
        if (written >= TURN_BYTES && ctx.channel().isWritable()) {
            ctx.executor().execute(this::pump); // more to send: after the other work queued on this loop
        }
    }

    private int sendFrom(int i, int budget) {
        Partition l = partitions.get(i);
        if (next[i] < l.logStartOffset()) {
            next[i] = l.logStartOffset(); // retention or DeleteRecords removed what had not been sent yet
        }
        long stable = l.lastStableOffset(); // read committed: open transactions are not followed yet
        if (next[i] >= stable) {
            return 0;
        }
        ReadResult read = l.read(next[i], Math.min(budget, 1 << 20), stable);
        List<AbortedTransaction> aborted = l.abortedTransactions(next[i], stable);
        int written = 0;
        int partition = partitions.get(i).topicPartition().partition();
        for (RecordBatch batch : read.records().batches()) {
            if (batch.isControlBatch() || (batch.isTransactional()
                    && AbortedTransaction.anyCovers(aborted, batch.producerId(), batch.baseOffset()))) {
                next[i] = Math.max(next[i], batch.nextOffset()); // a commit/abort marker, or an aborted write
                continue;
            }
            for (Record r : batch) {
                if (r.offset() < next[i]) {
                    continue;
                }
                next[i] = r.offset() + 1;
                if (keyFilter != null && !keyMatches(r)) {
                    skipped = true;
                    continue;
                }
                skipped = false;
                written += emitter.emit(this, partition, batch, r);
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

    /** Whether records were skipped by the key filter since the last one emitted (the position moved unseen). */
    boolean takeSkipped() {
        boolean was = skipped;
        skipped = false;
        return was;
    }

    /** The record as the JSON both SSE and WebSocket send: topic, partition, offset, timestamp, key, value, headers. */
    ObjectNode json(int partition, RecordBatch batch, Record r) {
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
        return data;
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

    /** The position: for every partition followed, the next offset to send. */
    String position() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < partitions.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(partitions.get(i).topicPartition().partition()).append(':').append(next[i]);
        }
        return sb.toString();
    }

    String topic() {
        return topic;
    }

    /** Stops listening for appends. Idempotent. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (watch != null) {
            try {
                watch.close();
            } catch (Exception ignored) {
                // unparking cannot fail
            }
        }
    }

    /** The positions a position string names. */
    static Map<Integer, Long> parsePosition(String position) {
        Map<Integer, Long> positions = new LinkedHashMap<>();
        for (String part : Arrays.asList(position.trim().split(","))) {
            int colon = part.indexOf(':');
            try {
                positions.put(Integer.parseInt(part.substring(0, colon).trim()), Long.parseLong(part.substring(colon + 1).trim()));
            } catch (RuntimeException e) {
                throw HttpError.badRequest("a position must be partition:offset pairs separated by commas, not " + position);
            }
        }
        return positions;
    }
}
