package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brook.testkit.BrookExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Transactions from clients that are not Kafka's Java client, which speak the first protocol generation (they add
 * partitions themselves): librdkafka through kcat, and kafkajs. Each writes transactionally and reads with
 * read_committed; kcat also reads what a Java producer committed and aborted, which exercises librdkafka's handling of
 * the aborted-transaction list a read_committed fetch returns.
 */
@Timeout(180)
class TransactionalClientsTest {

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension();

    private static String topic() throws Exception {
        String name = AdminClientTest.uniqueTopic();
        try (Admin admin = Clients.admin(brook.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(name, 1, (short) 1))).all().get();
        }
        return name;
    }

    private static List<String> kcatRead(String topic, String isolation) {
        ExternalCommand.Result run = ExternalCommand.run(List.of("kcat", "-b", brook.bootstrapServers(), "-C", "-t", topic, "-e",
                "-X", "isolation.level=" + isolation, "-f", "%s\\n"), null, Duration.ofSeconds(60));
        assertThat(run.exitCode()).as(run.describe()).isZero();
        return run.stdout().isBlank() ? List.of() : List.of(run.stdout().strip().split("\n"));
    }

    @Test
    void kcatCommitsATransactionalProduceThatReadCommittedConsumersSee() throws Exception {
        Assumptions.assumeTrue(ExternalCommand.onPath("kcat") || ExternalCommand.inCi(), "kcat is not installed");
        String topic = topic();

        ExternalCommand.Result run = ExternalCommand.run(List.of("kcat", "-b", brook.bootstrapServers(), "-P", "-t", topic,
                "-X", "transactional.id=it-kcat-txn-" + System.nanoTime()), "one\ntwo\nthree\n", Duration.ofSeconds(60));

        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.stderr()).as(run.describe()).contains("Transaction successfully committed");
        assertThat(kcatRead(topic, "read_committed")).containsExactly("one", "two", "three");
    }

    @Test
    void kcatReadCommittedSkipsWhatAJavaProducerAbortedAndWaitsForWhatItHasOpen() throws Exception {
        Assumptions.assumeTrue(ExternalCommand.onPath("kcat") || ExternalCommand.inCi(), "kcat is not installed");
        String topic = topic();
        try (KafkaProducer<String, String> producer = Clients.producer(brook.bootstrapServers(),
                Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "it-kcat-reader-" + System.nanoTime()))) {
            producer.initTransactions();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "committed-1"));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "aborted"));
            producer.flush();
            producer.abortTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "committed-2"));
            producer.commitTransaction();
            producer.beginTransaction();
            producer.send(new ProducerRecord<>(topic, "open")).get();

            assertThat(kcatRead(topic, "read_committed")).containsExactly("committed-1", "committed-2");
            assertThat(kcatRead(topic, "read_uncommitted")).containsExactly("committed-1", "aborted", "committed-2", "open");
            producer.commitTransaction();
        }
        assertThat(kcatRead(topic, "read_committed")).containsExactly("committed-1", "committed-2", "open");
    }

    @Test
    void kafkajsCommitsAndAbortsTransactionsAndItsConsumerReadsOnlyTheCommitted() throws Exception {
        Path scripts = KafkajsTest.locateScriptDir();
        Assumptions.assumeTrue(ExternalCommand.inCi() || (ExternalCommand.onPath("node")
                && Files.isDirectory(scripts.resolve("node_modules/kafkajs"))), "node or kafkajs is missing");

        ExternalCommand.Result run = ExternalCommand.run(List.of("node", "kafkajs-transaction.js", brook.bootstrapServers(), topic()),
                null, Duration.ofSeconds(90), scripts);

        assertThat(run.exitCode()).as(run.describe()).isZero();
        String[] lines = run.stdout().strip().split("\n");
        assertThat(lines[lines.length - 1]).as(run.describe())
                .isEqualTo("{\"committed\":[\"c1\",\"c2\",\"c3\",\"c4\"],\"consumed\":[\"c1\",\"c2\",\"c3\",\"c4\"]}");
    }
}
