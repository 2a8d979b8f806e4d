package dev.brook.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.brook.broker.cluster.Topic;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook subscriptions of this broker and their HTTP API:
 * <ul>
 *   <li>{@code POST /webhooks} with a subscription ({@link Webhook}) creates it (201) and starts delivering; its
 *       dead-letter topic is created if absent; a name in use is 409;</li>
 *   <li>{@code GET /webhooks}: every subscription; {@code GET /webhooks/{name}}: one, with its delivery counts and
 *       last error;</li>
 *   <li>{@code DELETE /webhooks/{name}} stops it and deletes its consumer group (204).</li>
 * </ul>
 * Subscriptions survive restarts: they are kept in {@code <data-dir>/__brook_meta/webhooks.json}, one JSON array,
 * replaced atomically (written to a temporary file, fsynced, renamed), and started again when the gateway starts.
 * Secrets are stored there in clear text (the directory is the broker's), and never shown by the API.
 *
 * <p>Thread-safe: the API runs on the gateway's event loops, under this object's lock.
 */
final class Webhooks implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Webhooks.class);

    private final HttpGateway gateway;
    private final Path file;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<String, Webhook> hooks = new TreeMap<>();
    private final Map<String, WebhookDelivery> deliveries = new TreeMap<>();

    Webhooks(HttpGateway gateway) {
        this.gateway = gateway;
        this.file = gateway.broker().node().config().current().dataDir().resolve("__brook_meta").resolve("webhooks.json");
    }

    /** Loads the stored subscriptions and starts delivering them. */
    synchronized void start() {
        if (!Files.exists(file)) {
            return;
        }
        try {
            for (JsonNode j : Exchange.JSON.readTree(file.toFile())) {
                Webhook hook = Webhook.fromJson(j);
                hooks.put(hook.name(), hook);
                deliver(hook);
            }
            log.info("Delivering {} webhook subscriptions", hooks.size());
        } catch (IOException | RuntimeException e) {
            log.error("Cannot read {}; no webhook is delivered until it is fixed", file, e);
        }
    }

    synchronized CompletableFuture<Reply> create(Exchange x) {
        Webhook hook = Webhook.fromJson(x.jsonBody());
        if (hooks.containsKey(hook.name())) {
            throw new HttpError(HttpResponseStatus.CONFLICT, 409, "webhook " + hook.name() + " exists already");
        }
        Topic topic = gateway.broker().topics().topic(hook.topic());
        if (topic == null) {
            throw HttpError.notFound(40403, "This server does not host this topic-partition.");
        }
        return TopicResource.future(gateway.admin().createTopics(List.of(new NewTopic(hook.deadLetterTopic(), 1, (short) 1))).all())
                .handle((ok, error) -> {
                    if (error != null && !(KafkaErrors.cause(error) instanceof TopicExistsException)) {
                        throw KafkaErrors.toHttp(error);
                    }
                    synchronized (this) {
                        if (hooks.containsKey(hook.name())) {
                            throw new HttpError(HttpResponseStatus.CONFLICT, 409, "webhook " + hook.name() + " exists already");
                        }
                        hooks.put(hook.name(), hook);
                        save();
                        deliver(hook);
                    }
                    return Reply.created(describe(hook));
                });
    }

    synchronized CompletableFuture<Reply> list(Exchange x) {
        ObjectNode list = Exchange.JSON.createObjectNode();
        ArrayNode data = list.putArray("data");
        hooks.values().forEach(h -> data.add(describe(h)));
        return CompletableFuture.completedFuture(Reply.ok(list));
    }

    synchronized CompletableFuture<Reply> get(Exchange x) {
        return CompletableFuture.completedFuture(Reply.ok(describe(find(x.path("name")))));
    }

    synchronized CompletableFuture<Reply> delete(Exchange x) {
        Webhook hook = find(x.path("name"));
        hooks.remove(hook.name());
        save();
        WebhookDelivery d = deliveries.remove(hook.name());
        CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> {
            if (d != null) {
                d.close();
            }
        });
        return stopped.thenCompose(v -> TopicResource.future(gateway.admin().deleteConsumerGroups(List.of(hook.group())).all())
                .handle((ok, error) -> Reply.NO_CONTENT));
    }

    private Webhook find(String name) {
        Webhook hook = hooks.get(name);
        if (hook == null) {
            throw HttpError.notFound(404, "no webhook " + name);
        }
        return hook;
    }

    private ObjectNode describe(Webhook hook) {
        ObjectNode j = hook.toJson(false);
        WebhookDelivery d = deliveries.get(hook.name());
        if (d != null) {
            j.putObject("deliveries").put("delivered", d.delivered.get()).put("failed_attempts", d.failedAttempts.get())
                    .put("dead_lettered", d.deadLettered.get()).put("last_error", d.lastError);
        }
        return j;
    }

    private void deliver(Webhook hook) {
        WebhookDelivery d = new WebhookDelivery(hook, gateway.broker().bootstrapServers(), http);
        deliveries.put(hook.name(), d);
        d.start();
    }

    private void save() {
        ArrayNode all = Exchange.JSON.createArrayNode();
        hooks.values().forEach(h -> all.add(h.toJson(true)));
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            Files.write(tmp, Exchange.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(all));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
                dir.force(true);
            }
        } catch (IOException e) {
            throw new HttpError(HttpResponseStatus.INTERNAL_SERVER_ERROR, 50003, "cannot store the webhook subscriptions: " + e.getMessage());
        }
    }

    @Override
    public synchronized void close() {
        deliveries.values().forEach(WebhookDelivery::close);
        deliveries.clear();
    }
}
