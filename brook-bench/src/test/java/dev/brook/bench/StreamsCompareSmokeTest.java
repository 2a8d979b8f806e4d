package dev.brook.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A short run of {@code bin/brook-bench streams}: both engines run the windowed count on one Brook, every final window
 * result arrives (the run throws otherwise), and each metric gets a value for both. Needs the {@code brook.jar} the
 * build has just packaged.
 */
@Timeout(300)
class StreamsCompareSmokeTest {

    @Test
    void bothEnginesCountEveryWindowAndEveryMetricHasBothValues() throws Exception {
        smoke(false);
    }

    @Test
    void bothEnginesCountEveryWindowExactlyOnce() throws Exception {
        smoke(true);
    }

    private static void smoke(boolean eos) throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        boolean ready = Files.isRegularFile(root.resolve("brook-server/target/brook.jar"));
        SmokePrerequisites.require(ready, "brook.jar is missing: brook-server is packaged before brook-bench in ./mvnw verify",
                "package brook-server first");
        StreamsCompare c = new StreamsCompare(root, 1, 20_000, 4, eos);
        c.run();
        assertThat(c.results).hasSize(4);
        c.results.forEach((metric, byEngine) -> {
            assertThat(byEngine).as(metric).containsOnlyKeys(StreamsCompare.Engine.values());
            byEngine.values().forEach(v -> assertThat(v).as(metric).singleElement().matches(x -> Double.isFinite(x) && x >= 0));
        });
        assertThat(c.table()).contains("| windowed count throughput (records/s) |");
    }
}
