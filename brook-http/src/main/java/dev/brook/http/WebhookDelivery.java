package dev.brook.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers one webhook subscription: a kafka-clients consumer in the group {@code brook-webhook-<name>} reads the
 * topic, and each record is POSTed to the URL, one at a time per partition, so the receiver sees every partition in
 * order; partitions wait for each other only through the consumer's fetches. The request:
 * <pre>
 *   POST &lt;url&gt;   Content-Type: application/json
 *   X-Brook-Webhook: &lt;name&gt;   X-Brook-Topic, X-Brook-Partition, X-Brook-Offset, X-Brook-Delivery-Attempt
 *   X-Brook-Signature: sha256=&lt;hex HMAC-SHA256 of the body with the secret&gt;   (when the subscription has one)
 *   {"topic":"orders","partition":0,"offset":14,"timestamp":...,"key":"k","value":"v","headers":{"h":"x"}}
 * </pre>
 * A 2xx answer is a delivery; anything else, or no answer within {@code timeout_ms}, is a failed attempt, retried
 * after an exponential backoff ({@code initial_backoff_ms}, doubling up to {@code max_backoff_ms}, with jitter of up
 * to half of it). After {@code max_attempts} the record goes to the dead-letter topic, with headers saying why
 * ({@code brook.webhook.error}, {@code brook.webhook.attempts}, {@code brook.webhook.topic}, {@code .partition},
 * {@code .offset}), and delivery goes on. Offsets are committed as records are delivered or dead-lettered: at least
 * once, and a restart resumes where the group left off.
 *
 * <p>One thread of its own runs the consumer; HTTP answers come back on the client's threads and are handed over
 * through a queue.
 */
final class WebhookDelivery implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WebhookDelivery.class);
    private static final int MAX_QUEUED_PER_PARTITION = 500;

    private final Webhook hook;
    private final HttpClient http;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Map<TopicPartition, Lane> lanes = new HashMap<>();
    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final Map<TopicPartition, OffsetAndMetadata> toCommit = new HashMap<>();
    private final Random jitter = new Random();
    private final Thread thread;
    final AtomicLong delivered = new AtomicLong();
    final AtomicLong failedAttempts = new AtomicLong();
    final AtomicLong deadLettered = new AtomicLong();
    volatile String lastError;
    private volatile boolean closed;

    /** One partition's records waiting for delivery, the head of which may be in flight or waiting for a retry. */
    private static final class Lane {
        final ArrayDeque<ConsumerRecord<byte[], byte[]>> pending = new ArrayDeque<>();
        int attempts;
        long retryAtMs;
        boolean inFlight;
        boolean paused;
    }

    /** What one attempt came to, handed from an HTTP client thread to the delivery thread. */
    private record Outcome(TopicPartition tp, long offset, boolean ok, String error) {
    }

    WebhookDelivery(Webhook hook, String bootstrap, HttpClient http) {
        this.hook = hook;
        this.http = http;
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, hook.group());
        c.put(ConsumerConfig.CLIENT_ID_CONFIG, hook.group());
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, hook.from());
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
        c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        this.consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.producer = new KafkaProducer<>(Map.of("bootstrap.servers", bootstrap, "client.id", hook.group() + "-dlq"),
                new ByteArraySerializer(), new ByteArraySerializer());
        this.thread = new Thread(this::run, "brook-webhook-" + hook.name());
        thread.setDaemon(true);
    }

    void start() {
        consumer.subscribe(List.of(hook.topic()), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                commit(true);
                partitions.forEach(lanes::remove);
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                // lanes are made as records arrive
            }
        });
        thread.start();
    }

    private void run() {
        long lastCommit = System.currentTimeMillis();
        try {
            while (!closed) {
                boolean busy = lanes.values().stream().anyMatch(l -> !l.pending.isEmpty());
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(busy ? 20 : 200))) {
                    Lane lane = lanes.computeIfAbsent(new TopicPartition(r.topic(), r.partition()), tp -> new Lane());
                    lane.pending.addLast(r);
                }
                Outcome o;
                while ((o = outcomes.poll()) != null) {
                    settle(o);
                }
                long now = System.currentTimeMillis();
                for (Map.Entry<TopicPartition, Lane> e : lanes.entrySet()) {
                    Lane lane = e.getValue();
                    if (!lane.inFlight && !lane.pending.isEmpty() && now >= lane.retryAtMs) {
                        attempt(e.getKey(), lane);
                    }
                    boolean full = lane.pending.size() >= MAX_QUEUED_PER_PARTITION;
                    if (full != lane.paused) {
                        if (full) {
                            consumer.pause(List.of(e.getKey()));
                        } else {
                            consumer.resume(List.of(e.getKey()));
                        }
                        lane.paused = full;
                    }
                }
                if (now - lastCommit >= 1_000) {
                    commit(false);
                    lastCommit = now;
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            lastError = e.toString();
            log.error("Webhook {} stopped delivering", hook.name(), e);
        } finally {
            settleInFlight(System.currentTimeMillis() + 2_000);
            try {
                try {
                    commit(true);
                } catch (WakeupException e) {
                    commit(true); // the wakeup that asked us to stop landed here, not in poll; the offsets are still to do
                }
            } catch (RuntimeException e) {
                log.warn("Webhook {}: the last commit failed; some records will be delivered again", hook.name(), e);
            }
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** On the way out: waits (until {@code deadlineMs}) for the answers to attempts in flight, so what was delivered is committed. */
    private void settleInFlight(long deadlineMs) {
        while (lanes.values().stream().anyMatch(l -> l.inFlight) && System.currentTimeMillis() < deadlineMs) {
            Outcome o = outcomes.poll();
            if (o == null) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            } else {
                settle(o);
            }
        }
        Outcome o;
        while ((o = outcomes.poll()) != null) {
            settle(o);
        }
    }

    private void attempt(TopicPartition tp, Lane lane) {
        ConsumerRecord<byte[], byte[]> r = lane.pending.peekFirst();
        lane.inFlight = true;
        byte[] body = body(r);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(hook.url()))
                .timeout(Duration.ofMillis(hook.timeoutMs()))
                .header("Content-Type", "application/json")
                .header("X-Brook-Webhook", hook.name())
                .header("X-Brook-Topic", r.topic())
                .header("X-Brook-Partition", String.valueOf(r.partition()))
                .header("X-Brook-Offset", String.valueOf(r.offset()))
                .header("X-Brook-Delivery-Attempt", String.valueOf(lane.attempts + 1))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (hook.secret() != null) {
            request.header("X-Brook-Signature", "sha256=" + sign(hook.secret(), body));
        }
        long offset = r.offset();
        http.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
            if (error != null) {
                outcomes.add(new Outcome(tp, offset, false, error.getClass().getSimpleName() + ": " + error.getMessage()));
            } else if (response.statusCode() / 100 == 2) {
                outcomes.add(new Outcome(tp, offset, true, null));
            } else {
                outcomes.add(new Outcome(tp, offset, false, "HTTP " + response.statusCode()));
            }
        });
    }

    private void settle(Outcome o) {
        Lane lane = lanes.get(o.tp());
        if (lane == null || lane.pending.isEmpty() || lane.pending.peekFirst().offset() != o.offset()) {
            return; // the partition moved away in a rebalance meanwhile
        }
        lane.inFlight = false;
        ConsumerRecord<byte[], byte[]> r = lane.pending.peekFirst();
        if (o.ok()) {
            delivered.incrementAndGet();
            done(o.tp(), lane);
            return;
        }
        lane.attempts++;
        failedAttempts.incrementAndGet();
        lastError = "offset " + o.offset() + " of " + o.tp() + ": " + o.error();
        if (lane.attempts >= hook.maxAttempts()) {
            ProducerRecord<byte[], byte[]> dead = new ProducerRecord<>(hook.deadLetterTopic(), null, r.timestamp(), r.key(), r.value());
            for (Header h : r.headers()) {
                dead.headers().add(h);
            }
            dead.headers().add("brook.webhook.error", utf8(o.error())).add("brook.webhook.attempts", utf8(String.valueOf(lane.attempts)))
                    .add("brook.webhook.name", utf8(hook.name())).add("brook.webhook.topic", utf8(r.topic()))
                    .add("brook.webhook.partition", utf8(String.valueOf(r.partition())))
                    .add("brook.webhook.offset", utf8(String.valueOf(r.offset())));
            try {
                producer.send(dead).get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                lastError = "the dead-letter topic " + hook.deadLetterTopic() + " took nothing: " + e;
                lane.retryAtMs = System.currentTimeMillis() + hook.maxBackoffMs();
                return;
            }
            deadLettered.incrementAndGet();
            done(o.tp(), lane);
            return;
        }
        long backoff = Math.min(hook.maxBackoffMs(), hook.initialBackoffMs() << Math.min(30, lane.attempts - 1));
        lane.retryAtMs = System.currentTimeMillis() + backoff / 2 + (long) (jitter.nextDouble() * (backoff / 2.0 + 1));
    }

    private void done(TopicPartition tp, Lane lane) {
        ConsumerRecord<byte[], byte[]> r = lane.pending.pollFirst();
        lane.attempts = 0;
        lane.retryAtMs = 0;
        toCommit.put(tp, new OffsetAndMetadata(r.offset() + 1));
    }

    private void commit(boolean sync) {
        if (toCommit.isEmpty()) {
            return;
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(toCommit);
        toCommit.clear();
        if (sync) {
            consumer.commitSync(offsets);
        } else {
            consumer.commitAsync(offsets, (committed, error) -> {
                if (error != null) {
                    log.debug("Webhook {}: a commit failed; the next one covers it", hook.name(), error);
                }
            });
        }
    }

    private static byte[] body(ConsumerRecord<byte[], byte[]> r) {
        ObjectNode j = Exchange.JSON.createObjectNode().put("topic", r.topic()).put("partition", r.partition()).put("offset", r.offset())
                .put("timestamp", r.timestamp()).put("timestamp_type", r.timestampType().name);
        j.put("key", r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8));
        j.put("value", r.value() == null ? null : new String(r.value(), StandardCharsets.UTF_8));
        if (r.headers().toArray().length > 0) {
            ObjectNode headers = j.putObject("headers");
            for (Header h : r.headers()) {
                headers.put(h.key(), h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8));
            }
        }
        return j.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Hex HMAC-SHA256 of {@code body} with {@code secret}: what {@code X-Brook-Signature} carries after {@code sha256=}. */
    static String sign(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] utf8(String s) {
        return (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Stops delivering: attempts in flight get up to two seconds to be answered and what was delivered is committed;
     * anything else is delivered again by the next owner of the group.
     */
    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
    }
}
