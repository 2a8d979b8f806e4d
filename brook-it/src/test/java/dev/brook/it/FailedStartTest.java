package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brook.broker.BrokerConfig;
import dev.brook.broker.BrokerStartException;
import dev.brook.broker.BrookBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker whose start fails (here: one partition's segment file cannot be opened) leaves the data directory as
 * unclean as it found it: it must not write the clean-shutdown marker, or the next start would skip the recovery of
 * every log it never opened. Once the cause is gone, the next start recovers and serves everything.
 */
@Timeout(120)
class FailedStartTest {

    @TempDir
    Path dataDir;

    @Test
    void aStartThatFailsDoesNotMarkTheDirectoryCleanAndTheNextStartRecovers() throws Exception {
        BrokerConfig config = BrokerConfig.defaults().withDataDir(dataDir).withListener("127.0.0.1", 0);
        String topic = AdminClientTest.uniqueTopic();
        try (BrookBroker broker = BrookBroker.start(config);
             KafkaProducer<String, String> producer = Clients.producer(broker.bootstrapServers())) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>(topic, "k", "v" + i)).get(10, TimeUnit.SECONDS);
            }
        }
        assertThat(dataDir.resolve(".brook_clean_shutdown")).exists();
        // an unclean stop, then a segment file that cannot be opened at the next start
        Files.delete(dataDir.resolve(".brook_clean_shutdown"));
        Path segment = dataDir.resolve(topic + "-0").resolve("00000000000000000000.log");
        Path aside = dataDir.resolve("aside.log");
        Files.move(segment, aside);
        Files.createDirectory(segment);

        assertThatThrownBy(() -> BrookBroker.start(config)).isInstanceOf(BrokerStartException.class);

        assertThat(dataDir.resolve(".brook_clean_shutdown")).as("the marker after a failed start").doesNotExist();
        Files.delete(segment);
        Files.move(aside, segment);
        try (BrookBroker broker = BrookBroker.start(config);
             KafkaConsumer<String, String> consumer = Clients.consumer(broker.bootstrapServers())) {
            List<String> values = Clients.readFromBeginningToEnd(consumer, ProduceConsumeTest.partitions(topic, 1), Duration.ofSeconds(30))
                    .stream().map(ConsumerRecord::value).toList();
            assertThat(values).hasSize(10).first().isEqualTo("v0");
        }
    }
}
