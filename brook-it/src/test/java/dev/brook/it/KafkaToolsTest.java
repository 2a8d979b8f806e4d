package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.brook.testkit.BrookExtension;
import dev.brook.testkit.KafkaExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Kafka 4.4's own command-line tools, run as a user runs them (their main class, from Kafka's jars), against Brook and
 * against a real single-node Kafka 4.4 without an authorizer in the same test: each must succeed or fail the same way,
 * and say the same things, allowing for what differs between any two clusters (ids, paths, epochs, offsets).
 */
@Timeout(300)
class KafkaToolsTest {
    @RegisterExtension
    static final BrookExtension brook = new BrookExtension();
    private static KafkaExtension kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        if (!KafkaExtension.available()) {
            if ("true".equals(System.getenv("CI"))) {
                fail("Apache Kafka's jars are missing; .ci/run fetches them before ./mvnw verify");
            }
            Assumptions.abort("Kafka's jars are not fetched (bin/brook-bench or .ci/run fetches them)");
        }
        kafka = new KafkaExtension();
        kafka.start();
    }

    @AfterAll
    static void stopKafka() {
        if (kafka != null) {
            kafka.close();
        }
    }

    /** Runs one of Kafka's tools against {@code bootstrap}. */
    private static ExternalCommand.Result tool(String bootstrap, String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dlog4j2.configurationFile=" + KafkaExtension.projectRoot().resolve("brook-bench/kafka-server/log4j2.yaml"),
                "-cp", KafkaExtension.libDir() + "/*", mainClass, "--bootstrap-server", bootstrap));
        command.addAll(List.of(args));
        return ExternalCommand.run(command, null, Duration.ofSeconds(90));
    }

    /** Both clusters' results; asserts they exited alike. */
    private record Both(ExternalCommand.Result kafka, ExternalCommand.Result brook) {
        Both {
            assertThat(brook.exitCode()).as("Brook's exit code, against Kafka's:\n%s\n%s", kafka.describe(), brook.describe())
                    .isEqualTo(kafka.exitCode());
        }
    }

    private static Both both(String mainClass, String... args) {
        return new Both(tool(kafka.bootstrapServers(), mainClass, args), tool(brook.bootstrapServers(), mainClass, args));
    }

    /** The output with what differs between any two clusters replaced. */
    private static String normalized(String out) {
        return out.replaceAll("(?m)^\\[.*$\\n?", "") // log lines
                .replaceAll("\"directoryId\": \"[^\"]*\", ", "")
                .replaceAll("(ClusterId|HighWatermark|LeaderEpoch|Epoch):\\s+\\S+", "$1: *")
                .replaceAll("\"(CONTROLLER|PLAINTEXT)://[^\"]*\"", "\"ENDPOINT\"")
                .replaceAll("\"logDir\":\"[^\"]*\"", "\"logDir\":\"*\"")
                .trim();
    }

    @Test
    void aclCommandListSaysNoAuthorizerIsConfigured() {
        Both r = both("org.apache.kafka.tools.AclCommand", "--list");
        assertThat(r.brook().exitCode()).isEqualTo(1);
        assertThat(firstLine(r.brook().stdout() + r.brook().stderr())).isEqualTo(firstLine(r.kafka().stdout() + r.kafka().stderr()))
                .contains("SecurityDisabledException: No Authorizer is configured on the broker");
    }

    @Test
    void metadataQuorumCommandDescribesASingleVoterThatLeads() {
        Both status = both("org.apache.kafka.tools.MetadataQuorumCommand", "describe", "--status");
        assertThat(normalized(status.brook().stdout())).isEqualTo(normalized(status.kafka().stdout()));
        Both replication = both("org.apache.kafka.tools.MetadataQuorumCommand", "describe", "--replication");
        assertThat(columns(replication.brook().stdout(), 6)).isEqualTo(columns(replication.kafka().stdout(), 6)).contains("1|0|Leader");
    }

    @Test
    void featureCommandDescribesTheFeaturesBrookImplements() {
        Both r = both("org.apache.kafka.tools.FeatureCommand", "describe");
        assertThat(featureNames(r.brook().stdout())).isEqualTo(featureNames(r.kafka().stdout()));
        assertThat(r.brook().stdout()).contains("Feature: metadata.version").contains("FinalizedVersionLevel: 4.4-IV2")
                .containsPattern("Feature: group.version\\s+SupportedMinVersion: 0\\s+SupportedMaxVersion: 1\\s+FinalizedVersionLevel: 1")
                .containsPattern("Feature: transaction.version\\s+SupportedMinVersion: 0\\s+SupportedMaxVersion: 0");
    }

    @Test
    void logDirsCommandReportsEachPartitionsSize() throws Exception {
        String topic = AdminClientTest.uniqueTopic();
        for (String bootstrap : List.of(kafka.bootstrapServers(), brook.bootstrapServers())) {
            try (Admin admin = Clients.admin(bootstrap)) {
                admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
            }
            try (var producer = Clients.producer(bootstrap)) {
                producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(topic, 0, "k", "v".repeat(1000))).get();
            }
        }
        Both r = both("org.apache.kafka.tools.LogDirsCommand", "--describe", "--topic-list", topic);
        String kafkaJson = lastLine(r.kafka().stdout());
        String brookJson = lastLine(r.brook().stdout());
        assertThat(normalized(brookJson)).isEqualTo(normalized(kafkaJson));
        assertThat(brookJson).contains("\"partition\":\"" + topic + "-0\"").contains("\"partition\":\"" + topic + "-1\"")
                .containsPattern("\"partition\":\"" + Pattern.quote(topic) + "-0\",\"size\":1[0-9]{3}");
    }

    @Test
    void clientMetricsCommandListsNoSubscriptions() {
        Both r = both("org.apache.kafka.tools.ClientMetricsCommand", "--list");
        assertThat(r.brook().exitCode()).isZero();
        assertThat(r.brook().stdout().strip()).isEqualTo(r.kafka().stdout().strip()).isEmpty();
    }

    @Test
    void configCommandDescribesAGroupWithoutDynamicConfigs() {
        Both r = both("org.apache.kafka.tools.ConfigCommand", "--describe", "--entity-type", "groups", "--entity-name", "no-such-group");
        assertThat(r.brook().stdout().strip()).isEqualTo(r.kafka().stdout().strip())
                .isEqualTo("The group 'no-such-group' doesn't exist and doesn't have dynamic config.");
    }

    @Test
    void configCommandDescribesBrokerConfigs() {
        Both r = both("org.apache.kafka.tools.ConfigCommand", "--describe", "--entity-type", "brokers", "--entity-name", "1");
        assertThat(firstLine(r.brook().stdout())).isEqualTo(firstLine(r.kafka().stdout())).isEqualTo("Dynamic configs for broker 1 are:");
    }

    private static String firstLine(String s) {
        return s.strip().lines().findFirst().orElse("");
    }

    private static String lastLine(String s) {
        List<String> lines = s.strip().lines().toList();
        return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
    }

    private static List<String> featureNames(String out) {
        List<String> names = new ArrayList<>();
        Matcher m = Pattern.compile("Feature: (\\S+)").matcher(out);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    /** The header and, per row, the last columns (Lag, timestamps' presence, Status) of a tab-separated table. */
    private static List<String> columns(String out, int status) {
        List<String> rows = new ArrayList<>();
        for (String line : out.strip().lines().toList()) {
            String[] cells = line.split("\t");
            rows.add(cells.length > status ? cells[0].trim() + "|" + cells[3].trim() + "|" + cells[status].trim() : line);
        }
        return rows;
    }
}
