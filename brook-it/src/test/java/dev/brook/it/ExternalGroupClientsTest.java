package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.brook.testkit.BrookExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Consumer groups driven by clients that are not Java: kcat's balanced consumer ({@code -G}, librdkafka's
 * classic group protocol) and a kafkajs consumer group. Each consumes, commits, and a later run resumes after
 * what was committed. Skipped on a developer machine without the tool; required in CI ({@code CI=true}).
 */
@Timeout(240)
class ExternalGroupClientsTest {

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension();

    private static void require(boolean present, String what) {
        if (!present && ExternalCommand.inCi()) {
            fail(what + " is missing; .ci/run installs it");
        }
        Assumptions.assumeTrue(present, what + " is missing; skipping (required when CI=true)");
    }

    private static void produceLines(String topic, int from, int count) {
        StringBuilder lines = new StringBuilder();
        for (int i = from; i < from + count; i++) {
            lines.append("k").append(i).append(":v").append(i).append('\n');
        }
        ExternalCommand.Result r = ExternalCommand.run(List.of("kcat", "-b", brook.bootstrapServers(), "-P", "-t", topic, "-K:"),
                lines.toString(), Duration.ofSeconds(30));
        assertThat(r.exitCode()).as(r.describe()).isZero();
    }

    private static List<String> balancedConsume(String group, String topic) {
        ExternalCommand.Result r = ExternalCommand.run(List.of("kcat", "-b", brook.bootstrapServers(), "-G", group, topic,
                "-e", "-f", "%s\\n", "-X", "auto.offset.reset=earliest", "-X", "auto.commit.interval.ms=100", "-X", "session.timeout.ms=6000"),
                null, Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(r.describe()).isZero();
        return r.stdout().isBlank() ? List.of() : Arrays.asList(r.stdout().strip().split("\n"));
    }

    @Test
    void kcatBalancedConsumersShareATopicCommitAndResume() throws Exception {
        require(ExternalCommand.onPath("kcat"), "kcat");
        String topic = "kcat-group-" + System.nanoTime();
        try (Admin admin = Clients.admin(brook.bootstrapServers())) {
            admin.createTopics(List.of(new NewTopic(topic, 4, (short) 1))).all().get();
        }
        produceLines(topic, 0, 200);
        String group = "kcat-" + topic;
        CompletableFuture<List<String>> one = CompletableFuture.supplyAsync(() -> balancedConsume(group, topic));
        CompletableFuture<List<String>> two = CompletableFuture.supplyAsync(() -> balancedConsume(group, topic));
        List<String> all = new ArrayList<>(one.get());
        all.addAll(two.get());
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            expected.add("v" + i);
        }
        assertThat(new HashSet<>(all)).as("both members together read everything").isEqualTo(expected);

        produceLines(topic, 200, 40);
        List<String> resumed = balancedConsume(group, topic);
        assertThat(resumed).as("a new run of the group reads only what came after its commits")
                .hasSize(40).allMatch(v -> Integer.parseInt(v.substring(1)) >= 200);
    }

    @Test
    void kafkajsConsumerGroupSharesCommitsAndResumes() {
        Path dir = scriptDir();
        require(ExternalCommand.onPath("node") && Files.isDirectory(dir.resolve("node_modules/kafkajs")), "node with kafkajs");
        ExternalCommand.Result run = ExternalCommand.run(List.of("node", "kafkajs-group.js", brook.bootstrapServers()), null,
                Duration.ofSeconds(180), dir);
        assertThat(run.exitCode()).as(run.describe()).isZero();
        String[] lines = run.stdout().strip().split("\n");
        String summary = lines[lines.length - 1];
        assertThat(field(summary, "firstCount")).as(run.describe()).isEqualTo("90");
        assertThat(field(summary, "firstUnique")).as(run.describe()).isEqualTo("90");
        assertThat(field(summary, "membersUsed")).as("both members received records; " + run.describe()).isEqualTo("2");
        assertThat(field(summary, "committedSum")).as(run.describe()).isEqualTo("90");
        assertThat(field(summary, "secondCount")).as(run.describe()).isEqualTo("30");
        assertThat(field(summary, "secondOnlyNew")).as(run.describe()).isEqualTo("true");
        assertThat(field(summary, "groupListed")).as(run.describe()).isEqualTo("true");
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\":(-?\\d+|true|false)").matcher(json);
        return m.find() ? m.group(1) : "<" + name + " missing>";
    }

    private static Path scriptDir() {
        for (Path candidate : List.of(Path.of("src/test/js"), Path.of("brook-it/src/test/js"))) {
            if (Files.isRegularFile(candidate.resolve("kafkajs-group.js"))) {
                return candidate.toAbsolutePath();
            }
        }
        return Path.of("src/test/js").toAbsolutePath();
    }
}
