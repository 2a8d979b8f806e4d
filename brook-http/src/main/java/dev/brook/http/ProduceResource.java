package dev.brook.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brook.broker.cluster.Partition;
import dev.brook.broker.cluster.Topic;
import dev.brook.broker.handler.BrokerNode;
import dev.brook.log.AppendResult;
import dev.brook.log.LogException;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * {@code POST /v3/clusters/{cluster_id}/topics/{topic_name}/records}: one record per request, or a stream of them
 * ({@link ProduceStream}), in the REST Proxy v3 format:
 * <pre>
 *   {"partition_id": 1, "headers": [{"name": "h", "value": "&lt;base64&gt;"}],
 *    "key": {"type": "STRING", "data": "k"}, "value": {"type": "JSON", "data": {"any": "json"}},
 *    "timestamp": "2026-12-01T10:00:00Z"}
 * </pre>
 * Key and value types: {@code JSON} (the data's JSON text), {@code STRING} (UTF-8) and {@code BINARY} (base64). Every
 * field may be left out; schemas are not supported and are refused. The record goes to {@code partition_id}, else the
 * key's partition (murmur2, as Kafka's producer picks it), else round robin.
 *
 * <p>Appended in process, then answered once durable as an {@code acks=all} produce would be (fsynced with
 * {@code brook.acks.all.fsync}, through the same group commit), with a delivery report:
 * {@code {"error_code": 200, "cluster_id", "topic_name", "partition_id", "offset", "timestamp", "key": {"type",
 * "size"}, "value": {"type", "size"}}}.
 */
final class ProduceResource {
    private static final List<String> SCHEMA_FIELDS = List.of("subject", "subject_name_strategy", "schema_id", "schema_version", "schema");

    private final HttpGateway gateway;
    private final ConcurrentHashMap<String, AtomicInteger> roundRobin = new ConcurrentHashMap<>();

    ProduceResource(HttpGateway gateway) {
        this.gateway = gateway;
    }

    CompletableFuture<Reply> produce(Exchange x) {
        ClusterResource.check(gateway, x);
        x.requireJson();
        if (x.body().length == 0) {
            throw HttpError.unprocessable("Payload error. Request body is empty. Data is required.");
        }
        return produce(x.path("topic_name"), x.jsonBody()).thenApply(Reply::ok);
    }

    ProduceStream stream(Exchange x) {
        ClusterResource.check(gateway, x);
        return new ProduceStream(this, x, gateway.limits().maxBodyBytes());
    }

    /** Appends one record given in the REST format and completes with its delivery report, or with an {@link HttpError}. */
    CompletableFuture<ObjectNode> produce(String topicName, JsonNode record) {
        try {
            if (!record.isObject()) {
                throw HttpError.badRequest("a record must be a JSON object");
            }
            Topic topic = gateway.broker().topics().topic(topicName);
            if (topic == null) {
                throw HttpError.notFound(40403, "This server does not host this topic-partition.");
            }
            Data key = data(record.get("key"), "key");
            Data value = data(record.get("value"), "value");
            int partitionId = partition(topic, record.get("partition_id"), key.bytes());
            Partition partition = topic.partition(partitionId);
            long timestamp = timestamp(record.get("timestamp"));
            SimpleRecord simple = new SimpleRecord(timestamp, key.bytes(), value.bytes(), headers(record.get("headers")));
            AppendResult appended = partition.append(MemoryRecords.withRecords(Compression.NONE, simple));
            ObjectNode report = Exchange.JSON.createObjectNode().put("error_code", 200).put("cluster_id", gateway.clusterId())
                    .put("topic_name", topicName).put("partition_id", partitionId).put("offset", appended.firstOffset())
                    .put("timestamp", Instant.ofEpochMilli(appended.logAppendTime() >= 0 ? appended.logAppendTime() : timestamp).toString());
            key.describe(report, "key");
            value.describe(report, "value");
            BrokerNode node = gateway.broker().node();
            if (!partition.fsyncBeforeAnswer(node.config().current().fsyncOnAcksAll())) {
                return CompletableFuture.completedFuture(report);
            }
            return node.flusher().flushUpTo(partition.storage(), appended.lastOffset() + 1).handle((ok, error) -> {
                if (error != null) {
                    throw new HttpError(HttpResponseStatus.INTERNAL_SERVER_ERROR, 50003, "the record was written but not fsynced: " + error.getMessage());
                }
                return report;
            });
        } catch (HttpError e) {
            return CompletableFuture.failedFuture(e);
        } catch (LogException e) {
            return CompletableFuture.failedFuture(refused(e));
        }
    }

    private static HttpError refused(LogException e) {
        return switch (e.error()) {
            case MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE -> new HttpError(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, e.getMessage());
            case KAFKA_STORAGE_ERROR -> new HttpError(HttpResponseStatus.INTERNAL_SERVER_ERROR, 50003, e.getMessage());
            case INVALID_RECORD, INVALID_TIMESTAMP, CORRUPT_MESSAGE -> new HttpError(HttpResponseStatus.BAD_REQUEST, 40002, e.getMessage());
            default -> new HttpError(HttpResponseStatus.INTERNAL_SERVER_ERROR, 50002, e.getMessage());
        };
    }

    /** A key or value as given: its bytes (null for none) and its type, for the delivery report. */
    private record Data(byte[] bytes, String type) {
        void describe(ObjectNode report, String field) {
            if (type != null) {
                report.putObject(field).put("type", type).put("size", bytes == null ? 0 : bytes.length);
            }
        }
    }

    private static Data data(JsonNode node, String field) {
        if (node == null || node.isNull()) {
            return new Data(null, null);
        }
        if (!node.isObject()) {
            throw HttpError.badRequest(field + " must be an object with a type and data");
        }
        for (String schemaField : SCHEMA_FIELDS) {
            if (node.has(schemaField)) {
                throw HttpError.badRequest(field + "." + schemaField + ": schemas are not supported; use type BINARY, JSON or STRING");
            }
        }
        JsonNode data = node.get("data");
        JsonNode type = node.get("type");
        if (type == null || type.isNull()) {
            if (data != null && !data.isNull()) {
                throw HttpError.badRequest(field + ".type is required (BINARY, JSON or STRING); schemas are not supported");
            }
            return new Data(null, null);
        }
        String t = type.asText().toUpperCase(java.util.Locale.ROOT);
        switch (t) {
            case "BINARY" -> {
                if (data == null || data.isNull()) {
                    return new Data(null, t);
                }
                if (!data.isTextual()) {
                    throw HttpError.badRequest(field + ".data must be a base64 string for type BINARY");
                }
                try {
                    return new Data(Base64.getDecoder().decode(data.asText()), t);
                } catch (IllegalArgumentException e) {
                    throw HttpError.badRequest(field + ".data=" + abbreviate(data.asText()) + " is not a base64 string");
                }
            }
            case "STRING" -> {
                if (data == null || data.isNull()) {
                    return new Data(null, t);
                }
                if (!data.isTextual()) {
                    throw HttpError.badRequest(field + ".data must be a string for type STRING");
                }
                return new Data(data.asText().getBytes(StandardCharsets.UTF_8), t);
            }
            case "JSON" -> {
                if (data == null || data.isNull()) {
                    return new Data(null, t);
                }
                try {
                    return new Data(Exchange.JSON.writeValueAsBytes(data), t);
                } catch (IOException e) {
                    throw HttpError.badRequest(field + ".data cannot be written as JSON: " + e.getMessage());
                }
            }
            case "AVRO", "JSONSCHEMA", "PROTOBUF" -> throw HttpError.badRequest(field + ".type " + t
                    + " needs a schema registry, which Brook does not have; use BINARY, JSON or STRING");
            default -> throw HttpError.badRequest(field + ".type must be BINARY, JSON or STRING, not " + type.asText());
        }
    }

    private int partition(Topic topic, JsonNode requested, byte[] key) {
        int count = topic.partitions().size();
        if (requested != null && !requested.isNull()) {
            if (!requested.canConvertToInt()) {
                throw HttpError.badRequest("partition_id must be an integer");
            }
            int p = requested.intValue();
            if (p < 0 || p >= count) {
                throw HttpError.notFound(40402, "Partition not found: topic " + topic.name() + " has partitions 0.." + (count - 1));
            }
            return p;
        }
        if (key != null) {
            return BuiltInPartitioner.partitionForKey(key, count);
        }
        return Math.floorMod(roundRobin.computeIfAbsent(topic.name(), t -> new AtomicInteger()).getAndIncrement(), count);
    }

    private static long timestamp(JsonNode node) {
        if (node == null || node.isNull()) {
            return System.currentTimeMillis();
        }
        if (node.canConvertToLong() && node.isIntegralNumber()) {
            return node.longValue();
        }
        try {
            return Instant.parse(node.asText()).toEpochMilli();
        } catch (DateTimeParseException e) {
            throw HttpError.badRequest("timestamp must be an RFC 3339 date-time (2026-12-01T10:00:00Z), not " + abbreviate(node.asText()));
        }
    }

    private static Header[] headers(JsonNode node) {
        if (node == null || node.isNull()) {
            return new Header[0];
        }
        if (!node.isArray()) {
            throw HttpError.badRequest("headers must be a list of {\"name\", \"value\"}");
        }
        List<Header> headers = new ArrayList<>();
        for (JsonNode h : node) {
            JsonNode name = h.get("name");
            if (name == null || !name.isTextual()) {
                throw HttpError.badRequest("every header needs a name");
            }
            JsonNode value = h.get("value");
            byte[] bytes = null;
            if (value != null && !value.isNull()) {
                try {
                    bytes = Base64.getDecoder().decode(value.asText());
                } catch (IllegalArgumentException e) {
                    throw HttpError.badRequest("header " + name.asText() + ": value is not a base64 string");
                }
            }
            headers.add(new RecordHeader(name.asText(), bytes));
        }
        return headers.toArray(Header[]::new);
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
