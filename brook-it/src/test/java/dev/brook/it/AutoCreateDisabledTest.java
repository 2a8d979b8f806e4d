package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.brook.testkit.BrookExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** With {@code auto.create.topics.enable=false}, only an explicit CreateTopics makes a topic. */
@Timeout(60)
class AutoCreateDisabledTest {

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension().withConfig("auto.create.topics.enable", "false");

    @Test
    void metadataForAnUnknownTopicAnswersUnknownTopicOrPartitionEvenWhenTheClientAsksToCreateIt() throws Exception {
        String topic = AdminClientTest.uniqueTopic();
        try (RawConnection connection = RawConnection.open(brook.bootstrapServers(), Duration.ofSeconds(10))) {
            short version = connection.highestCommonVersion(ApiKeys.METADATA);
            MetadataResponse response = (MetadataResponse) connection.roundTrip(
                    new MetadataRequest.Builder(List.of(topic), true).build(version),
                    new RequestHeader(ApiKeys.METADATA, version, "auto-create-disabled-test", 7));

            assertThat(response.errors()).containsEntry(topic, Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        try (Admin admin = Clients.admin(brook.bootstrapServers())) {
            assertThat(admin.listTopics().names().get()).doesNotContain(topic);
        }
    }

    @Test
    void producingToAnUnknownTopicFailsQuicklyAndCreatesNothing() throws Exception {
        String topic = AdminClientTest.uniqueTopic();
        try (KafkaProducer<String, String> producer = Clients.producer(brook.bootstrapServers(),
                Map.of(ProducerConfig.MAX_BLOCK_MS_CONFIG, 2_000))) {
            long start = System.nanoTime();
            Throwable thrown = catchThrowable(() -> producer.send(new ProducerRecord<>(topic, "k", "v")).get(20, TimeUnit.SECONDS));
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            Throwable cause = thrown instanceof ExecutionException ? thrown.getCause() : thrown;
            assertThat(cause).as("why the send failed").isInstanceOf(TimeoutException.class)
                    .hasMessageContaining(topic);
            assertThat(elapsedMs).as("ms until the send failed (max.block.ms=2000)").isLessThan(10_000);
        }
        try (Admin admin = Clients.admin(brook.bootstrapServers())) {
            assertThat(admin.listTopics().names().get()).doesNotContain(topic);
            Throwable describe = catchThrowable(() -> admin.describeTopics(List.of(topic)).allTopicNames().get());
            assertThat(describe).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
        }
    }

    @Test
    void explicitlyCreatedTopicsStillWork() throws Exception {
        String topic = AdminClientTest.uniqueTopic();
        try (Admin admin = Clients.admin(brook.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        try (KafkaProducer<String, String> producer = Clients.producer(brook.bootstrapServers())) {
            assertThat(producer.send(new ProducerRecord<>(topic, "k", "v")).get(10, TimeUnit.SECONDS).offset()).isZero();
        }
    }
}
