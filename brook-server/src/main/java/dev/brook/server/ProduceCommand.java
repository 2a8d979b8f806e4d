package dev.brook.server;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code brook produce TOPIC}: one record per line of standard input. */
@Command(name = "produce", mixinStandardHelpOptions = true, description = "Send each line of standard input as a record.")
final class ProduceCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client = new ClientOptions();
    @Parameters(paramLabel = "TOPIC")
    String topic;
    @Option(names = {"-K", "--key-separator"}, paramLabel = "SEP", description = "Split each line at the first SEP into key and value.")
    String keySeparator;
    @Option(names = "--acks", defaultValue = "all", description = "all, 1 or 0 (default: ${DEFAULT-VALUE}).")
    String acks;
    @Option(names = "--partition", description = "Send every record to this partition.")
    Integer partition;

    @Override
    public Integer call() throws Exception {
        Map<String, Object> config = client.clientConfig();
        config.put("acks", acks);
        config.put("linger.ms", 5);
        AtomicLong sent = new AtomicLong();
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
             BufferedReader lines = new BufferedReader(new InputStreamReader(BrookCli.in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null && failure.get() == null) {
                String key = null;
                String value = line;
                if (keySeparator != null) {
                    int at = line.indexOf(keySeparator);
                    if (at >= 0) {
                        key = line.substring(0, at);
                        value = line.substring(at + keySeparator.length());
                    }
                }
                producer.send(new ProducerRecord<>(topic, partition, key, value), (metadata, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    } else {
                        sent.incrementAndGet();
                    }
                });
            }
            producer.flush();
        }
        if (failure.get() != null) {
            BrookCli.err.println("brook produce: " + CliErrors.describe(failure.get()));
            return 1;
        }
        BrookCli.err.println("Produced " + sent.get() + " records to " + topic + ".");
        return 0;
    }
}
