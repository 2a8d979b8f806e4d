package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brook.testkit.BrookExtension;
import dev.brook.testkit.KafkaExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Kafka's {@code kafka-transactions.sh} (TransactionsCommand) against Brook and against a real single-node Kafka 4.4 in
 * the same test, with the same open transaction on each: {@code list}, {@code describe} and {@code describe-producers}
 * print the same rows (but for ids, times and node numbers), and {@code abort} ends the transaction in the partition on
 * both, after which read_committed consumers read past it.
 */
@Timeout(300)
class TransactionsCommandTest {
    @RegisterExtension
    static final BrookExtension brook = new BrookExtension();
    private static KafkaExtension kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = ComparisonKafka.start();
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    private static ExternalCommand.Result tool(String bootstrap, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dlog4j2.configurationFile=" + KafkaExtension.projectRoot().resolve("brook-bench/kafka-server/log4j2.yaml"),
                "-cp", KafkaExtension.libDir() + "/*", "org.apache.kafka.tools.TransactionsCommand", "--bootstrap-server", bootstrap));
        command.addAll(List.of(args));
        return ExternalCommand.run(command, null, Duration.ofSeconds(90));
    }

    /** The rows of a table the tool printed, each cell trimmed, without log lines. */
    private static List<List<String>> rows(ExternalCommand.Result r) {
        assertThat(r.exitCode()).as(r.describe()).isZero();
        List<List<String>> rows = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            if (!line.isBlank() && !line.startsWith("[")) {
                rows.add(Arrays.stream(line.trim().split("\\s{2,}|\\t")).map(String::trim).toList());
            }
        }
        return rows;
    }

    /** Rows with the columns at {@code varying} (ids, times, coordinators) replaced by "*". */
    private static List<List<String>> masked(List<List<String>> rows, int... varying) {
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            List<String> row = new ArrayList<>(rows.get(i));
            if (i > 0) {
                for (int c : varying) {
                    if (c < row.size()) {
                        row.set(c, "*");
                    }
                }
            }
            out.add(row);
        }
        return out;
    }

    private static List<String> readCommitted(String bootstrap, String topic) {
        try (KafkaConsumer<String, String> consumer = Clients.consumer(bootstrap, Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
            return Clients.readFromBeginningToEnd(consumer, List.of(new TopicPartition(topic, 0)), Duration.ofSeconds(20)).stream()
                    .map(r -> r.value()).toList();
        }
    }

    @Test
    void listDescribeDescribeProducersAndAbortAnswerAsOnKafka() throws Exception {
        String topic = AdminClientTest.uniqueTopic();
        String id = "tool-txn-" + System.nanoTime();
        List<KafkaProducer<String, String>> producers = new ArrayList<>();
        try {
            for (String bootstrap : List.of(kafka.bootstrapServers(), brook.bootstrapServers())) {
                try (Admin admin = Clients.admin(bootstrap)) {
                    admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
                }
                KafkaProducer<String, String> p = Clients.producer(bootstrap, Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id,
                        ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 120_000));
                producers.add(p);
                p.initTransactions();
                p.beginTransaction();
                p.send(new ProducerRecord<>(topic, "committed")).get();
                p.commitTransaction();
                p.beginTransaction();
                p.send(new ProducerRecord<>(topic, "open")).get();
            }

            // list: TransactionalId, Coordinator, ProducerId, TransactionState
            List<List<String>> listKafka = rows(tool(kafka.bootstrapServers(), "list"));
            List<List<String>> listBrook = rows(tool(brook.bootstrapServers(), "list"));
            assertThat(masked(listBrook.stream().filter(r -> r == listBrook.get(0) || r.get(0).equals(id)).toList(), 1, 2))
                    .isEqualTo(masked(listKafka.stream().filter(r -> r == listKafka.get(0) || r.get(0).equals(id)).toList(), 1, 2))
                    .anySatisfy(r -> assertThat(r).containsExactly(id, "*", "*", "Ongoing"));

            // describe: CoordinatorId, TransactionalId, ProducerId, ProducerEpoch, TransactionState, timeout, start, duration, partitions
            List<List<String>> describeKafka = rows(tool(kafka.bootstrapServers(), "describe", "--transactional-id", id));
            List<List<String>> describeBrook = rows(tool(brook.bootstrapServers(), "describe", "--transactional-id", id));
            assertThat(masked(describeBrook, 0, 2, 3, 6, 7)).isEqualTo(masked(describeKafka, 0, 2, 3, 6, 7));
            assertThat(describeBrook.get(1)).contains("Ongoing", "120000", topic + "-0");

            // describe-producers: ProducerId, ProducerEpoch, LatestCoordinatorEpoch, LastSequence, LastTimestamp, CurrentTransactionStartOffset
            List<List<String>> producersKafka = rows(tool(kafka.bootstrapServers(), "describe-producers", "--topic", topic, "--partition", "0"));
            List<List<String>> producersBrook = rows(tool(brook.bootstrapServers(), "describe-producers", "--topic", topic, "--partition", "0"));
            assertThat(masked(producersBrook, 0, 1, 2, 4)).isEqualTo(masked(producersKafka, 0, 1, 2, 4));
            assertThat(producersBrook.get(1).get(5)).as("the open transaction starts after the committed record and its marker").isEqualTo("2");

            // abort the open transaction in the partition, as an operator does a hanging one
            for (String bootstrap : List.of(kafka.bootstrapServers(), brook.bootstrapServers())) {
                ExternalCommand.Result abort = tool(bootstrap, "abort", "--topic", topic, "--partition", "0", "--start-offset", "2");
                assertThat(abort.exitCode()).as(abort.describe()).isZero();
                List<List<String>> after = rows(tool(bootstrap, "describe-producers", "--topic", topic, "--partition", "0"));
                assertThat(after.get(1).get(5)).as("no open transaction in the partition of %s", bootstrap).isEqualTo("None");
                assertThat(readCommitted(bootstrap, topic)).as("read_committed on %s", bootstrap).containsExactly("committed");
            }
        } finally {
            producers.forEach(p -> p.close(Duration.ZERO));
        }
    }
}
