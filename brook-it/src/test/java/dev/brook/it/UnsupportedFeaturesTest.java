package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.brook.testkit.BrookExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A feature Brook lacks fails at once, with an error the client reports, instead of an error the client retries
 * until its timeout. Transactions are the one clients reach first: the Java client used to ask FindCoordinator
 * about 300 times in 30 s and time out, and librdkafka and kafkajs hung the same way.
 *
 * <p>Each client's own deadline is 30 s or more; the tests allow 5 (kafkajs used to give up after 12).
 */
@Timeout(120)
class UnsupportedFeaturesTest {

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension();

    private static final long FAIL_FAST_MS = 5_000;

    @Test
    void aTransactionalJavaProducerFailsAtOnceInsteadOfTimingOut() {
        try (KafkaProducer<String, String> producer = Clients.producer(brook.bootstrapServers(), Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "it-txn-" + System.nanoTime(),
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000))) {
            long start = System.nanoTime();

            assertThatThrownBy(producer::initTransactions).isInstanceOf(KafkaException.class);

            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(ms).as("ms until initTransactions failed (max.block.ms is 30000)").isLessThan(FAIL_FAST_MS);
        }
    }

    @Test
    void kcatWithATransactionalIdFailsAtOnceSayingTransactionsAreNotSupported() {
        Assumptions.assumeTrue(ExternalCommand.onPath("kcat") || ExternalCommand.inCi(), "kcat is not installed");
        long start = System.nanoTime();

        ExternalCommand.Result run = ExternalCommand.run(List.of("kcat", "-b", brook.bootstrapServers(), "-P",
                "-t", AdminClientTest.uniqueTopic(), "-X", "transactional.id=it-kcat-txn"), "one\n", Duration.ofSeconds(60));

        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(run.exitCode()).as(run.describe()).isNotZero();
        assertThat(run.stderr()).as(run.describe()).contains("does not support transactions");
        assertThat(ms).as("ms until kcat gave up; " + run.describe()).isLessThan(FAIL_FAST_MS);
    }

    @Test
    void aKafkajsTransactionFailsAtOnceInsteadOfRetrying() {
        Path scripts = KafkajsTest.locateScriptDir();
        Assumptions.assumeTrue(ExternalCommand.inCi() || (ExternalCommand.onPath("node")
                && Files.isDirectory(scripts.resolve("node_modules/kafkajs"))), "node or kafkajs is missing");

        ExternalCommand.Result run = ExternalCommand.run(List.of("node", "kafkajs-transaction.js", brook.bootstrapServers(),
                AdminClientTest.uniqueTopic()), null, Duration.ofSeconds(90), scripts);

        assertThat(run.exitCode()).as(run.describe()).isZero();
        String[] lines = run.stdout().strip().split("\n");
        String summary = lines[lines.length - 1];
        // kafkajs reports any coordinator error other than COORDINATOR_NOT_AVAILABLE (which it retries for half a
        // minute) as KafkaJSGroupCoordinatorNotFound, without the broker's message.
        assertThat(summary).as(run.describe()).contains("\"failed\":true", "KafkaJSGroupCoordinatorNotFound");
        long ms = Long.parseLong(summary.replaceAll(".*\"ms\":(\\d+).*", "$1"));
        assertThat(ms).as("ms until kafkajs gave up; " + run.describe()).isLessThan(FAIL_FAST_MS);
    }
}
