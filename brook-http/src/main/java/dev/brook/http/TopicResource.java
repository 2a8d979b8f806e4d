package dev.brook.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.AlterConfigsOptions;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;

/**
 * Topics, their configs and partitions under {@code /v3/clusters/{cluster_id}/topics}, in the REST Proxy v3 shapes
 * ({@code KafkaTopic}, {@code KafkaTopicConfig}, {@code KafkaPartition} and their lists). Every operation is a
 * kafka-clients Admin call on the broker's own listener, so it validates and fails exactly as the Kafka protocol does.
 */
final class TopicResource {
    private final HttpGateway gateway;

    TopicResource(HttpGateway gateway) {
        this.gateway = gateway;
    }

    CompletableFuture<Reply> list(Exchange x) {
        ClusterResource.check(gateway, x);
        return future(gateway.admin().listTopics(new ListTopicsOptions().listInternal(true)).names())
                .thenCompose(names -> describe(names))
                .thenApply(descriptions -> {
                    ObjectNode list = ClusterResource.collection(x, "KafkaTopicList", clusterPath() + "/topics");
                    descriptions.values().stream().sorted((a, b) -> a.name().compareTo(b.name()))
                            .forEach(d -> list.withArray("data").add(topic(x, d)));
                    return Reply.ok(list);
                });
    }

    CompletableFuture<Reply> get(Exchange x) {
        ClusterResource.check(gateway, x);
        return describe(List.of(x.path("topic_name"))).thenApply(d -> Reply.ok(topic(x, d.values().iterator().next())));
    }

    CompletableFuture<Reply> create(Exchange x) {
        ClusterResource.check(gateway, x);
        ObjectNode body = x.jsonBody();
        String name = text(body, "topic_name");
        if (name == null || name.isEmpty()) {
            throw HttpError.badRequest("topic_name is required");
        }
        Optional<Integer> partitions = body.hasNonNull("partitions_count") ? Optional.of(integer(body, "partitions_count")) : Optional.empty();
        Optional<Short> replication = body.hasNonNull("replication_factor")
                ? Optional.of((short) integer(body, "replication_factor")) : Optional.empty();
        Map<String, String> configs = new HashMap<>();
        for (JsonNode c : body.path("configs")) {
            String key = text(c, "name");
            if (key == null) {
                throw HttpError.badRequest("every entry of configs needs a name");
            }
            configs.put(key, c.hasNonNull("value") ? c.get("value").asText() : null);
        }
        boolean validateOnly = body.path("validate_only").asBoolean(false);
        NewTopic topic = new NewTopic(name, partitions, replication).configs(configs);
        return future(gateway.admin().createTopics(List.of(topic), new CreateTopicsOptions().validateOnly(validateOnly)).all())
                .thenCompose(done -> validateOnly ? CompletableFuture.completedFuture(Reply.ok(plannedTopic(x, name, partitions.orElse(
                        gateway.broker().node().config().current().defaultPartitions()))))
                        : describe(List.of(name)).thenApply(d -> Reply.created(topic(x, d.values().iterator().next()))));
    }

    CompletableFuture<Reply> addPartitions(Exchange x) {
        ClusterResource.check(gateway, x);
        String name = x.path("topic_name");
        int count = integer(x.jsonBody(), "partitions_count");
        return future(gateway.admin().createPartitions(Map.of(name, NewPartitions.increaseTo(count))).all())
                .thenCompose(done -> describe(List.of(name)))
                .thenApply(d -> Reply.ok(topic(x, d.values().iterator().next())));
    }

    CompletableFuture<Reply> delete(Exchange x) {
        ClusterResource.check(gateway, x);
        return future(gateway.admin().deleteTopics(List.of(x.path("topic_name"))).all()).thenApply(done -> Reply.NO_CONTENT);
    }

    CompletableFuture<Reply> configs(Exchange x) {
        ClusterResource.check(gateway, x);
        String name = x.path("topic_name");
        return config(name).thenApply(config -> {
            ObjectNode list = ClusterResource.collection(x, "KafkaTopicConfigList", topicPath(name) + "/configs");
            config.entries().stream().sorted((a, b) -> a.name().compareTo(b.name()))
                    .forEach(e -> list.withArray("data").add(configData(x, name, e)));
            return Reply.ok(list);
        });
    }

    CompletableFuture<Reply> config(Exchange x) {
        ClusterResource.check(gateway, x);
        String name = x.path("topic_name");
        String key = x.path("name");
        return config(name).thenApply(config -> {
            ConfigEntry entry = config.get(key);
            if (entry == null) {
                throw HttpError.notFound(404, "Config " + key + " cannot be found for topic " + name + ".");
            }
            return Reply.ok(configData(x, name, entry));
        });
    }

    CompletableFuture<Reply> setConfig(Exchange x) {
        ClusterResource.check(gateway, x);
        JsonNode value = x.jsonBody().get("value");
        return alter(x.path("topic_name"), List.of(new AlterConfigOp(new ConfigEntry(x.path("name"),
                value == null || value.isNull() ? null : value.asText()), AlterConfigOp.OpType.SET)), false);
    }

    CompletableFuture<Reply> resetConfig(Exchange x) {
        ClusterResource.check(gateway, x);
        return alter(x.path("topic_name"), List.of(new AlterConfigOp(new ConfigEntry(x.path("name"), null),
                AlterConfigOp.OpType.DELETE)), false);
    }

    CompletableFuture<Reply> alterConfigs(Exchange x) {
        ClusterResource.check(gateway, x);
        ObjectNode body = x.jsonBody();
        if (!body.path("data").isArray()) {
            throw HttpError.badRequest("data, a list of configs to alter, is required");
        }
        List<AlterConfigOp> ops = new ArrayList<>();
        for (JsonNode c : body.get("data")) {
            String key = text(c, "name");
            if (key == null) {
                throw HttpError.badRequest("every entry of data needs a name");
            }
            String op = c.path("operation").asText("SET");
            AlterConfigOp.OpType type = switch (op.toUpperCase(java.util.Locale.ROOT)) {
                case "SET" -> AlterConfigOp.OpType.SET;
                case "DELETE" -> AlterConfigOp.OpType.DELETE;
                default -> throw HttpError.badRequest("operation must be SET or DELETE, not " + op);
            };
            ops.add(new AlterConfigOp(new ConfigEntry(key, c.hasNonNull("value") ? c.get("value").asText() : null), type));
        }
        return alter(x.path("topic_name"), ops, body.path("validate_only").asBoolean(false));
    }

    CompletableFuture<Reply> partitions(Exchange x) {
        ClusterResource.check(gateway, x);
        String name = x.path("topic_name");
        return describe(List.of(name)).thenApply(d -> {
            ObjectNode list = ClusterResource.collection(x, "KafkaPartitionList", topicPath(name) + "/partitions");
            for (TopicPartitionInfo p : d.values().iterator().next().partitions()) {
                list.withArray("data").add(partitionData(x, name, p));
            }
            return Reply.ok(list);
        });
    }

    CompletableFuture<Reply> partition(Exchange x) {
        ClusterResource.check(gateway, x);
        String name = x.path("topic_name");
        int id;
        try {
            id = Integer.parseInt(x.path("partition_id"));
        } catch (NumberFormatException e) {
            throw HttpError.badRequest("partition_id must be a number, not " + x.path("partition_id"));
        }
        return describe(List.of(name)).thenApply(d -> d.values().iterator().next().partitions().stream()
                .filter(p -> p.partition() == id).findFirst()
                .map(p -> Reply.ok(partitionData(x, name, p)))
                .orElseThrow(() -> HttpError.notFound(40403, "This server does not host this topic-partition.")));
    }

    private CompletableFuture<Reply> alter(String topic, Collection<AlterConfigOp> ops, boolean validateOnly) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return describe(List.of(topic)) // an unknown topic is 404, as for every other topic endpoint
                .thenCompose(d -> future(gateway.admin().incrementalAlterConfigs(Map.of(resource, ops),
                        new AlterConfigsOptions().validateOnly(validateOnly)).all()))
                .thenApply(done -> Reply.NO_CONTENT);
    }

    private CompletableFuture<Map<String, TopicDescription>> describe(Collection<String> names) {
        return future(gateway.admin().describeTopics(names).allTopicNames());
    }

    private CompletableFuture<Config> config(String topic) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return future(gateway.admin().describeConfigs(List.of(resource), new DescribeConfigsOptions().includeSynonyms(true)).all())
                .thenApply(all -> all.get(resource));
    }

    private String clusterPath() {
        return "/v3/clusters/" + gateway.clusterId();
    }

    private String topicPath(String topic) {
        return clusterPath() + "/topics/" + topic;
    }

    private ObjectNode topic(Exchange x, TopicDescription d) {
        int replication = d.partitions().isEmpty() ? 1 : d.partitions().get(0).replicas().size();
        return topicData(x, d.name(), d.isInternal(), replication, d.partitions().size());
    }

    private ObjectNode plannedTopic(Exchange x, String name, int partitions) {
        return topicData(x, name, false, 1, partitions);
    }

    private ObjectNode topicData(Exchange x, String name, boolean internal, int replication, int partitions) {
        String path = topicPath(name);
        ObjectNode t = ClusterResource.resource(x, "KafkaTopic", path, "crn:///kafka=" + gateway.clusterId() + "/topic=" + name)
                .put("cluster_id", gateway.clusterId()).put("topic_name", name).put("is_internal", internal)
                .put("replication_factor", replication).put("partitions_count", partitions);
        String base = ClusterResource.base(x) + path;
        t.putObject("partitions").put("related", base + "/partitions");
        t.putObject("configs").put("related", base + "/configs");
        t.putObject("partition_reassignments").put("related", base + "/partitions/-/reassignment");
        return t;
    }

    private ObjectNode configData(Exchange x, String topic, ConfigEntry e) {
        ObjectNode c = ClusterResource.resource(x, "KafkaTopicConfig", topicPath(topic) + "/configs/" + e.name(),
                "crn:///kafka=" + gateway.clusterId() + "/topic=" + topic + "/config=" + e.name())
                .put("cluster_id", gateway.clusterId()).put("topic_name", topic).put("name", e.name());
        c.put("value", e.isSensitive() ? null : e.value());
        c.put("is_default", e.isDefault()).put("is_read_only", e.isReadOnly()).put("is_sensitive", e.isSensitive())
                .put("source", e.source().name());
        ArrayNode synonyms = c.putArray("synonyms");
        for (ConfigEntry.ConfigSynonym s : e.synonyms()) {
            synonyms.addObject().put("name", s.name()).put("value", e.isSensitive() ? null : s.value()).put("source", s.source().name());
        }
        return c;
    }

    private ObjectNode partitionData(Exchange x, String topic, TopicPartitionInfo p) {
        String path = topicPath(topic) + "/partitions/" + p.partition();
        ObjectNode node = ClusterResource.resource(x, "KafkaPartition", path,
                "crn:///kafka=" + gateway.clusterId() + "/topic=" + topic + "/partition=" + p.partition())
                .put("cluster_id", gateway.clusterId()).put("topic_name", topic).put("partition_id", p.partition());
        String base = ClusterResource.base(x) + path;
        if (p.leader() != null) {
            node.putObject("leader").put("related", base + "/replicas/" + p.leader().id());
        }
        node.putObject("replicas").put("related", base + "/replicas");
        node.putObject("reassignment").put("related", base + "/reassignment");
        return node;
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static int integer(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || !v.canConvertToInt()) {
            throw HttpError.badRequest(field + " must be an integer");
        }
        return v.intValue();
    }

    static <T> CompletableFuture<T> future(KafkaFuture<T> f) {
        return f.toCompletionStage().toCompletableFuture();
    }

    static HttpError notFound() {
        return new HttpError(HttpResponseStatus.NOT_FOUND, 40403, "This server does not host this topic-partition.");
    }
}
