package dev.brook.http;

import dev.brook.broker.cluster.Partition;
import dev.brook.broker.cluster.Topic;
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
 *
 * <p>{@code group=G} makes the stream a member of consumer group G instead ({@link GroupEventStream}): the group
 * assigns it partitions and its commits say where each starts ({@code from}: {@code earliest} or {@code latest} for
 * partitions without a commit); it commits what it delivered. {@code key} and {@code format} apply as above.
 */
final class EventStreams {
    private final HttpGateway gateway;

    EventStreams(HttpGateway gateway) {
        this.gateway = gateway;
    }

    CompletableFuture<Reply> open(Exchange x) {
        ClusterResource.check(gateway, x);
        String lastEventId = x.header("Last-Event-ID");
        String group = x.query("group", null);
        if (group != null) {
            return openInGroup(x, group, lastEventId != null ? lastEventId : x.query("last_event_id", null));
        }
        Selection selection = select(gateway, x.path("topic_name"), name -> x.query(name, null),
                lastEventId != null ? lastEventId : x.query("last_event_id", null));
        if (!gateway.openStream()) {
            throw new HttpError(HttpResponseStatus.SERVICE_UNAVAILABLE, 50301, "this server already serves " + gateway.limits().maxStreams()
                    + " event streams (brook.http.max.streams)");
        }
        new EventStream(gateway, x.ctx, selection).start();
        return CompletableFuture.completedFuture(Reply.STREAMING);
    }

    /** {@code group=G}: the stream is a member of consumer group G ({@link GroupEventStream}). */
    private CompletableFuture<Reply> openInGroup(Exchange x, String group, String lastEventId) {
        String name = x.path("topic_name");
        if (group.isBlank()) {
            throw HttpError.badRequest("group must not be empty");
        }
        if (!gateway.origins().allowsChange(x.header("Origin"), x.header("Sec-Fetch-Site"), x.header("Host"))) {
            throw new HttpError(HttpResponseStatus.FORBIDDEN, 40301, "consumer-group event streams from pages of other origins are not allowed ("
                    + AllowedOrigins.NAME + "): the stream commits what it sends");
        }
        if (gateway.broker().topics().topic(name) == null) {
            throw HttpError.notFound(40403, "This server does not host this topic-partition.");
        }
        for (String p : List.of("partition", "from_timestamp")) {
            if (x.query(p, null) != null) {
                throw HttpError.badRequest(p + " cannot be used with group: the group assigns the partitions and its commits say where each starts");
            }
        }
        String from = x.query("from", "latest");
        if (!from.equals("earliest") && !from.equals("latest")) {
            throw HttpError.badRequest("with group, from must be earliest or latest (where a partition the group has not committed starts), not " + from);
        }
        String format = x.query("format", "string");
        if (!format.equals("string") && !format.equals("binary")) {
            throw HttpError.badRequest("format must be string or binary, not " + format);
        }
        Map<Integer, Long> resume = lastEventId == null || lastEventId.isBlank() ? Map.of() : RecordFollower.parsePosition(lastEventId);
        GroupEventStream stream = gateway.openGroupStream(() -> new GroupEventStream(gateway, x.ctx, name, group, from,
                x.query("key", null), format.equals("binary"), resume));
        stream.start();
        return CompletableFuture.completedFuture(Reply.STREAMING);
    }

    /**
     * What to follow: a topic's partitions ({@code partition}: one of them), where each starts, and how records are
     * filtered ({@code key}) and written ({@code format}). Shared by event streams and WebSocket subscriptions.
     *
     * @param param      a parameter by name, or null when absent
     * @param resumeFrom a position a client saw last ({@code partition:offset,...}), overriding the start parameters
     * @throws HttpError for an unknown topic or partition, or a parameter that does not parse
     */
    static Selection select(HttpGateway gateway, String name, java.util.function.Function<String, String> param, String resumeFrom) {
        Topic topic = gateway.broker().topics().topic(name);
        if (topic == null) {
            throw HttpError.notFound(40403, "This server does not host this topic-partition.");
        }
        List<Partition> partitions = new ArrayList<>();
        String only = param.apply("partition");
        if (only != null) {
            Partition p = topic.partition(parseInt(only, "partition"));
            if (p == null) {
                throw HttpError.notFound(40402, "Partition not found: topic " + name + " has partitions 0.." + (topic.partitions().size() - 1));
            }
            partitions.add(p);
        } else {
            partitions.addAll(topic.partitions());
        }
        String format = param.apply("format") == null ? "string" : param.apply("format");
        if (!format.equals("string") && !format.equals("binary")) {
            throw HttpError.badRequest("format must be string or binary, not " + format);
        }
        Map<Integer, Long> positions = start(partitions, param, resumeFrom);
        return new Selection(name, partitions, positions, param.apply("key"), format.equals("binary"));
    }

    /** The partitions followed, where each starts, the key filter (or null) and whether bytes are written as base64. */
    record Selection(String topic, List<Partition> partitions, Map<Integer, Long> positions, String key, boolean binary) {
    }

    /** Where each partition starts: the position resumed from if there is one, else {@code from} or {@code from_timestamp}. */
    private static Map<Integer, Long> start(List<Partition> partitions, java.util.function.Function<String, String> param, String resumeFrom) {
        Map<Integer, Long> positions = new LinkedHashMap<>();
        if (resumeFrom != null && !resumeFrom.isBlank()) {
            Map<Integer, Long> resumed = RecordFollower.parsePosition(resumeFrom);
            for (Partition p : partitions) {
                Long at = resumed.get(p.topicPartition().partition());
                positions.put(p.topicPartition().partition(), at != null ? at : p.logEndOffset());
            }
            return positions;
        }
        String timestamp = param.apply("from_timestamp");
        String from = param.apply("from") == null ? "latest" : param.apply("from");
        for (Partition p : partitions) {
            Partition log = p;
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
