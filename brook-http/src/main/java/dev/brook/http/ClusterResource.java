package dev.brook.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.concurrent.CompletableFuture;

/**
 * {@code /v3/clusters}: the one cluster this broker is, in the REST Proxy v3 shape ({@code KafkaClusterList},
 * {@code KafkaCluster}), and the links every resource carries ({@code metadata.self}, {@code resource_name},
 * {@code related}).
 */
final class ClusterResource {
    private final HttpGateway gateway;

    ClusterResource(HttpGateway gateway) {
        this.gateway = gateway;
    }

    CompletableFuture<Reply> list(Exchange x) {
        ObjectNode list = collection(x, "KafkaClusterList", "/v3/clusters");
        list.withArray("data").add(cluster(x));
        return CompletableFuture.completedFuture(Reply.ok(list));
    }

    CompletableFuture<Reply> get(Exchange x) {
        check(gateway, x);
        return CompletableFuture.completedFuture(Reply.ok(cluster(x)));
    }

    private ObjectNode cluster(Exchange x) {
        String id = gateway.clusterId();
        String path = "/v3/clusters/" + id;
        ObjectNode c = resource(x, "KafkaCluster", path, "crn:///kafka=" + id).put("cluster_id", id);
        c.putObject("controller").put("related", base(x) + path + "/brokers/" + gateway.broker().node().nodeId());
        for (String rel : new String[] {"acls", "brokers", "broker_configs", "consumer_groups", "topics"}) {
            c.putObject(rel).put("related", base(x) + path + "/" + rel.replace('_', '-'));
        }
        c.putObject("partition_reassignments").put("related", base(x) + path + "/topics/-/partitions/-/reassignment");
        return c;
    }

    /** Fails with 404 unless the path's {@code cluster_id} is this broker's. */
    static void check(HttpGateway gateway, Exchange x) {
        String id = x.path("cluster_id");
        if (id != null && !id.equals(gateway.clusterId())) {
            throw HttpError.notFound(404, "Cluster " + id + " cannot be found.");
        }
    }

    /** {@code http://host:port} as the client addressed this server. */
    static String base(Exchange x) {
        String host = x.header(HttpHeaderNames.HOST);
        return "http://" + (host == null ? "localhost" : host);
    }

    static ObjectNode resource(Exchange x, String kind, String path, String resourceName) {
        ObjectNode node = Exchange.JSON.createObjectNode().put("kind", kind);
        node.putObject("metadata").put("self", base(x) + path).put("resource_name", resourceName);
        return node;
    }

    static ObjectNode collection(Exchange x, String kind, String path) {
        ObjectNode node = Exchange.JSON.createObjectNode().put("kind", kind);
        node.putObject("metadata").put("self", base(x) + path).putNull("next");
        node.putArray("data");
        return node;
    }
}
