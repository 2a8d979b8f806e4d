package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.brook.testkit.BrookExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * kafkajs (a pure JavaScript client) creates a topic, produces plain and gzip batches, and reads every message
 * back with its own Fetch requests; see {@code src/test/js/kafkajs-roundtrip.js}. Skipped only on a developer
 * machine without node or without {@code npm ci} having run in {@code src/test/js}; in CI ({@code CI=true}) that
 * fails the test.
 */
@Timeout(180)
class KafkajsTest {

    @RegisterExtension
    static final BrookExtension brook = new BrookExtension();

    private static Path scriptDir;

    @BeforeAll
    static void requireNodeAndKafkajs() {
        scriptDir = locateScriptDir();
        boolean present = ExternalCommand.onPath("node") && Files.isDirectory(scriptDir.resolve("node_modules/kafkajs"));
        if (!present && ExternalCommand.inCi()) {
            fail("node or kafkajs is missing; CI must run npm ci in " + scriptDir + " (.ci/run does)");
        }
        Assumptions.assumeTrue(present, "node or " + scriptDir.resolve("node_modules/kafkajs")
                + " is missing; skipping (required when CI=true; run npm ci there)");
    }

    @Test
    void kafkajsCreatesATopicProducesPlainAndGzipBatchesAndFetchesEveryMessageBack() {
        ExternalCommand.Result run = ExternalCommand.run(
                List.of("node", "kafkajs-roundtrip.js", brook.bootstrapServers()), null, Duration.ofSeconds(120), scriptDir);

        assertThat(run.exitCode()).as(run.describe()).isZero();
        String[] lines = run.stdout().strip().split("\n");
        String summary = lines[lines.length - 1];
        assertThat(field(summary, "created")).as(run.describe()).isEqualTo("true");
        assertThat(field(summary, "listed")).as(run.describe()).isEqualTo("true");
        assertThat(field(summary, "produceErrors")).as(run.describe()).isEqualTo("0");
        assertThat(field(summary, "partitions")).as(run.describe()).isEqualTo("3");
        assertThat(field(summary, "produced")).as(run.describe()).isEqualTo("500");
        assertThat(field(summary, "endOffsetsSum")).as("sum of end - start offsets; " + run.describe()).isEqualTo("500");
        assertThat(field(summary, "consumed")).as(run.describe()).isEqualTo("500");
        assertThat(field(summary, "gzipConsumed")).as(run.describe()).isEqualTo("200");
        assertThat(field(summary, "missingCount")).as(run.describe()).isEqualTo("0");
        assertThat(summary).as(run.describe()).contains("\"duplicates\":[]", "\"mismatches\":[]", "\"partitionErrors\":[]");
    }

    /** A scalar field of the script's one-line JSON summary (numbers and booleans only; no JSON library needed). */
    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\":(-?\\d+|true|false)").matcher(json);
        return m.find() ? m.group(1) : "<" + name + " missing>";
    }

    /** {@code src/test/js} of brook-it, whether the tests run from the module (Surefire) or the repository root. */
    static Path locateScriptDir() {
        for (Path candidate : List.of(Path.of("src/test/js"), Path.of("brook-it/src/test/js"))) {
            if (Files.isRegularFile(candidate.resolve("kafkajs-roundtrip.js"))) {
                return candidate.toAbsolutePath();
            }
        }
        return Path.of("src/test/js").toAbsolutePath();
    }
}
