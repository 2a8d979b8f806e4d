package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code brook server} as an operator runs it: it says when it is ready, and SIGTERM stops it promptly and cleanly. */
@Timeout(180)
class ServerProcessTest {

    @TempDir
    Path dataDir;

    @Test
    void sigtermStopsTheServerPromptlyAndARestartServesEverythingItHad() throws Exception {
        int port = BrookProcess.freePort();
        String bootstrap = "127.0.0.1:" + port;
        String topic = AdminClientTest.uniqueTopic();

        BrookProcess server = BrookProcess.start(port, dataDir, Duration.ofSeconds(60));
        try {
            try (KafkaProducer<String, String> producer = Clients.producer(bootstrap)) {
                for (int i = 0; i < 1_000; i++) {
                    producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
                }
                producer.flush();
            }

            assertThat(server.terminate(Duration.ofSeconds(15))).as("exited within 15 s of SIGTERM; output:\n%s", server.outputTail()).isTrue();

            server = BrookProcess.start(port, dataDir, Duration.ofSeconds(60));
            try (KafkaConsumer<String, String> consumer = Clients.consumer(bootstrap)) {
                List<String> values = Clients.readFromBeginningToEnd(consumer, ProduceConsumeTest.partitions(topic, 1), Duration.ofSeconds(30))
                        .stream().map(ConsumerRecord::value).collect(Collectors.toList());
                assertThat(values).containsExactlyElementsOf(IntStream.range(0, 1_000).mapToObj(i -> "v" + i).collect(Collectors.toList()));
            }
            try (KafkaProducer<String, String> producer = Clients.producer(bootstrap)) {
                assertThat(producer.send(new ProducerRecord<>(topic, "k", "after restart")).get(10, TimeUnit.SECONDS).offset())
                        .as("next offset after a clean restart").isEqualTo(1_000);
            }
        } finally {
            server.close();
        }
    }
}
