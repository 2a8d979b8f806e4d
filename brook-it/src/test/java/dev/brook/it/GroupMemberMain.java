package dev.brook.it;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * A consumer-group member in its own JVM, so a test can kill it with SIGKILL: it stops heartbeating without
 * ever saying goodbye, as a crashed machine would. It subscribes, prints {@code R <partition> <offset> <value>}
 * for every record, commits synchronously after each poll, prints {@code A <partitions>} on each assignment,
 * and runs until killed.
 *
 * <p>Arguments: bootstrap, topic, group, group.protocol, session timeout ms (classic only).
 */
public final class GroupMemberMain {
    private GroupMemberMain() {
    }

    public static void main(String[] args) {
        String bootstrap = args[0];
        String topic = args[1];
        String group = args[2];
        String protocol = args[3];
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        Map<String, Object> overrides = new java.util.HashMap<>(Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 20));
        if ("classic".equals(protocol)) {
            overrides.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Integer.parseInt(args[4]));
            overrides.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500);
        }
        try (KafkaConsumer<String, String> consumer = Clients.consumer(bootstrap, overrides)) {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    out.println("A " + consumer.assignment());
                }
            });
            while (true) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    out.println("R " + r.partition() + " " + r.offset() + " " + r.value());
                }
                consumer.commitSync();
            }
        }
    }
}
