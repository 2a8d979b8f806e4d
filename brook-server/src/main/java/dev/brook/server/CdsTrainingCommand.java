package dev.brook.server;

import dev.brook.broker.BrokerConfig;
import dev.brook.broker.BrookBroker;
import dev.brook.http.HttpGateway;
import dev.brook.http.HttpLimits;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;

/**
 * {@code brook cds-training} (hidden): the training run for the class-data-sharing archive that {@code bin/brook}
 * creates once per JDK. It starts a broker on an ephemeral loopback port in a temporary directory, creates a topic,
 * produces and consumes one record through the Java client, asks the HTTP gateway for the clusters, and stops, so the classes of startup (its preloads
 * included) and of the common requests end up in the archive. With the archive the JVM maps those classes instead
 * of loading and verifying them from the jar; startup to the first Metadata answer drops by about half (see
 * docs/benchmarks.md).
 */
@Command(name = "cds-training", hidden = true, description = "Training run for the class-data-sharing archive.")
final class CdsTrainingCommand implements Callable<Integer> {

    @Override
    public Integer call() throws Exception {
        Path dir = Files.createTempDirectory("brook-cds-");
        BrookBroker.preloads().forEach(Runnable::run); // what `brook server` loads on its preload threads
        try (BrookBroker broker = BrookBroker.start(BrokerConfig.defaults().withListener("127.0.0.1", 0).withDataDir(dir));
             HttpGateway http = HttpGateway.start(broker, "127.0.0.1", 0, HttpLimits.defaults())) {
            Map<String, Object> common = Map.of("bootstrap.servers", broker.bootstrapServers());
            try (Admin admin = Admin.create(common)) {
                admin.createTopics(List.of(new NewTopic("training", 1, (short) 1))).all().get();
            }
            try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(common, new ByteArraySerializer(), new ByteArraySerializer())) {
                p.send(new ProducerRecord<>("training", new byte[] {1})).get();
            }
            HttpClient client = HttpClient.newHttpClient();
            client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.localAddress().getPort() + "/v3/clusters")).build(),
                    HttpResponse.BodyHandlers.discarding());
            try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(common, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                TopicPartition tp = new TopicPartition("training", 0);
                c.assign(List.of(tp));
                c.seekToBeginning(List.of(tp));
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                int seen = 0;
                while (seen == 0 && System.nanoTime() < deadline) {
                    ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(100));
                    seen += records.count();
                }
            }
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        return 0;
    }
}
