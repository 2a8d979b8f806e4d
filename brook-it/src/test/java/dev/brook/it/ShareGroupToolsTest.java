package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brook.testkit.BrookExtension;
import dev.brook.testkit.KafkaExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Kafka's {@code kafka-share-groups.sh} (ShareGroupCommand, from Kafka 4.4 on Maven Central) against Brook: it lists
 * a share group, describes its start offset, lag and members, resets its offsets, and deletes it.
 */
@Timeout(240)
class ShareGroupToolsTest {
    @RegisterExtension
    static final BrookExtension brook = new BrookExtension();

    private static final String COMMAND = "org.apache.kafka.tools.consumer.group.ShareGroupCommand";

    private static ExternalCommand.Result tool(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dlog4j2.configurationFile=" + KafkaExtension.projectRoot().resolve("brook-bench/kafka-server/log4j2.yaml"),
                "-cp", KafkaExtension.libDir() + "/*", COMMAND, "--bootstrap-server", brook.bootstrapServers()));
        command.addAll(List.of(args));
        ExternalCommand.Result r = ExternalCommand.run(command, null, Duration.ofSeconds(90));
        assertThat(r.exitCode()).as(r.describe()).isZero();
        return r;
    }

    private static KafkaShareConsumer<String, String> consumer(String group) {
        Map<String, Object> c = new HashMap<>();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brook.bootstrapServers());
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        c.put("share.acknowledgement.mode", "explicit");
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 4);
        return new KafkaShareConsumer<>(c, new StringDeserializer(), new StringDeserializer());
    }

    private static List<ConsumerRecord<String, String>> poll(KafkaShareConsumer<String, String> c, int n) {
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (out.size() < n && System.nanoTime() < deadline) {
            c.poll(Duration.ofMillis(200)).forEach(out::add);
        }
        return out;
    }

    @Test
    void listDescribeResetAndDeleteAShareGroup() throws Exception {
        String topic = AdminClientTest.uniqueTopic();
        String group = "tools-" + topic;
        try (Admin admin = Clients.admin(brook.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
            admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.GROUP, group), List.of(
                    new AlterConfigOp(new ConfigEntry("share.auto.offset.reset", "earliest"), AlterConfigOp.OpType.SET)))).all().get();
        }
        try (KafkaProducer<String, String> p = Clients.producer(brook.bootstrapServers())) {
            for (int i = 0; i < 10; i++) {
                p.send(new ProducerRecord<>(topic, "k" + i, "v" + i));
            }
        }
        try (KafkaShareConsumer<String, String> c = consumer(group)) {
            c.subscribe(List.of(topic));
            List<ConsumerRecord<String, String>> got = poll(c, 4);
            got.subList(0, 4).forEach(r -> c.acknowledge(r, AcknowledgeType.ACCEPT));
            c.commitSync();

            String members = tool("--describe", "--group", group, "--members").stdout();
            assertThat(members).contains(group).contains(topic + ":0");
        }

        assertThat(tool("--list").stdout()).contains(group);
        String offsets = tool("--describe", "--group", group).stdout();
        assertThat(offsets).as(offsets).containsPattern(group + "\\s+" + topic + "\\s+0\\s+4\\s+6");

        String reset = tool("--reset-offsets", "--group", group, "--topic", topic, "--to-earliest", "--execute").stdout();
        assertThat(reset).as(reset).containsPattern(topic + "\\s+0\\s+0");
        try (KafkaShareConsumer<String, String> c = consumer(group)) {
            c.subscribe(List.of(topic));
            assertThat(poll(c, 10)).extracting(ConsumerRecord::value).as("from the start again").startsWith("v0", "v1");
        }

        String deleted = tool("--delete", "--group", group).stdout();
        assertThat(deleted).as(deleted).contains("successful");
        assertThat(tool("--list").stdout()).doesNotContain(group);
    }
}
