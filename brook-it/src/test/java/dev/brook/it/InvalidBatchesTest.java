package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brook.log.BatchForge;
import dev.brook.testkit.BrookExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Record batches whose CRC holds but whose records are broken, sent over the wire as a hostile or buggy client
 * would, are each refused with INVALID_RECORD or CORRUPT_MESSAGE (a record error naming the record where the
 * protocol has one), and the partition stays readable: the Java consumer and kcat read every good record around
 * them. Before validation, each of these was stored with error 0 and the Java consumer reading the partition then
 * failed, or died of {@code OutOfMemoryError}.
 */
@Timeout(120)
class InvalidBatchesTest {

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension();

    private record Case(String what, Supplier<MemoryRecords> batch) {
    }

    private static List<Case> cases() {
        long t = System.currentTimeMillis();
        return List.of(
                new Case("a negative key length", () -> new BatchForge().fields(0, -5).build(t)),
                new Case("a negative value length", () -> new BatchForge().fields(0, -1, -9).build(t)),
                new Case("a negative header count", () -> new BatchForge().fields(0, -1, -1, -3).build(t)),
                new Case("a negative record length", () -> new BatchForge().varints(-20).raw(new byte[20]).countOneMore().build(t)),
                new Case("a value length longer than the batch", () -> new BatchForge().record("k", "v").fields(1, -1, 100_000).build(t)),
                new Case("gzip: a negative key length", () -> new BatchForge().fields(0, -5).build(Compression.gzip().build(), t)),
                new Case("gzip: a record length of 2^31-1", () -> new BatchForge().varints(Integer.MAX_VALUE).raw(new byte[40])
                        .countOneMore().build(Compression.gzip().build(), t)),
                new Case("gzip: a stream that is not gzip", () -> new BatchForge().record("k", "v").buildClaiming(1, t)),
                new Case("zstd: more records claimed than present", () -> new BatchForge().record("k", "v").countOneMore()
                        .build(Compression.zstd().build(), t)));
    }

    @Test
    void eachBrokenBatchIsRefusedAndTheJavaConsumerAndKcatReadEveryGoodRecordAroundThem() throws Exception {
        String topic = AdminClientTest.uniqueTopic();
        try (Admin admin = Clients.admin(brook.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        List<String> good = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        try (KafkaProducer<String, String> producer = Clients.producer(brook.bootstrapServers());
             RawConnection raw = RawConnection.open(brook.bootstrapServers(), Duration.ofSeconds(20))) {
            int correlation = 0;
            for (Case c : cases()) {
                String value = "good-before-" + c.what();
                producer.send(new ProducerRecord<>(topic, "k", value)).get(10, TimeUnit.SECONDS);
                good.add(value);

                ProduceResponseData.PartitionProduceResponse answer = produce(raw, topic, c.batch().get(), ++correlation);

                Errors error = Errors.forCode(answer.errorCode());
                if (error != Errors.INVALID_RECORD && error != Errors.CORRUPT_MESSAGE) {
                    failures.add(c.what() + ": answered " + error + " at offset " + answer.baseOffset());
                } else if (answer.errorMessage() == null || answer.errorMessage().isEmpty()) {
                    failures.add(c.what() + ": " + error + " without a message");
                } else if (error == Errors.INVALID_RECORD && answer.recordErrors().isEmpty()) {
                    failures.add(c.what() + ": INVALID_RECORD without a record error (" + answer.errorMessage() + ")");
                }
            }
            producer.send(new ProducerRecord<>(topic, "k", "good-last")).get(10, TimeUnit.SECONDS);
            good.add("good-last");
        }
        assertThat(failures).as("broken batches not refused as they should be").isEmpty();

        try (KafkaConsumer<String, String> consumer = Clients.consumer(brook.bootstrapServers(),
                Map.of(ConsumerConfig.CHECK_CRCS_CONFIG, true))) {
            List<String> read = Clients.readFromBeginningToEnd(consumer, ProduceConsumeTest.partitions(topic, 1), Duration.ofSeconds(30))
                    .stream().map(ConsumerRecord::value).collect(Collectors.toList());
            assertThat(read).as("what the Java consumer reads").containsExactlyElementsOf(good);
        }
        if (ExternalCommand.onPath("kcat")) {
            ExternalCommand.Result kcat = ExternalCommand.run(List.of("kcat", "-b", brook.bootstrapServers(), "-C", "-t", topic,
                    "-o", "beginning", "-e", "-q", "-f", "%s\\n"), null, Duration.ofSeconds(30));
            assertThat(kcat.exitCode()).as(kcat.describe()).isZero();
            assertThat(Arrays.stream(kcat.stdout().split("\n")).filter(l -> !l.isEmpty())).as(kcat.describe())
                    .containsExactlyElementsOf(good);
        }
    }

    /** One Produce v9 request carrying {@code batch} for partition 0, and the partition's answer. */
    private static ProduceResponseData.PartitionProduceResponse produce(RawConnection raw, String topic, MemoryRecords batch,
            int correlationId) throws Exception {
        short version = 9;
        ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000)
                .setTopicData(new ProduceRequestData.TopicProduceDataCollection(Stream.of(
                        new ProduceRequestData.TopicProduceData().setName(topic).setPartitionData(List.of(
                                new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(batch)))).iterator()));
        ProduceResponse response = (ProduceResponse) raw.roundTrip(new ProduceRequest.Builder(version, version, data).build(version),
                new RequestHeader(ApiKeys.PRODUCE, version, "invalid-batches", correlationId));
        return response.data().responses().iterator().next().partitionResponses().get(0);
    }
}
