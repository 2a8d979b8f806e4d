package dev.brook.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.brook.testkit.BrookExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The REST Proxy v3 admin endpoints against a real broker: the shapes Confluent's clients and docs expect, what a
 * Kafka Admin client sees afterwards, and the documented error for each wrong request, after which the server keeps
 * serving.
 */
@Timeout(120)
class RestApiTest {

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension();

    private static HttpGateway gateway;
    private static GatewayClient http;
    private static String cluster;

    @BeforeAll
    static void startGateway() throws Exception {
        gateway = HttpGateway.start(brook.broker(), "127.0.0.1", 0, HttpLimits.defaults());
        http = new GatewayClient(gateway);
        cluster = "/v3/clusters/" + brook.broker().node().identity().clusterId();
    }

    @AfterAll
    static void stopGateway() {
        gateway.close();
    }

    private static Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brook.bootstrapServers()));
    }

    @Test
    void theClusterIsListedAndDescribedWithItsLinks() throws Exception {
        GatewayClient.Response list = http.get("/v3/clusters");

        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body().path("kind").asText()).isEqualTo("KafkaClusterList");
        JsonNode c = list.body().path("data").get(0);
        assertThat(c.path("kind").asText()).isEqualTo("KafkaCluster");
        assertThat("/v3/clusters/" + c.path("cluster_id").asText()).isEqualTo(cluster);
        assertThat(c.path("metadata").path("self").asText()).isEqualTo(http.base() + cluster);
        assertThat(c.path("topics").path("related").asText()).endsWith(cluster + "/topics");
        assertThat(http.get(cluster).body().path("cluster_id").asText()).isEqualTo(c.path("cluster_id").asText());

        GatewayClient.Response unknown = http.get("/v3/clusters/no-such-cluster/topics");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.body().path("message").asText()).contains("no-such-cluster");
    }

    @Test
    void aTopicIsCreatedDescribedGrownConfiguredAndDeleted() throws Exception {
        String topic = "rest-" + System.nanoTime();

        GatewayClient.Response created = http.post(cluster + "/topics", "{\"topic_name\":\"" + topic + "\",\"partitions_count\":2,"
                + "\"configs\":[{\"name\":\"retention.ms\",\"value\":\"3600000\"}]}");
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        assertThat(created.body().path("kind").asText()).isEqualTo("KafkaTopic");
        assertThat(created.body().path("partitions_count").asInt()).isEqualTo(2);
        assertThat(created.body().path("replication_factor").asInt()).isEqualTo(1);
        try (Admin admin = admin()) {
            assertThat(admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()).hasSize(2);
        }

        List<String> names = new ArrayList<>();
        http.get(cluster + "/topics").body().path("data").forEach(t -> names.add(t.path("topic_name").asText()));
        assertThat(names).contains(topic, "__consumer_offsets");
        assertThat(http.get(cluster + "/topics/" + topic).body().path("is_internal").asBoolean()).isFalse();

        GatewayClient.Response grown = http.patch(cluster + "/topics/" + topic, "{\"partitions_count\":3}");
        assertThat(grown.status()).as(grown.raw()).isEqualTo(200);
        assertThat(grown.body().path("partitions_count").asInt()).isEqualTo(3);
        GatewayClient.Response partitions = http.get(cluster + "/topics/" + topic + "/partitions");
        assertThat(partitions.body().path("kind").asText()).isEqualTo("KafkaPartitionList");
        assertThat(partitions.body().path("data")).hasSize(3);
        assertThat(http.get(cluster + "/topics/" + topic + "/partitions/2").body().path("partition_id").asInt()).isEqualTo(2);
        assertThat(http.get(cluster + "/topics/" + topic + "/partitions/7").body().path("error_code").asInt()).isEqualTo(40403);

        GatewayClient.Response retention = http.get(cluster + "/topics/" + topic + "/configs/retention.ms");
        assertThat(retention.body().path("value").asText()).isEqualTo("3600000");
        assertThat(retention.body().path("source").asText()).isEqualTo("DYNAMIC_TOPIC_CONFIG");
        assertThat(retention.body().path("is_default").asBoolean()).isFalse();
        assertThat(http.put(cluster + "/topics/" + topic + "/configs/cleanup.policy", "{\"value\":\"compact\"}").status()).isEqualTo(204);
        assertThat(http.post(cluster + "/topics/" + topic + "/configs:alter", "{\"data\":[{\"name\":\"retention.ms\",\"operation\":\"DELETE\"},"
                + "{\"name\":\"max.message.bytes\",\"value\":\"65536\"}]}").status()).isEqualTo(204);
        try (Admin admin = admin()) {
            ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            var config = admin.describeConfigs(List.of(r)).all().get().get(r);
            assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
            assertThat(config.get("max.message.bytes").value()).isEqualTo("65536");
            assertThat(config.get("retention.ms").isDefault()).isTrue();
        }
        assertThat(http.delete(cluster + "/topics/" + topic + "/configs/cleanup.policy").status()).isEqualTo(204);
        List<String> configNames = new ArrayList<>();
        http.get(cluster + "/topics/" + topic + "/configs").body().path("data").forEach(c -> configNames.add(c.path("name").asText()));
        assertThat(configNames).contains("cleanup.policy", "retention.ms", "segment.bytes");

        assertThat(http.delete(cluster + "/topics/" + topic).status()).isEqualTo(204);
        GatewayClient.Response gone = http.get(cluster + "/topics/" + topic);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.errorCode()).isEqualTo(40403);
    }

    @Test
    void aValidateOnlyCreationChecksWithoutCreating() throws Exception {
        String topic = "dry-" + System.nanoTime();

        GatewayClient.Response dry = http.post(cluster + "/topics", "{\"topic_name\":\"" + topic + "\",\"partitions_count\":4,\"validate_only\":true}");

        assertThat(dry.status()).as(dry.raw()).isEqualTo(200);
        assertThat(dry.body().path("partitions_count").asInt()).isEqualTo(4);
        assertThat(http.get(cluster + "/topics/" + topic).status()).isEqualTo(404);
    }

    @Test
    void everyWrongRequestGetsItsDocumentedErrorAndTheServerKeepsServing() throws Exception {
        String topic = "errors-" + System.nanoTime();
        assertThat(http.post(cluster + "/topics", "{\"topic_name\":\"" + topic + "\"}").status()).isEqualTo(201);

        assertError(http.post(cluster + "/topics", "{\"topic_name\":\"" + topic + "\"}"), 400, 40002, "already exists");
        assertError(http.post(cluster + "/topics", "{\"topic_name\":\"bad-config-" + topic + "\",\"configs\":[{\"name\":\"retention.ms\",\"value\":\"soon\"}]}"),
                400, 40002, "retention.ms");
        assertError(http.post(cluster + "/topics", "{\"partitions_count\":1}"), 400, 400, "topic_name");
        assertError(http.post(cluster + "/topics", "{\"topic_name\":"), 400, 400, "not valid JSON");
        assertError(http.post(cluster + "/topics", "[1,2]"), 400, 400, "JSON object");
        assertError(http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(http.base() + cluster + "/topics"))
                .header("Content-Type", "text/plain").POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}"))), 415, 415, "JSON");
        assertError(http.get(cluster + "/topics/absent-" + topic), 404, 40403, "topic-partition");
        assertError(http.get(cluster + "/topics/absent-" + topic + "/configs"), 404, 40403, "topic-partition");
        assertError(http.get(cluster + "/topics/" + topic + "/configs/no.such.config"), 404, 404, "no.such.config");
        assertError(http.put(cluster + "/topics/" + topic + "/configs/no.such.config", "{\"value\":\"1\"}"), 400, 40002, "no.such.config");
        assertError(http.patch(cluster + "/topics/" + topic, "{\"partitions_count\":1}"), 400, 40002, "partitions");
        assertError(http.delete(cluster + "/topics/absent-" + topic), 404, 40403, "topic-partition");
        assertError(http.get("/v3/nothing/here"), 404, 404, "no such endpoint");
        assertError(http.delete(cluster), 405, 405, "DELETE");

        assertThat(http.get(cluster + "/topics/" + topic).status()).as("still serving").isEqualTo(200);
    }

    static void assertError(GatewayClient.Response r, int status, int errorCode, String messagePart) {
        assertThat(r.status()).as(r.raw()).isEqualTo(status);
        assertThat(r.errorCode()).as(r.raw()).isEqualTo(errorCode);
        assertThat(r.body().path("message").asText()).as(r.raw()).contains(messagePart);
    }
}
