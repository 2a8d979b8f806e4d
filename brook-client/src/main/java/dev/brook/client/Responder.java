package dev.brook.client;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers requests ({@link ReplyHeaders}' convention) with a function: for every record on the request topic that
 * carries a {@code reply-to}, the function's result is written to that topic with the request's key and
 * {@code correlation-id}. Responders share requests as a consumer group does (start several with the same group to
 * spread the load); a request is answered at least once. A function that throws (or returns null) sends no reply: the
 * requester times out.
 * <pre>
 *   Responder responder = Responder.start(Map.of("bootstrap.servers", "127.0.0.1:9092"), "prices", "price-service",
 *           request -&gt; price(request.value()));
 * </pre>
 *
 * <p>One thread of its own polls, answers and commits, in order.
 */
public final class Responder implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Responder.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Function<ConsumerRecord<byte[], byte[]>, byte[]> handler;
    private final Thread thread;
    private final CountDownLatch assigned = new CountDownLatch(1);
    private volatile boolean closed;

    private Responder(Map<String, Object> config, String requestTopic, String group, Function<ConsumerRecord<byte[], byte[]>, byte[]> handler) {
        this.handler = handler;
        Map<String, Object> consumerConfig = new HashMap<>(config);
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        consumerConfig.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerConfig.putIfAbsent(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        this.consumer = new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        Map<String, Object> producerConfig = new HashMap<>(config);
        producerConfig.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, 0); // sent at once: Kafka 4's default lingers 5 ms
        this.producer = new KafkaProducer<>(producerConfig, new ByteArraySerializer(), new ByteArraySerializer());
        consumer.subscribe(List.of(requestTopic), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                consumer.commitSync(); // the answered requests of partitions about to move
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                partitions.forEach(consumer::position); // resolved now: a request sent once awaitReady returns is not skipped
                assigned.countDown();
            }
        });
        this.thread = new Thread(this::run, "brook-responder-" + requestTopic);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Starts answering requests on {@code requestTopic} as a member of {@code group}. {@code config} holds
     * kafka-clients settings for its consumer and producer ({@code bootstrap.servers} at least).
     */
    public static Responder start(Map<String, Object> config, String requestTopic, String group,
                                  Function<ConsumerRecord<byte[], byte[]>, byte[]> handler) {
        return new Responder(config, requestTopic, group, handler);
    }

    /** Waits until the group has given this responder its partitions (requests sent before may be missed). */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return assigned.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void run() {
        try {
            while (!closed) {
                var records = consumer.poll(Duration.ofMillis(500));
                for (ConsumerRecord<byte[], byte[]> request : records) {
                    answer(request);
                }
                if (!records.isEmpty()) {
                    producer.flush();
                    // asynchronous: a synchronous commit would hold the next request behind the group log's fsync
                    consumer.commitAsync();
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            log.error("The responder stopped", e);
        } finally {
            try {
                consumer.commitSync(Duration.ofSeconds(5)); // what the last asynchronous commits had not covered yet
            } catch (RuntimeException e) {
                log.debug("The responder's last commit failed; some requests may be answered again", e);
            }
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void answer(ConsumerRecord<byte[], byte[]> request) {
        String replyTo = ReplyHeaders.replyTo(request.headers());
        if (replyTo == null) {
            return;
        }
        byte[] value;
        try {
            value = handler.apply(request);
        } catch (RuntimeException e) {
            log.warn("The handler failed on the request at {}-{}@{}; no reply", request.topic(), request.partition(), request.offset(), e);
            return;
        }
        if (value == null) {
            return;
        }
        ProducerRecord<byte[], byte[]> reply = new ProducerRecord<>(replyTo, request.key(), value);
        byte[] id = ReplyHeaders.correlationId(request.headers());
        if (id != null) {
            reply.headers().add(ReplyHeaders.CORRELATION_ID, id);
        }
        producer.send(reply);
    }

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
