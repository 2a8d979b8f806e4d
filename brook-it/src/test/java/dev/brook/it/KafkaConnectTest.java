package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.brook.testkit.BrookExtension;
import dev.brook.testkit.KafkaExtension;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka Connect (a distributed worker, in its own JVM, with the FileStream connectors: a whole 4.3.1 stack, since
 * connect-file 4.4.0 is not on Maven Central and 4.3.1 connectors do not load on the 4.4 runtime) against
 * Brook: a source connector copies a file's lines into a topic and a sink connector copies the topic into another file;
 * after the worker is stopped and started again both resume from the offsets Connect keeps in Brook, with nothing
 * lost or copied twice; and Connect's compacted internal topics are compacted by Brook's cleaner (the offsets topic,
 * rewritten at every offset flush, shrinks to about one record per key).
 */
@Timeout(300)
class KafkaConnectTest {
    @RegisterExtension
    static final BrookExtension brook = new BrookExtension().withConfig("log.cleaner.backoff.ms", "100");

    @TempDir
    Path work;

    /** Where .ci/run copies the Connect stack ({@code brook-bench/kafka-connect/pom.xml}). */
    static Path connectLib() {
        return KafkaExtension.projectRoot().resolve("brook-bench/kafka-connect/target/lib");
    }

    @BeforeAll
    static void requireConnect() {
        boolean present = Files.exists(connectLib().resolve("connect-runtime-4.3.1.jar"));
        if (!present && "true".equals(System.getenv("CI"))) {
            fail("Kafka Connect's jars are missing; .ci/run fetches them before ./mvnw verify");
        }
        Assumptions.assumeTrue(present, "Kafka Connect's jars are not fetched (.ci/run fetches them)");
    }

    /** A Connect worker process. */
    private final class Worker implements AutoCloseable {
        final Process process;
        final int port;
        final Path log;

        Worker(int port, int run) throws IOException {
            this.port = port;
            Path props = work.resolve("worker.properties");
            Files.writeString(props, String.join("\n",
                    "bootstrap.servers=" + brook.bootstrapServers(), "group.id=brook-connect",
                    "key.converter=org.apache.kafka.connect.storage.StringConverter",
                    "value.converter=org.apache.kafka.connect.storage.StringConverter",
                    "config.storage.topic=connect-configs", "offset.storage.topic=connect-offsets", "status.storage.topic=connect-status",
                    "config.storage.replication.factor=1", "offset.storage.replication.factor=1", "status.storage.replication.factor=1",
                    "offset.storage.partitions=1", "status.storage.partitions=1",
                    "offset.flush.interval.ms=200", "listeners=http://127.0.0.1:" + port, "rest.advertised.host.name=127.0.0.1",
                    "plugin.discovery=only_scan", ""), StandardCharsets.UTF_8);
            log = work.resolve("worker-" + run + ".log");
            List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                    "-Dlog4j2.configurationFile=" + KafkaExtension.projectRoot().resolve("brook-bench/kafka-server/log4j2.yaml"),
                    "-cp", connectLib() + "/*", "org.apache.kafka.connect.cli.ConnectDistributed", props.toString());
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the Connect worker exited:\n" + Files.readString(log));
                }
                try {
                    return get("/connectors").statusCode() == 200;
                } catch (java.io.UncheckedIOException notListeningYet) {
                    return false;
                }
            });
        }

        void create(String name, String config) throws IOException {
            HttpResponse<String> r = put("/connectors/" + name + "/config", config);
            assertThat(r.statusCode()).as("creating %s: %s\nworker log:\n%s", name, r.body(), Files.readString(log)).isEqualTo(201);
        }

        HttpResponse<String> get(String path) {
            return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET().build());
        }

        HttpResponse<String> put(String path, String json) {
            return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(json)).build());
        }

        private HttpResponse<String> send(HttpRequest request) {
            try {
                return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** Stops the worker as an operator does (SIGTERM: it commits offsets and leaves the group). */
        @Override
        public void close() throws Exception {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    private static List<ConsumerRecord<String, String>> readAll(String topic, int partitions) {
        List<TopicPartition> tps = IntStream.range(0, partitions).mapToObj(p -> new TopicPartition(topic, p)).toList();
        try (KafkaConsumer<String, String> consumer = Clients.consumer(brook.bootstrapServers())) {
            return Clients.readFromBeginningToEnd(consumer, tps, Duration.ofSeconds(20));
        }
    }

    private static long endOffset(String topic) {
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, String> consumer = Clients.consumer(brook.bootstrapServers())) {
            return consumer.endOffsets(List.of(tp)).get(tp);
        }
    }

    private static void append(Path file, int from, int to) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to; i++) {
            sb.append("line-").append(i).append('\n');
        }
        Files.writeString(file, sb, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static List<String> lines(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "line-" + i).toList();
    }

    @Test
    void fileConnectorsCopyThroughBrookAndResumeFromTheirOffsetsAfterARestart() throws Exception {
        try (Admin admin = Clients.admin(brook.bootstrapServers())) {
            // Connect's internal topics, made beforehand with small segments so that the cleaner gets to them in a test
            Map<String, String> compacted = Map.of("cleanup.policy", "compact", "segment.ms", "500", "min.cleanable.dirty.ratio", "0.01");
            admin.createTopics(List.of(new NewTopic("connect-configs", 1, (short) 1).configs(compacted),
                    new NewTopic("connect-offsets", 1, (short) 1).configs(compacted),
                    new NewTopic("connect-status", 1, (short) 1).configs(compacted),
                    new NewTopic("connect-lines", 1, (short) 1))).all().get();
        }
        Path in = work.resolve("in.txt");
        Path out = work.resolve("out.txt");
        append(in, 0, 100);
        int port = BrookProcess.freePort();
        try (Worker worker = new Worker(port, 1)) {
            worker.create("file-source", "{\"connector.class\":\"org.apache.kafka.connect.file.FileStreamSourceConnector\","
                    + "\"tasks.max\":\"1\",\"file\":\"" + in + "\",\"topic\":\"connect-lines\"}");
            worker.create("file-sink", "{\"connector.class\":\"org.apache.kafka.connect.file.FileStreamSinkConnector\","
                    + "\"tasks.max\":\"1\",\"file\":\"" + out + "\",\"topics\":\"connect-lines\"}");
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> Files.exists(out) && Files.readAllLines(out).size() >= 100);
            // more lines, a few at a time, so that the source commits its offset many times
            for (int batch = 0; batch < 20; batch++) {
                append(in, 100 + batch * 5, 105 + batch * 5);
                Thread.sleep(250);
            }
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> Files.readAllLines(out).size() >= 200);
            assertThat(worker.get("/connectors/file-source/status").body()).contains("\"state\":\"RUNNING\"");
        }
        long offsetRecordsWritten = endOffset("connect-offsets");

        append(in, 200, 250); // while no worker runs
        try (Worker worker = new Worker(port, 2)) {
            Awaitility.await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                    .until(() -> Files.readAllLines(out).size() >= 250);
            Thread.sleep(1_000); // a duplicate would arrive by now
            assertThat(readAll("connect-lines", 1)).extracting(ConsumerRecord::value).containsExactlyElementsOf(lines(0, 250));
            assertThat(Files.readAllLines(out)).containsExactlyElementsOf(lines(0, 250));

            // the offsets topic holds one key (the source's file); the cleaner keeps about one record of it
            append(in, 250, 251);
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> readAll("connect-offsets", 1).size() <= 3);
            List<String> keys = new ArrayList<>();
            readAll("connect-offsets", 1).forEach(r -> keys.add(r.key()));
            assertThat(offsetRecordsWritten).as("offset commits written (the log end offset) by the first worker").isGreaterThan(5);
            assertThat(keys).isNotEmpty().allMatch(k -> k.contains("file-source"));
        }
    }
}
