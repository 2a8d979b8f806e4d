package dev.brook.http;

import dev.brook.broker.cluster.Partition;
import dev.brook.broker.cluster.Topic;
import dev.brook.log.Log;
import dev.brook.log.TimestampOffset;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * {@code GET /events/{topic}} (also {@code /v3/clusters/{cluster_id}/topics/{topic}/events}): a topic's records as
 * Server-Sent Events, as they are appended. Query parameters:
 * <ul>
 *   <li>{@code from}: {@code latest} (the default), {@code earliest}, or an offset (every partition streamed starts
 *       there, or at its start if later);</li>
 *   <li>{@code from_timestamp}: an RFC 3339 date-time or epoch milliseconds: each partition starts at its first record
 *       at or after it;</li>
 *   <li>{@code partition}: stream only this partition;</li>
 *   <li>{@code key}: only records with this key (UTF-8); the others are skipped, not sent;</li>
 *   <li>{@code format}: how keys and values are written, {@code string} (UTF-8, the default) or {@code binary}
 *       (base64).</li>
 * </ul>
 * A {@code Last-Event-ID} header (which a browser's EventSource sends when it reconnects) or a {@code last_event_id}
 * parameter overrides them all: the stream resumes exactly after the event it names. See {@link EventStream} for the
 * event format.
 */
final class EventStreams {
    private final HttpGateway gateway;

    EventStreams(HttpGateway gateway) {
        this.gateway = gateway;
    }

    CompletableFuture<Reply> open(Exchange x) {
        ClusterResource.check(gateway, x);
        String name = x.path("topic_name");
        Topic topic = gateway.broker().topics().topic(name);
        if (topic == null) {
            throw HttpError.notFound(40403, "This server does not host this topic-partition.");
        }
        List<Partition> partitions = new ArrayList<>();
        String only = x.query("partition", null);
        if (only != null) {
            Partition p = topic.partition(parseInt(only, "partition"));
            if (p == null) {
                throw HttpError.notFound(40402, "Partition not found: topic " + name + " has partitions 0.." + (topic.partitions().size() - 1));
            }
            partitions.add(p);
        } else {
            partitions.addAll(topic.partitions());
        }
        Map<Integer, Long> positions = start(x, partitions);
        String format = x.query("format", "string");
        if (!format.equals("string") && !format.equals("binary")) {
            throw HttpError.badRequest("format must be string or binary, not " + format);
        }
        String key = x.query("key", null);
        if (!gateway.openStream()) {
            throw new HttpError(HttpResponseStatus.SERVICE_UNAVAILABLE, 50301, "this server already serves " + gateway.limits().maxStreams()
                    + " event streams (brook.http.max.streams)");
        }
        new EventStream(gateway, x.ctx, name, partitions, positions, key, format.equals("binary")).start();
        return CompletableFuture.completedFuture(Reply.STREAMING);
    }

    /** Where each partition starts: the last event id if there is one, else {@code from} or {@code from_timestamp}. */
    private Map<Integer, Long> start(Exchange x, List<Partition> partitions) {
        String lastEventId = x.header("Last-Event-ID");
        if (lastEventId == null) {
            lastEventId = x.query("last_event_id", null);
        }
        Map<Integer, Long> positions = new LinkedHashMap<>();
        if (lastEventId != null && !lastEventId.isBlank()) {
            Map<Integer, Long> resumed = EventStream.parseId(lastEventId);
            for (Partition p : partitions) {
                Long at = resumed.get(p.topicPartition().partition());
                positions.put(p.topicPartition().partition(), at != null ? at : p.log().logEndOffset());
            }
            return positions;
        }
        String timestamp = x.query("from_timestamp", null);
        String from = x.query("from", "latest");
        for (Partition p : partitions) {
            Log log = p.log();
            long at;
            if (timestamp != null) {
                long ts = parseTimestamp(timestamp);
                at = log.offsetForTimestamp(ts).map(TimestampOffset::offset).orElse(log.logEndOffset());
            } else if (from.equals("latest")) {
                at = log.logEndOffset();
            } else if (from.equals("earliest")) {
                at = log.logStartOffset();
            } else {
                at = Math.max(log.logStartOffset(), parseLong(from, "from"));
            }
            positions.put(p.topicPartition().partition(), at);
        }
        return positions;
    }

    private static long parseTimestamp(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException notMillis) {
            try {
                return Instant.parse(s).toEpochMilli();
            } catch (DateTimeParseException e) {
                throw HttpError.badRequest("from_timestamp must be epoch milliseconds or an RFC 3339 date-time, not " + s);
            }
        }
    }

    private static int parseInt(String s, String name) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw HttpError.badRequest(name + " must be an integer, not " + s);
        }
    }

    private static long parseLong(String s, String name) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw HttpError.badRequest(name + " must be earliest, latest or an offset, not " + s);
        }
    }
}
