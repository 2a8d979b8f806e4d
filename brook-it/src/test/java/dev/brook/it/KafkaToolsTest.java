package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brook.testkit.BrookExtension;
import dev.brook.testkit.KafkaExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
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
        kafka = ComparisonKafka.start();
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
                .containsPattern("Feature: transaction.version\\s+SupportedMinVersion: 0\\s+SupportedMaxVersion: 2\\s+FinalizedVersionLevel: 2")
                .containsPattern("Feature: share.version\\s+SupportedMinVersion: 0\\s+SupportedMaxVersion: 2\\s+FinalizedVersionLevel: 2");
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
    void clientMetricsCommandAltersDescribesListsAndDeletesSubscriptions() {
        String metrics = "org.apache.kafka.tools.ClientMetricsCommand";
        Both none = both(metrics, "--list");
        assertThat(none.brook().stdout().strip()).isEqualTo(none.kafka().stdout().strip()).isEmpty();
        String name = "tools-subscription";
        try {
            Both altered = both(metrics, "--alter", "--name", name, "--metrics", "org.apache.kafka.producer.,org.apache.kafka.consumer.fetch",
                    "--interval", "10000", "--match", "client_id=app1,client_software_name=apache-kafka-java");
            assertThat(altered.brook().stdout().strip()).isEqualTo(altered.kafka().stdout().strip())
                    .isEqualTo("Altered client metrics config for " + name + ".");
            both(metrics, "--alter", "--name", name + "-2", "--metrics", "*");
            Both described = both(metrics, "--describe", "--name", name);
            assertThat(described.brook().stdout().strip()).isEqualTo(described.kafka().stdout().strip()).contains("interval.ms=10000");
            Both listed = both(metrics, "--list");
            assertThat(listed.brook().stdout().strip().lines()).as("in any order: Kafka lists them in hash order")
                    .containsExactlyInAnyOrderElementsOf(listed.kafka().stdout().strip().lines().toList())
                    .containsExactlyInAnyOrder(name, name + "-2");
            Both all = both(CONFIGS, "--describe", "--entity-type", "client-metrics", "--entity-name", name + "-2", "--all");
            assertThat(all.brook().stdout().strip()).isEqualTo(all.kafka().stdout().strip())
                    .contains("metrics=* sensitive=false synonyms={DYNAMIC_CLIENT_METRICS_CONFIG:metrics=*}", "interval.ms=300000 sensitive=false synonyms={}");
            for (List<String> bad : List.of(List.of("--interval", "10"), List.of("--match", "foo=bar"), List.of("--match", "client_id=["))) {
                List<String> args = new ArrayList<>(List.of("--alter", "--name", name, "--metrics", "a"));
                args.addAll(bad);
                Both refused = both(metrics, args.toArray(String[]::new));
                assertThat(refused.brook().exitCode()).as("%s", bad).isEqualTo(1);
                assertThat(errorLine(refused.brook())).isEqualTo(errorLine(refused.kafka())).startsWith("Error while executing client metrics command");
            }
        } finally {
            both(metrics, "--delete", "--name", name);
            both(metrics, "--delete", "--name", name + "-2");
        }
        Both gone = both(metrics, "--describe", "--name", name);
        assertThat(gone.brook().stdout().strip()).isEqualTo(gone.kafka().stdout().strip())
                .isEqualTo("The client metric resource " + name + " doesn't exist and doesn't have dynamic config.");
    }

    @Test
    void configCommandAltersAndDescribesAGroupsOwnConfigs() {
        String group = "tools-group-" + System.nanoTime();
        List<String> entity = List.of("--entity-type", "groups", "--entity-name", group);
        Both altered = both(CONFIGS, args(List.of("--alter"), entity,
                List.of("--add-config", "consumer.session.timeout.ms=50000,share.record.lock.duration.ms=20000")));
        assertThat(altered.brook().stdout().strip()).isEqualTo(altered.kafka().stdout().strip())
                .isEqualTo("Completed updating config for group " + group + ".");
        Both dynamic = both(CONFIGS, args(List.of("--describe"), entity, List.of()));
        assertThat(dynamic.brook().stdout().strip()).isEqualTo(dynamic.kafka().stdout().strip())
                .contains("consumer.session.timeout.ms=50000 sensitive=false synonyms={DYNAMIC_GROUP_CONFIG:consumer.session.timeout.ms=50000, "
                        + "DEFAULT_CONFIG:group.consumer.session.timeout.ms=45000}");
        Both all = both(CONFIGS, args(List.of("--describe"), entity, List.of("--all")));
        List<String> kafkaLines = all.kafka().stdout().strip().lines().toList();
        List<String> brookLines = all.brook().stdout().strip().lines().toList();
        assertThat(kafkaLines).as("every group config Brook reports, Kafka reports alike").containsAll(brookLines);
        assertThat(kafkaLines.stream().filter(l -> !brookLines.contains(l)).map(l -> l.strip().split("=")[0]))
                .as("the ones Brook leaves out: streams groups and assignment intervals, which Brook does not have")
                .allMatch(k -> k.startsWith("streams.") || k.endsWith(".assignment.interval.ms"));
        for (String bad : List.of("consumer.session.timeout.ms=1000", "no.such.config=1", "share.auto.offset.reset=sometimes",
                "share.isolation.level=x", "share.delivery.count.limit=x", "share.record.lock.duration.ms=1",
                "errors.deadletterqueue.topic.name=__dlq")) {
            Both refused = both(CONFIGS, args(List.of("--alter"), entity, List.of("--add-config", bad)));
            assertThat(refused.brook().exitCode()).as(bad).isEqualTo(1);
            assertThat(causedBy(refused.brook())).as(bad).isEqualTo(causedBy(refused.kafka())).contains("InvalidConfigurationException");
        }
        both(CONFIGS, args(List.of("--alter"), entity, List.of("--delete-config", "consumer.session.timeout.ms,share.record.lock.duration.ms")));
        Both gone = both(CONFIGS, args(List.of("--describe"), entity, List.of()));
        assertThat(gone.brook().stdout().strip()).isEqualTo(gone.kafka().stdout().strip())
                .isEqualTo("The group '" + group + "' doesn't exist and doesn't have dynamic config.");
    }

    @Test
    void configCommandKeepsThisBrokersConfigsApartFromTheClusterDefaults() {
        List<String> keys = List.of("log.cleaner.backoff.ms", "log.cleaner.delete.retention.ms");
        try {
            both(CONFIGS, "--alter", "--entity-type", "brokers", "--entity-name", "1", "--add-config", "log.cleaner.backoff.ms=200");
            both(CONFIGS, "--alter", "--entity-type", "brokers", "--entity-default", "--add-config", "log.cleaner.delete.retention.ms=3600000");
            Both broker = both(CONFIGS, "--describe", "--entity-type", "brokers", "--entity-name", "1");
            assertThat(linesAbout(broker.brook().stdout(), keys)).isEqualTo(linesAbout(broker.kafka().stdout(), keys))
                    .containsExactly("log.cleaner.backoff.ms=200 sensitive=false synonyms={DYNAMIC_BROKER_CONFIG:log.cleaner.backoff.ms=200, "
                            + "DEFAULT_CONFIG:log.cleaner.backoff.ms=15000}");
            Both defaults = both(CONFIGS, "--describe", "--entity-type", "brokers", "--entity-default");
            assertThat(linesAbout(defaults.brook().stdout(), keys)).isEqualTo(linesAbout(defaults.kafka().stdout(), keys))
                    .containsExactly("log.cleaner.delete.retention.ms=3600000 sensitive=false "
                            + "synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:log.cleaner.delete.retention.ms=3600000}");
            Both all = both(CONFIGS, "--describe", "--entity-type", "brokers", "--entity-name", "1", "--all");
            assertThat(linesAbout(all.brook().stdout(), keys)).isEqualTo(linesAbout(all.kafka().stdout(), keys)).hasSize(2);
        } finally {
            both(CONFIGS, "--alter", "--entity-type", "brokers", "--entity-name", "1", "--delete-config", "log.cleaner.backoff.ms");
            both(CONFIGS, "--alter", "--entity-type", "brokers", "--entity-default", "--delete-config", "log.cleaner.delete.retention.ms");
        }
    }

    @Test
    void leaderElectionAndReassignmentCommandsFindEveryReplicaWhereItBelongs() throws Exception {
        String topic = AdminClientTest.uniqueTopic();
        for (String bootstrap : List.of(kafka.bootstrapServers(), brook.bootstrapServers())) {
            try (Admin admin = Clients.admin(bootstrap)) {
                admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
            }
        }
        String election = "org.apache.kafka.tools.LeaderElectionCommand";
        Both all = both(election, "--election-type", "preferred", "--all-topic-partitions");
        assertThat(all.brook().stdout().strip()).isEqualTo(all.kafka().stdout().strip());
        Both one = both(election, "--election-type", "preferred", "--topic", topic, "--partition", "1");
        assertThat(one.brook().stdout().strip()).isEqualTo(one.kafka().stdout().strip())
                .isEqualTo("Valid replica already elected for partitions " + topic + "-1");
        Both missing = both(election, "--election-type", "preferred", "--topic", "no-such-topic", "--partition", "0");
        assertThat(missing.brook().exitCode()).isEqualTo(1);
        assertThat(firstLine(missing.brook().stdout() + missing.brook().stderr()))
                .isEqualTo(firstLine(missing.kafka().stdout() + missing.kafka().stderr())).contains("No such topic as no-such-topic");

        String reassign = "org.apache.kafka.tools.reassign.ReassignPartitionsCommand";
        Path plan = Files.createTempFile("reassign-", ".json");
        Files.writeString(plan, "{\"version\":1,\"partitions\":[{\"topic\":\"" + topic + "\",\"partition\":0,\"replicas\":[1]}]}");
        for (List<String> step : List.of(List.of("--list"), List.of("--execute"), List.of("--verify"), List.of("--cancel"))) {
            List<String> args = new ArrayList<>(step);
            if (!step.get(0).equals("--list")) {
                args.addAll(List.of("--reassignment-json-file", plan.toString()));
            }
            Both r = both(reassign, args.toArray(String[]::new));
            assertThat(r.brook().exitCode()).as("%s", step).isZero();
            assertThat(r.brook().stdout().replaceAll("\"log_dirs\":\\[[^\\]]*\\]", "DIRS").strip()).as("%s", step)
                    .isEqualTo(r.kafka().stdout().replaceAll("\"log_dirs\":\\[[^\\]]*\\]", "DIRS").strip());
        }
        Files.delete(plan);
    }

    private static final String CONFIGS = "org.apache.kafka.tools.ConfigCommand";

    private static String[] args(List<String> a, List<String> b, List<String> c) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        all.addAll(c);
        return all.toArray(String[]::new);
    }

    /** The lines of a describe output about {@code keys}, stripped. */
    private static List<String> linesAbout(String out, List<String> keys) {
        return out.lines().map(String::strip).filter(l -> keys.stream().anyMatch(k -> l.startsWith(k + "="))).toList();
    }

    private static String causedBy(ExternalCommand.Result r) {
        return (r.stdout() + "\n" + r.stderr()).lines().filter(l -> l.startsWith("Caused by:")).findFirst().orElse(r.describe());
    }

    private static String errorLine(ExternalCommand.Result r) {
        return (r.stdout() + "\n" + r.stderr()).lines().filter(l -> l.startsWith("Error while")).findFirst().orElse(r.describe());
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
