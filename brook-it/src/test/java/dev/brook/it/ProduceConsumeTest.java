package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brook.testkit.BrookExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DeletedRecords;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Apache Kafka's Java producer and consumer, unmodified and mostly at their defaults, write to and read from Brook:
 * everything acknowledged comes back once, in order, byte for byte, and the offset APIs answer as Kafka's do.
 */
@Timeout(180)
class ProduceConsumeTest {

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension();

    /** Timestamps are recent (inside retention) but chosen by the test, one millisecond apart. */
    private static final long BASE_TIMESTAMP = (System.currentTimeMillis() / 1000 - 3600) * 1000;

    private static Admin admin;

    @BeforeAll
    static void connect() {
        admin = Clients.admin(brook.bootstrapServers());
    }

    @AfterAll
    static void disconnect() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
    }

    @Test
    void aHundredThousandKeyedRecordsComeBackOnceInSendOrderWithKeysValuesHeadersAndTimestamps() throws Exception {
        int count = 100_000;
        String topic = createTopic(4);
        // Idempotent by default: acks=all, enable.idempotence=true.
        Map<TopicPartition, List<Integer>> sentOrder = new HashMap<>();
        Map<Integer, Long> sentOffset = new HashMap<>();
        try (KafkaProducer<String, String> producer = Clients.producer(brook.bootstrapServers(), Map.of(
                ProducerConfig.LINGER_MS_CONFIG, 5,
                ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024))) {
            List<Future<RecordMetadata>> acks = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                acks.add(producer.send(new ProducerRecord<>(topic, null, BASE_TIMESTAMP + i, key(i), value(i), headers(i))));
            }
            producer.flush();
            for (int i = 0; i < count; i++) {
                RecordMetadata ack = acks.get(i).get(30, TimeUnit.SECONDS);
                TopicPartition tp = new TopicPartition(ack.topic(), ack.partition());
                sentOrder.computeIfAbsent(tp, p -> new ArrayList<>()).add(i);
                sentOffset.put(i, ack.offset());
            }
        }
        assertThat(sentOrder).as("keys spread over every partition").hasSize(4);

        List<ConsumerRecord<String, String>> records;
        try (KafkaConsumer<String, String> consumer = Clients.consumer(brook.bootstrapServers(),
                Map.of(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5_000))) {
            records = Clients.readFromBeginningToEnd(consumer, partitions(topic, 4), Duration.ofSeconds(90));
        }

        assertThat(records).as("records read back").hasSize(count);
        Map<TopicPartition, List<Integer>> readOrder = new HashMap<>();
        for (ConsumerRecord<String, String> record : records) {
            int i = Integer.parseInt(record.key().substring("key-".length()));
            readOrder.computeIfAbsent(new TopicPartition(record.topic(), record.partition()), p -> new ArrayList<>()).add(i);
            assertThat(record.offset()).as("offset of record %d", i).isEqualTo(sentOffset.get(i));
            assertThat(record.value()).as("value of record %d", i).isEqualTo(value(i));
            assertThat(record.headers().toArray()).as("headers of record %d", i).containsExactly(headers(i).toArray(new Header[0]));
            assertThat(record.timestamp()).as("timestamp of record %d", i).isEqualTo(BASE_TIMESTAMP + i);
            assertThat(record.timestampType()).isEqualTo(TimestampType.CREATE_TIME);
        }
        assertThat(readOrder).as("per-partition order equals send order, with no duplicates").isEqualTo(sentOrder);
    }

    @Test
    void offsetsForTimesFindsTheFirstOffsetAtOrAfterATimestampInEachPartition() throws Exception {
        String topic = createTopic(2);
        // Partition 0: timestamps base, base+10, ..., base+990. Partition 1: base+5, base+15, ..., base+995.
        try (KafkaProducer<String, String> producer = Clients.producer(brook.bootstrapServers())) {
            for (int i = 0; i < 100; i++) {
                producer.send(new ProducerRecord<>(topic, 0, BASE_TIMESTAMP + 10L * i, "k", "p0-" + i));
                producer.send(new ProducerRecord<>(topic, 1, BASE_TIMESTAMP + 10L * i + 5, "k", "p1-" + i));
            }
            producer.flush();
        }
        TopicPartition p0 = new TopicPartition(topic, 0);
        TopicPartition p1 = new TopicPartition(topic, 1);

        try (KafkaConsumer<String, String> consumer = Clients.consumer(brook.bootstrapServers())) {
            assertThat(consumer.beginningOffsets(List.of(p0, p1))).isEqualTo(Map.of(p0, 0L, p1, 0L));
            assertThat(consumer.endOffsets(List.of(p0, p1))).isEqualTo(Map.of(p0, 100L, p1, 100L));

            Map<TopicPartition, OffsetAndTimestamp> exact = consumer.offsetsForTimes(Map.of(p0, BASE_TIMESTAMP + 420, p1, BASE_TIMESTAMP + 425));
            assertThat(exact.get(p0)).extracting(OffsetAndTimestamp::offset, OffsetAndTimestamp::timestamp).containsExactly(42L, BASE_TIMESTAMP + 420);
            assertThat(exact.get(p1)).extracting(OffsetAndTimestamp::offset, OffsetAndTimestamp::timestamp).containsExactly(42L, BASE_TIMESTAMP + 425);

            Map<TopicPartition, OffsetAndTimestamp> between = consumer.offsetsForTimes(Map.of(p0, BASE_TIMESTAMP + 421, p1, BASE_TIMESTAMP + 421));
            assertThat(between.get(p0)).as("first record after the timestamp").extracting(OffsetAndTimestamp::offset, OffsetAndTimestamp::timestamp).containsExactly(43L, BASE_TIMESTAMP + 430);
            assertThat(between.get(p1)).extracting(OffsetAndTimestamp::offset, OffsetAndTimestamp::timestamp).containsExactly(42L, BASE_TIMESTAMP + 425);

            Map<TopicPartition, OffsetAndTimestamp> early = consumer.offsetsForTimes(Map.of(p0, 0L, p1, BASE_TIMESTAMP - 1));
            assertThat(early.get(p0)).extracting(OffsetAndTimestamp::offset, OffsetAndTimestamp::timestamp).containsExactly(0L, BASE_TIMESTAMP);
            assertThat(early.get(p1)).extracting(OffsetAndTimestamp::offset, OffsetAndTimestamp::timestamp).containsExactly(0L, BASE_TIMESTAMP + 5);

            Map<TopicPartition, OffsetAndTimestamp> late = consumer.offsetsForTimes(Map.of(p0, BASE_TIMESTAMP + 991, p1, BASE_TIMESTAMP + 996));
            assertThat(late.get(p0)).as("no record at or after the timestamp").isNull();
            assertThat(late.get(p1)).isNull();
        }
    }

    @Test
    void aWaitingFetchIsAnsweredAsSoonAsARecordIsAppendedNotWhenItsWaitRunsOut() throws Exception {
        String topic = createTopic(1);
        TopicPartition tp = new TopicPartition(topic, 0);
        CountDownLatch positioned = new CountDownLatch(1);
        CompletableFuture<Long> receivedAtNanos = CompletableFuture.supplyAsync(() -> {
            try (KafkaConsumer<String, String> consumer = Clients.consumer(brook.bootstrapServers(), Map.of(
                    ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 5_000,
                    ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1))) {
                consumer.assign(List.of(tp));
                consumer.seekToEnd(List.of(tp));
                consumer.position(tp); // resolves the end offset now, so the next poll goes straight to Fetch
                positioned.countDown();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (System.nanoTime() < deadline) {
                    ConsumerRecords<String, String> records = consumer.poll(Duration.ofSeconds(10));
                    if (!records.isEmpty()) {
                        return System.nanoTime();
                    }
                }
                throw new AssertionError("no record arrived within 20 s");
            }
        });
        try (KafkaProducer<String, String> producer = Clients.producer(brook.bootstrapServers(), Map.of(ProducerConfig.ACKS_CONFIG, "1"))) {
            producer.partitionsFor(topic); // metadata loaded before the clock starts
            assertThat(positioned.await(30, TimeUnit.SECONDS)).as("consumer positioned at the end").isTrue();
            Thread.sleep(500); // the consumer's Fetch is now parked at the broker

            long sendNanos = System.nanoTime();
            producer.send(new ProducerRecord<>(topic, "k", "wake up")).get(10, TimeUnit.SECONDS);
            long ackNanos = System.nanoTime();
            long received = receivedAtNanos.get(30, TimeUnit.SECONDS);

            long ackToReceiptMs = TimeUnit.NANOSECONDS.toMillis(received - ackNanos);
            long sendToReceiptMs = TimeUnit.NANOSECONDS.toMillis(received - sendNanos);
            assertThat(ackToReceiptMs).as("ms from produce acknowledged to record received; a fetch that only "
                    + "returned at fetch.max.wait.ms=5000 would take about 4500").isLessThan(500);
            assertThat(sendToReceiptMs).as("ms from send to record received").isLessThan(1_000);
        }
    }

    @Test
    void deleteRecordsMovesTheEarliestOffsetAndAConsumerBeforeItIsResetPerAutoOffsetReset() throws Exception {
        String topic = createTopic(1);
        TopicPartition tp = new TopicPartition(topic, 0);
        produceValues(topic, 0, 100);

        DeletedRecords deleted = admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(40))).lowWatermarks().get(tp).get();
        assertThat(deleted.lowWatermark()).isEqualTo(40);

        try (KafkaConsumer<String, String> earliest = Clients.consumer(brook.bootstrapServers(),
                Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"))) {
            assertThat(earliest.beginningOffsets(List.of(tp))).containsEntry(tp, 40L);
            assertThat(earliest.endOffsets(List.of(tp))).containsEntry(tp, 100L);
            earliest.assign(List.of(tp));
            earliest.seek(tp, 10);
            List<ConsumerRecord<String, String>> records = pollAtLeast(earliest, 1, Duration.ofSeconds(20));
            assertThat(records).isNotEmpty();
            assertThat(records.get(0).offset()).as("first offset after reset to earliest").isEqualTo(40);
            assertThat(records.get(0).value()).isEqualTo("v-40");
        }
        try (KafkaConsumer<String, String> latest = Clients.consumer(brook.bootstrapServers(),
                Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"))) {
            latest.assign(List.of(tp));
            latest.seek(tp, 10);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            List<ConsumerRecord<String, String>> seen = new ArrayList<>();
            while (System.nanoTime() < deadline && latest.position(tp) != 100) {
                latest.poll(Duration.ofMillis(200)).forEach(seen::add);
            }
            assertThat(latest.position(tp)).as("position after reset to latest").isEqualTo(100);
            assertThat(seen).as("nothing before the end is delivered").isEmpty();
        }
        try (KafkaConsumer<String, String> none = Clients.consumer(brook.bootstrapServers(),
                Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none"))) {
            none.assign(List.of(tp));
            none.seek(tp, 10);
            assertThatThrownBy(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (System.nanoTime() < deadline) {
                    none.poll(Duration.ofMillis(200));
                }
            }).isInstanceOf(OffsetOutOfRangeException.class);
        }
    }

    @ParameterizedTest(name = "acks={0}")
    @ValueSource(strings = {"0", "1", "all"})
    void everyAcksSettingDeliversTheRecords(String acks) throws Exception {
        String topic = createTopic(1);
        Map<String, Object> config = Map.of(
                ProducerConfig.ACKS_CONFIG, acks,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, acks.equals("all"));
        try (KafkaProducer<String, String> producer = Clients.producer(brook.bootstrapServers(), config)) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                sent.add(producer.send(new ProducerRecord<>(topic, key(i), "acks-" + acks + "-" + i)));
            }
            producer.flush();
            for (int i = 0; i < sent.size(); i++) {
                RecordMetadata ack = sent.get(i).get(10, TimeUnit.SECONDS);
                if (!acks.equals("0")) {
                    assertThat(ack.offset()).as("acknowledged offset of record %d", i).isEqualTo(i);
                }
            }
        }

        List<String> values = readValues(topic, 1);

        assertThat(values).containsExactlyElementsOf(
                IntStream.range(0, 200).mapToObj(i -> "acks-" + acks + "-" + i).collect(Collectors.toList()));
    }

    @ParameterizedTest(name = "compression.type={0}")
    @ValueSource(strings = {"gzip", "snappy", "lz4", "zstd"})
    void compressedBatchesFromTheJavaProducerRoundTrip(String codec) throws Exception {
        String topic = createTopic(2);
        List<String> expected = new ArrayList<>();
        try (KafkaProducer<String, String> producer = Clients.producer(brook.bootstrapServers(), Map.of(
                ProducerConfig.COMPRESSION_TYPE_CONFIG, codec,
                ProducerConfig.LINGER_MS_CONFIG, 20))) {
            for (int i = 0; i < 2_000; i++) {
                String value = codec + " record " + i + " " + "compressible ".repeat(i % 20);
                expected.add(value);
                producer.send(new ProducerRecord<>(topic, key(i), value));
            }
            producer.flush();
        }

        List<String> values = readValues(topic, 2);

        assertThat(values).hasSize(expected.size()).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void producingToAnUnknownTopicCreatesItWithTheDefaultPartitionCount() throws Exception {
        String topic = AdminClientTest.uniqueTopic();
        try (KafkaProducer<String, String> producer = Clients.producer(brook.bootstrapServers())) {
            RecordMetadata ack = producer.send(new ProducerRecord<>(topic, "k", "first")).get(30, TimeUnit.SECONDS);
            assertThat(ack.offset()).isZero();
        }

        assertThat(admin.listTopics().names().get()).contains(topic);
        assertThat(admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions())
                .as("num.partitions defaults to 1").hasSize(1);
        assertThat(readValues(topic, 1)).containsExactly("first");
    }

    private static String createTopic(int partitions) throws Exception {
        String topic = AdminClientTest.uniqueTopic();
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        return topic;
    }

    private static void produceValues(String topic, int partition, int count) throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(brook.bootstrapServers())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, partition, "k-" + i, "v-" + i));
            }
            producer.flush();
        }
    }

    private static List<String> readValues(String topic, int partitions) {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(brook.bootstrapServers())) {
            return Clients.readFromBeginningToEnd(consumer, partitions(topic, partitions), Duration.ofSeconds(30))
                    .stream().map(ConsumerRecord::value).collect(Collectors.toList());
        }
    }

    private static List<ConsumerRecord<String, String>> pollAtLeast(KafkaConsumer<String, String> consumer, int n, Duration timeout) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (records.size() < n && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        return records;
    }

    static List<TopicPartition> partitions(String topic, int count) {
        return IntStream.range(0, count).mapToObj(p -> new TopicPartition(topic, p)).collect(Collectors.toList());
    }

    private static String key(int i) {
        return "key-" + i;
    }

    /** About 100 bytes, different for every record. */
    private static String value(int i) {
        String prefix = "value-" + i + "-";
        return prefix + "abcdefghijklmnopqrstuvwxyz0123456789".repeat(3).substring(0, 100 - prefix.length());
    }

    private static List<Header> headers(int i) {
        return List.of(
                new RecordHeader("seq", Integer.toString(i).getBytes(StandardCharsets.UTF_8)),
                new RecordHeader("source", "brook-it".getBytes(StandardCharsets.UTF_8)));
    }
}
