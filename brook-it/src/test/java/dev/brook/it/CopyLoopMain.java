package dev.brook.it;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * A consume-transform-produce loop in its own JVM, so a test can SIGKILL it mid-transaction: a static member of a
 * classic group (so its successor takes its partitions at once) reads with read_committed, and each poll's output
 * ("out-" + value) and input offsets go into one transaction. Prints {@code C <records>} after each commit; runs until
 * killed.
 *
 * <p>Arguments: bootstrap, input topic, output topic, group, transactional id.
 */
public final class CopyLoopMain {
    private CopyLoopMain() {
    }

    public static void main(String[] args) {
        String bootstrap = args[0];
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        Map<String, Object> consumerConfig = new HashMap<>(Map.of(ConsumerConfig.GROUP_ID_CONFIG, args[3],
                ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "copy-loop", ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed", ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 50));
        try (KafkaConsumer<String, String> consumer = Clients.consumer(bootstrap, consumerConfig);
             KafkaProducer<String, String> producer = Clients.producer(bootstrap, Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, args[4]))) {
            producer.initTransactions();
            consumer.subscribe(List.of(args[1]));
            while (true) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
                if (records.isEmpty()) {
                    continue;
                }
                producer.beginTransaction();
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                for (ConsumerRecord<String, String> r : records) {
                    producer.send(new ProducerRecord<>(args[2], r.key(), "out-" + r.value()));
                    offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                }
                producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
                producer.commitTransaction();
                out.println("C " + records.count());
            }
        }
    }
}
