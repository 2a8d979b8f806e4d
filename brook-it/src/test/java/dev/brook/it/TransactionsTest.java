package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brook.testkit.BrookExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Kafka's Java transactional producer and read_committed consumer against Brook: commit and abort, fencing of an old
 * instance, offsets committed inside a transaction, and the Admin views (list, describe, producers, abort), in both
 * protocol generations: here with the broker's default {@code brook.transaction.version} 2, which 4.x clients use as
 * transactions v2 (KIP-890), and in {@link TransactionsV1Test} with 1, where they add partitions themselves as older clients do.
 */
@Timeout(180)
class TransactionsTest {

    @RegisterExtension
    static final BrookExtension brookV2 = new BrookExtension()
            .withConfig("transaction.abort.timed.out.transaction.cleanup.interval.ms", "200");

    private Admin admin;

    BrookExtension brook() {
        return brookV2;
    }

    @BeforeEach
    void connect() {
        admin = Clients.admin(brook().bootstrapServers());
    }

    @AfterEach
    void disconnect() {
        admin.close();
    }

    private String topic(int partitions) throws Exception {
        String name = AdminClientTest.uniqueTopic();
        admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
        return name;
    }

    private KafkaProducer<String, String> transactional(String id) {
        return Clients.producer(brook().bootstrapServers(), Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id,
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 60_000));
    }

    private List<String> read(String topic, int partitions, String isolation) {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(brook().bootstrapServers(),
                Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation))) {
            List<TopicPartition> tps = IntStream.range(0, partitions).mapToObj(p -> new TopicPartition(topic, p)).toList();
            // per partition in offset order (a stable sort keeps the order polled within each)
            return Clients.readFromBeginningToEnd(consumer, tps, Duration.ofSeconds(20)).stream()
                    .sorted(java.util.Comparator.comparingInt(ConsumerRecord::partition))
                    .map(r -> r.partition() + ":" + r.value()).toList();
        }
    }

    @Test
    void readCommittedSeesExactlyTheCommittedRecordsInOrderAndReadUncommittedSeesEveryDataRecord() throws Exception {
        String topic = topic(2);
        try (KafkaProducer<String, String> producer = transactional("txn-basic-" + System.nanoTime())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 4; i++) {
                producer.send(new ProducerRecord<>(topic, i % 2, null, "c1-" + i));
            }
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, 0, null, "a1-0"));
            producer.send(new ProducerRecord<>(topic, 1, null, "a1-1"));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, 1, null, "c2-0"));
            producer.commitTransaction();
        }
        assertThat(read(topic, 2, "read_committed")).containsExactly("0:c1-0", "0:c1-2", "1:c1-1", "1:c1-3", "1:c2-0");
        assertThat(read(topic, 2, "read_uncommitted"))
                .containsExactly("0:c1-0", "0:c1-2", "0:a1-0", "1:c1-1", "1:c1-3", "1:a1-1", "1:c2-0");
        // markers take offsets but are never delivered: 2 + 1 + 0 data and 2 markers in partition 0
        assertThat(admin.listOffsets(Map.of(new TopicPartition(topic, 0), org.apache.kafka.clients.admin.OffsetSpec.latest()))
                .all().get().get(new TopicPartition(topic, 0)).offset()).isEqualTo(5);
    }

    @Test
    void anOpenTransactionHoldsBackReadCommittedConsumersUntilItCommits() throws Exception {
        String topic = topic(1);
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaProducer<String, String> plain = Clients.producer(brook().bootstrapServers());
             KafkaProducer<String, String> producer = transactional("txn-open-" + System.nanoTime())) {
            plain.send(new ProducerRecord<>(topic, "before")).get();
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "inside")).get();
            plain.send(new ProducerRecord<>(topic, "after")).get();
            Map<TopicPartition, org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo> committedEnd = admin.listOffsets(
                    Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()),
                    new org.apache.kafka.clients.admin.ListOffsetsOptions(org.apache.kafka.common.IsolationLevel.READ_COMMITTED)).all().get();
            assertThat(committedEnd.get(tp).offset()).as("the last stable offset: the open transaction's first record").isEqualTo(1);
            assertThat(read(topic, 1, "read_committed")).containsExactly("0:before");
            producer.commitTransaction();
        }
        assertThat(read(topic, 1, "read_committed")).containsExactly("0:before", "0:inside", "0:after");
    }

    @Test
    void aNewInstanceWithTheSameTransactionalIdFencesTheOldOneAndAbortsItsTransaction() throws Exception {
        String topic = topic(1);
        String id = "txn-zombie-" + System.nanoTime();
        KafkaProducer<String, String> zombie = transactional(id);
        zombie.initTransactions();
        zombie.beginTransaction();
        zombie.send(new ProducerRecord<>(topic, "zombie")).get();
        try (KafkaProducer<String, String> successor = transactional(id)) {
            successor.initTransactions();
            assertThatThrownBy(() -> {
                zombie.send(new ProducerRecord<>(topic, "late")).get();
                zombie.commitTransaction();
            }).satisfiesAnyOf(
                    e -> assertThat(e).hasRootCauseInstanceOf(ProducerFencedException.class),
                    e -> assertThat(e).hasRootCauseInstanceOf(InvalidProducerEpochException.class),
                    e -> assertThat(e).isInstanceOf(ProducerFencedException.class),
                    e -> assertThat(e).isInstanceOf(KafkaException.class).hasMessageContaining("fenced"));
            successor.beginTransaction();
            successor.send(new ProducerRecord<>(topic, "successor"));
            successor.commitTransaction();
        } finally {
            zombie.close(Duration.ZERO);
        }
        assertThat(read(topic, 1, "read_committed")).containsExactly("0:successor");
    }

    @Test
    void offsetsSentToATransactionAreCommittedWithItAndVanishWhenItAborts() throws Exception {
        String input = topic(1);
        String output = topic(1);
        String group = "txn-group-" + System.nanoTime();
        try (KafkaProducer<String, String> plain = Clients.producer(brook().bootstrapServers())) {
            for (int i = 0; i < 10; i++) {
                plain.send(new ProducerRecord<>(input, "in-" + i)).get();
            }
        }
        TopicPartition in = new TopicPartition(input, 0);
        try (KafkaProducer<String, String> producer = transactional("txn-ctp-" + System.nanoTime());
             KafkaConsumer<String, String> consumer = Clients.consumer(brook().bootstrapServers(), Map.of(
                     ConsumerConfig.GROUP_ID_CONFIG, group, ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                     ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"))) {
            producer.initTransactions();
            consumer.subscribe(List.of(input));
            List<ConsumerRecord<String, String>> polled = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (polled.size() < 10 && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(polled::add);
            }
            assertThat(polled).hasSize(10);
            // the first five, committed with their output
            producer.beginTransaction();
            for (ConsumerRecord<String, String> r : polled.subList(0, 5)) {
                producer.send(new ProducerRecord<>(output, r.value().replace("in", "out")));
            }
            producer.sendOffsetsToTransaction(Map.of(in, new OffsetAndMetadata(5)), consumer.groupMetadata());
            producer.commitTransaction();
            assertThat(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().get(in).offset()).isEqualTo(5);
            // the rest, aborted: neither output nor offsets
            producer.beginTransaction();
            for (ConsumerRecord<String, String> r : polled.subList(5, 10)) {
                producer.send(new ProducerRecord<>(output, r.value().replace("in", "out")));
            }
            producer.sendOffsetsToTransaction(Map.of(in, new OffsetAndMetadata(10)), consumer.groupMetadata());
            producer.abortTransaction();
            assertThat(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().get(in).offset()).isEqualTo(5);
        }
        assertThat(read(output, 1, "read_committed")).containsExactly("0:out-0", "0:out-1", "0:out-2", "0:out-3", "0:out-4");
    }

    @Test
    void anAbandonedTransactionIsAbortedAtItsTimeoutAndItsProducerCannotCommitIt() throws Exception {
        String topic = topic(1);
        TopicPartition tp = new TopicPartition(topic, 0);
        String id = "txn-timeout-" + System.nanoTime();
        KafkaProducer<String, String> abandoned = Clients.producer(brook().bootstrapServers(), Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, id, ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 1_500));
        try {
            abandoned.initTransactions();
            abandoned.beginTransaction();
            abandoned.send(new ProducerRecord<>(topic, "abandoned")).get();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> admin.listOffsets(
                    Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest()),
                    new org.apache.kafka.clients.admin.ListOffsetsOptions(org.apache.kafka.common.IsolationLevel.READ_COMMITTED))
                    .all().get().get(tp).offset() == 2); // the record and the coordinator's abort marker
            assertThatThrownBy(abandoned::commitTransaction).isInstanceOf(KafkaException.class);
        } finally {
            abandoned.close(Duration.ZERO);
        }
        try (KafkaProducer<String, String> next = transactional(id)) {
            next.initTransactions();
            next.beginTransaction();
            next.send(new ProducerRecord<>(topic, "next"));
            next.commitTransaction();
        }
        assertThat(read(topic, 1, "read_committed")).containsExactly("0:next");
    }

    @Test
    void aTransactionOpenAcrossABrokerRestartIsAbortedAndTheIdWorksAfterwards() throws Exception {
        String topic = topic(1);
        String id = "txn-restart-" + System.nanoTime();
        KafkaProducer<String, String> before = transactional(id);
        try {
            before.initTransactions();
            before.beginTransaction();
            before.send(new ProducerRecord<>(topic, "open-at-restart")).get();
            admin.close();
            brook().restart();
            admin = Clients.admin(brook().bootstrapServers());
        } finally {
            before.close(Duration.ZERO);
        }
        assertThat(read(topic, 1, "read_committed")).isEmpty();
        assertThat(read(topic, 1, "read_uncommitted")).containsExactly("0:open-at-restart");
        try (KafkaProducer<String, String> after = transactional(id)) {
            after.initTransactions();
            after.beginTransaction();
            after.send(new ProducerRecord<>(topic, "after-restart"));
            after.commitTransaction();
        }
        assertThat(read(topic, 1, "read_committed")).containsExactly("0:after-restart");
    }

    @Test
    void adminListsDescribesAndShowsTheProducersOfAnOpenTransactionAndAbortsAHangingOne() throws Exception {
        String topic = topic(1);
        TopicPartition tp = new TopicPartition(topic, 0);
        String id = "txn-admin-" + System.nanoTime();
        try (KafkaProducer<String, String> producer = transactional(id)) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "open")).get();
            Collection<TransactionListing> ongoing = admin.listTransactions(new org.apache.kafka.clients.admin.ListTransactionsOptions()
                    .filterStates(Set.of(org.apache.kafka.clients.admin.TransactionState.ONGOING))).all().get();
            assertThat(ongoing).extracting(TransactionListing::transactionalId).contains(id);
            TransactionDescription d = admin.describeTransactions(List.of(id)).description(id).get();
            assertThat(d.state()).isEqualTo(org.apache.kafka.clients.admin.TransactionState.ONGOING);
            assertThat(d.topicPartitions()).containsExactly(tp);
            assertThat(d.transactionTimeoutMs()).isEqualTo(60_000);
            List<ProducerState> producers = admin.describeProducers(List.of(tp)).partitionResult(tp).get().activeProducers();
            assertThat(producers).hasSize(1);
            assertThat(producers.get(0).producerId()).isEqualTo(d.producerId());
            assertThat(producers.get(0).currentTransactionStartOffset()).hasValue(0L);

            // an operator aborts it in the partition, as kafka-transactions.sh abort does for a hanging transaction
            admin.abortTransaction(new org.apache.kafka.clients.admin.AbortTransactionSpec(tp, producers.get(0).producerId(),
                    (short) producers.get(0).producerEpoch(), producers.get(0).coordinatorEpoch().orElse(0))).all().get();
            assertThat(admin.describeProducers(List.of(tp)).partitionResult(tp).get().activeProducers().get(0)
                    .currentTransactionStartOffset()).isEmpty();
            producer.close(Duration.ZERO);
        }
        assertThat(read(topic, 1, "read_committed")).isEmpty();
    }
}
