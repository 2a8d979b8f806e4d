package dev.brook.client;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends requests to a topic and completes a future with the reply, by {@link ReplyHeaders}' convention, over plain
 * Kafka topics, so it works with Brook and with any Kafka cluster:
 * <pre>
 *   try (Requester requester = Requester.create(Map.of("bootstrap.servers", "127.0.0.1:9092"), "prices-replies")) {
 *       ConsumerRecord&lt;byte[], byte[]&gt; reply = requester.request("prices", key, value, Duration.ofSeconds(5)).get();
 *   }
 * </pre>
 * The reply topic must exist; every requester reads all of its partitions from their end when it starts (no
 * consumer group), so several requesters may share one reply topic, each taking only the replies to its own
 * correlation ids. A request that gets no reply within its timeout fails with {@link TimeoutException}; a reply that
 * comes after that is dropped.
 *
 * <p>Thread-safe: any thread may call {@link #request}. One thread of its own polls the replies.
 */
public final class Requester implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Requester.class);

    private final KafkaProducer<byte[], byte[]> producer;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String replyTopic;
    private final Map<String, CompletableFuture<ConsumerRecord<byte[], byte[]>>> waiting = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timeouts;
    private final Thread poller;
    private volatile boolean closed;

    private Requester(Map<String, Object> config, String replyTopic) {
        this.replyTopic = replyTopic;
        Map<String, Object> producerConfig = new HashMap<>(config);
        producerConfig.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 0); // sent at once: Kafka 4's default lingers 5 ms
        this.producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer());
        Map<String, Object> consumerConfig = new HashMap<>(config);
        consumerConfig.remove(ConsumerConfig.GROUP_ID_CONFIG);
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerConfig.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        this.consumer = new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        List<PartitionInfo> infos = consumer.partitionsFor(replyTopic, Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
            consumer.close();
            producer.close();
            throw new IllegalArgumentException("reply topic " + replyTopic + " does not exist");
        }
        infos.forEach(p -> partitions.add(new TopicPartition(replyTopic, p.partition())));
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position); // the start is now, before any request is sent
        this.timeouts = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "brook-requester-timeouts");
            t.setDaemon(true);
            return t;
        });
        this.poller = new Thread(this::poll, "brook-requester-" + replyTopic);
        poller.setDaemon(true);
        poller.start();
    }

    /**
     * A requester whose replies come on {@code replyTopic}. {@code config} holds kafka-clients settings for both its
     * producer and its consumer ({@code bootstrap.servers} at least).
     *
     * @throws IllegalArgumentException if the reply topic does not exist
     */
    public static Requester create(Map<String, Object> config, String replyTopic) {
        return new Requester(config, replyTopic);
    }

    /** Sends a request to {@code topic} and completes with the reply, or with {@link TimeoutException} after {@code timeout}. */
    public CompletableFuture<ConsumerRecord<byte[], byte[]>> request(String topic, byte[] key, byte[] value, Duration timeout) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("the requester is closed"));
        }
        String id = UUID.randomUUID().toString();
        CompletableFuture<ConsumerRecord<byte[], byte[]>> reply = new CompletableFuture<>();
        waiting.put(id, reply);
        timeouts.schedule(() -> {
            if (waiting.remove(id) != null) {
                reply.completeExceptionally(new TimeoutException("no reply to request " + id + " on " + replyTopic + " within " + timeout));
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        ProducerRecord<byte[], byte[]> request = new ProducerRecord<>(topic, key, value);
        request.headers().add(ReplyHeaders.REPLY_TO, replyTopic.getBytes(StandardCharsets.UTF_8))
                .add(ReplyHeaders.CORRELATION_ID, id.getBytes(StandardCharsets.UTF_8));
        producer.send(request, (metadata, error) -> {
            if (error != null && waiting.remove(id) != null) {
                reply.completeExceptionally(error);
            }
        });
        return reply;
    }

    private void poll() {
        try {
            while (!closed) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    byte[] id = ReplyHeaders.correlationId(r.headers());
                    if (id == null) {
                        continue;
                    }
                    CompletableFuture<ConsumerRecord<byte[], byte[]>> reply = waiting.remove(new String(id, StandardCharsets.UTF_8));
                    if (reply != null) {
                        reply.complete(r);
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            log.error("Reading replies from {} failed; pending requests fail", replyTopic, e);
            waiting.values().forEach(f -> f.completeExceptionally(e));
        } finally {
            consumer.close(Duration.ofSeconds(1));
        }
    }

    /** Fails the requests still waiting and stops. */
    @Override
    public void close() {
        closed = true;
        consumer.wakeup();
        try {
            poller.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        waiting.values().forEach(f -> f.completeExceptionally(new IllegalStateException("the requester closed")));
        waiting.clear();
        timeouts.shutdownNow();
        producer.close(Duration.ofSeconds(5));
    }
}
