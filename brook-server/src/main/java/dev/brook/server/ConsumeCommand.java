package dev.brook.server;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code brook consume TOPIC}: prints record values, one per line. Without {@code --group} it reads every partition
 * directly (from the end, or the beginning); with {@code --group} it joins that consumer group and commits.
 */
@Command(name = "consume", mixinStandardHelpOptions = true, description = "Print records of a topic, one value per line.")
final class ConsumeCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client = new ClientOptions();
    @Parameters(paramLabel = "TOPIC")
    String topic;
    @Option(names = "--from-beginning", description = "Start at the earliest offset (default: only new records).")
    boolean fromBeginning;
    @Option(names = {"-g", "--group"}, paramLabel = "GROUP", description = "Consume as a member of this consumer group.")
    String group;
    @Option(names = "--max-messages", paramLabel = "N", description = "Stop after N records.")
    Long maxMessages;
    @Option(names = "--timeout-ms", paramLabel = "MS", description = "Stop after MS without a new record.")
    Long timeoutMs;
    @Option(names = "--print-key", description = "Print KEY<tab>VALUE.")
    boolean printKey;
    @Option(names = "--print-offset", description = "Print PARTITION:OFFSET<tab> first.")
    boolean printOffset;

    @Override
    public Integer call() {
        Map<String, Object> config = client.clientConfig();
        config.put("auto.offset.reset", fromBeginning ? "earliest" : "latest");
        if (group != null) {
            config.put("group.id", group);
        } else {
            config.put("enable.auto.commit", false);
        }
        long count = 0;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            Thread main = Thread.currentThread();
            Thread hook = new Thread(consumer::wakeup);
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                if (group != null) {
                    consumer.subscribe(List.of(topic));
                } else {
                    List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(20)).stream()
                            .map(p -> new TopicPartition(topic, p.partition())).toList();
                    if (partitions.isEmpty()) {
                        BrookCli.err.println("brook consume: topic " + topic + " does not exist");
                        return 1;
                    }
                    consumer.assign(partitions);
                    if (fromBeginning) {
                        consumer.seekToBeginning(partitions);
                    } else {
                        consumer.seekToEnd(partitions);
                    }
                }
                long lastRecord = System.currentTimeMillis();
                while (maxMessages == null || count < maxMessages) {
                    ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(200));
                    for (ConsumerRecord<String, String> r : records) {
                        StringBuilder line = new StringBuilder();
                        if (printOffset) {
                            line.append(r.partition()).append(':').append(r.offset()).append('\t');
                        }
                        if (printKey) {
                            line.append(r.key()).append('\t');
                        }
                        BrookCli.out.println(line.append(r.value()));
                        count++;
                        lastRecord = System.currentTimeMillis();
                        if (maxMessages != null && count >= maxMessages) {
                            break;
                        }
                    }
                    if (timeoutMs != null && System.currentTimeMillis() - lastRecord >= timeoutMs) {
                        break;
                    }
                }
                if (group != null) {
                    consumer.commitSync();
                }
            } catch (WakeupException stopping) {
                // Ctrl-C
            } finally {
                if (Thread.currentThread() == main) {
                    try {
                        Runtime.getRuntime().removeShutdownHook(hook);
                    } catch (IllegalStateException shuttingDown) {
                        // already running
                    }
                }
            }
        }
        BrookCli.out.flush();
        BrookCli.err.println("Consumed " + count + " records.");
        return 0;
    }
}
