package dev.brook.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * A consumer-group member on its own thread: it subscribes, records every record it receives and every
 * rebalance callback, and commits synchronously after each poll, so everything it has seen is committed
 * before it can lose a partition. {@link #close} leaves the group the way the client's own close does.
 */
final class GroupMember implements AutoCloseable {
    final List<ConsumerRecord<String, String>> received = new CopyOnWriteArrayList<>();
    final AtomicInteger assignedCallbacks = new AtomicInteger();
    final AtomicInteger revokedCallbacks = new AtomicInteger();
    private volatile Set<TopicPartition> assignment = Set.of();
    private volatile boolean running = true;
    private volatile Throwable failure;
    private final Thread thread;

    GroupMember(String bootstrap, String topic, String group, String protocol, String instanceId) {
        this(bootstrap, topic, group, protocol, instanceId, Map.of());
    }

    /** With extra consumer configs, e.g. {@code partition.assignment.strategy}; a topic starting with "regex:" subscribes by pattern. */
    GroupMember(String bootstrap, String topic, String group, String protocol, String instanceId, Map<String, Object> extra) {
        Map<String, Object> config = new HashMap<>(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"));
        if (instanceId != null) {
            config.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instanceId);
        }
        if ("classic".equals(protocol)) {
            config.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6_000);
            config.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500);
        }
        config.putAll(extra);
        thread = new Thread(() -> run(bootstrap, topic, config), "member-" + group + "-" + instanceId);
        thread.setDaemon(true);
        thread.start();
    }

    private void run(String bootstrap, String topic, Map<String, Object> config) {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(bootstrap, config)) {
            ConsumerRebalanceListener listener = new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    if (!partitions.isEmpty()) {
                        revokedCallbacks.incrementAndGet();
                    }
                    assignment = Set.copyOf(consumer.assignment());
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    if (!partitions.isEmpty()) {
                        assignedCallbacks.incrementAndGet();
                    }
                    assignment = Set.copyOf(consumer.assignment());
                }

                @Override
                public void onPartitionsLost(Collection<TopicPartition> partitions) {
                    revokedCallbacks.incrementAndGet();
                }
            };
            if (topic.startsWith("regex:")) {
                if ("consumer".equals(config.get(ConsumerConfig.GROUP_PROTOCOL_CONFIG))) {
                    consumer.subscribe(new org.apache.kafka.clients.consumer.SubscriptionPattern(topic.substring(6)), listener);
                } else {
                    consumer.subscribe(java.util.regex.Pattern.compile(topic.substring(6)), listener);
                }
            } else {
                consumer.subscribe(List.of(topic), listener);
            }
            while (running) {
                var records = consumer.poll(Duration.ofMillis(100));
                records.forEach(received::add);
                if (!records.isEmpty()) {
                    consumer.commitSync();
                }
                assignment = Set.copyOf(consumer.assignment());
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    Set<TopicPartition> assignment() {
        return assignment;
    }

    List<String> values() {
        List<String> out = new ArrayList<>();
        received.forEach(r -> out.add(r.value()));
        return out;
    }

    Throwable failure() {
        return failure;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(30_000);
    }
}
