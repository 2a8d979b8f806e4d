package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.brook.testkit.BrookExtension;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kcat (librdkafka, a C client with its own protocol code) produces with every codec and consumes what it
 * produced, and the Java client reads the same records. Skipped only on a developer machine without kcat; in CI
 * ({@code CI=true}) a missing kcat fails the test.
 */
@Timeout(120)
class KcatTest {

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension();

    private static final Duration KCAT_TIMEOUT = Duration.ofSeconds(30);
    private static final int RECORDS = 200;

    @BeforeAll
    static void requireKcat() {
        boolean present = ExternalCommand.onPath("kcat");
        if (!present && ExternalCommand.inCi()) {
            fail("kcat is not on the PATH; CI must install it (.ci/run does: apt-get install -y kcat)");
        }
        Assumptions.assumeTrue(present, "kcat is not installed; skipping (it is required when CI=true)");
    }

    @ParameterizedTest(name = "-z {0}")
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void kcatProducesWithEachCodecAndReadsBackExactlyWhatItProduced(String codec) throws Exception {
        String topic = createTopic(2);
        List<String> lines = IntStream.range(0, RECORDS).mapToObj(i -> "key-" + i + ":" + codec + "-value-" + i)
                .collect(Collectors.toList());

        ExternalCommand.Result produced = kcat(String.join("\n", lines) + "\n",
                "-P", "-t", topic, "-z", codec, "-K:", "-X", "message.timeout.ms=20000");
        assertThat(produced.exitCode()).as(produced.describe()).isZero();
        assertThat(produced.stderr()).as(produced.describe()).doesNotContainIgnoringCase("failed");

        ExternalCommand.Result consumed = kcat(null, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k:%s\\n");
        assertThat(consumed.exitCode()).as(consumed.describe()).isZero();
        List<String> read = Arrays.stream(consumed.stdout().split("\n")).filter(l -> !l.isEmpty()).collect(Collectors.toList());
        assertThat(read).as(consumed.describe()).containsExactlyInAnyOrderElementsOf(lines);

        try (KafkaConsumer<String, String> consumer = Clients.consumer(brook.bootstrapServers())) {
            List<String> javaRead = Clients.readFromBeginningToEnd(consumer, ProduceConsumeTest.partitions(topic, 2), Duration.ofSeconds(30))
                    .stream().map(r -> r.key() + ":" + r.value()).collect(Collectors.toList());
            assertThat(javaRead).as("what the Java consumer reads of kcat's %s batches", codec).containsExactlyInAnyOrderElementsOf(lines);
        }
    }

    @ParameterizedTest(name = "in-memory topic, -z {0}")
    @ValueSource(strings = {"none", "lz4", "zstd"})
    void kcatUsesAnInMemoryTopicAsAnyOther(String codec) throws Exception {
        String topic = AdminClientTest.uniqueTopic();
        try (Admin admin = Clients.admin(brook.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1).configs(java.util.Map.of("brook.storage", "memory")))).all().get();
        }
        List<String> lines = IntStream.range(0, RECORDS).mapToObj(i -> "key-" + i + ":memory-" + codec + "-" + i).collect(Collectors.toList());
        ExternalCommand.Result produced = kcat(String.join("\n", lines) + "\n",
                "-P", "-t", topic, "-z", codec, "-K:", "-X", "message.timeout.ms=20000");
        assertThat(produced.exitCode()).as(produced.describe()).isZero();

        ExternalCommand.Result consumed = kcat(null, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k:%s\\n");
        assertThat(consumed.exitCode()).as(consumed.describe()).isZero();
        assertThat(Arrays.stream(consumed.stdout().split("\n")).filter(l -> !l.isEmpty())).as(consumed.describe())
                .containsExactlyInAnyOrderElementsOf(lines);
        assertThat(brook.broker().topics().partition(new org.apache.kafka.common.TopicPartition(topic, 0)).inMemory()).isTrue();
        assertThat(brook.dataDir().resolve(topic + "-0")).doesNotExist();
    }

    @Test
    void kcatListsTheTopicWithItsPartitions() throws Exception {
        String topic = createTopic(3);

        ExternalCommand.Result listed = kcat(null, "-L", "-t", topic);

        assertThat(listed.exitCode()).as(listed.describe()).isZero();
        assertThat(listed.stdout()).as(listed.describe())
                .contains("1 brokers:")
                .contains("topic \"" + topic + "\" with 3 partitions:");
    }

    @Test
    void kcatReadsWhatTheJavaProducerWrote() throws Exception {
        String topic = createTopic(1);
        try (var producer = Clients.producer(brook.bootstrapServers())) {
            for (int i = 0; i < RECORDS; i++) {
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, "key-" + i, "java-" + i));
            }
            producer.flush();
        }

        ExternalCommand.Result consumed = kcat(null, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%o %k:%s\\n");

        assertThat(consumed.exitCode()).as(consumed.describe()).isZero();
        assertThat(consumed.stdout().split("\n")).as(consumed.describe()).containsExactlyElementsOf(
                IntStream.range(0, RECORDS).mapToObj(i -> i + " key-" + i + ":java-" + i).collect(Collectors.toList()));
    }

    private static ExternalCommand.Result kcat(String stdin, String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("kcat", "-b", brook.bootstrapServers()));
        command.addAll(List.of(args));
        return ExternalCommand.run(command, stdin, KCAT_TIMEOUT);
    }

    private static String createTopic(int partitions) throws Exception {
        String topic = AdminClientTest.uniqueTopic();
        try (Admin admin = Clients.admin(brook.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
        return topic;
    }
}
