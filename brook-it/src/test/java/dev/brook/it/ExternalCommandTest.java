package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The harness that runs kcat and node: stdin goes in, both outputs come back, and a hung program is killed. */
@Timeout(30)
class ExternalCommandTest {

    @Test
    void feedsStdinAndCapturesStdoutStderrAndTheExitCode() {
        assumeTrue(ExternalCommand.onPath("sh"));

        ExternalCommand.Result result = ExternalCommand.run(List.of("sh", "-c", "cat; echo oops >&2; exit 3"),
                "line one\nline two\n", Duration.ofSeconds(10));

        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.timedOut()).isFalse();
        assertThat(result.stdout()).isEqualTo("line one\nline two\n");
        assertThat(result.stderr()).isEqualTo("oops\n");
    }

    @Test
    void killsAProgramThatOutlivesItsTimeLimit() {
        assumeTrue(ExternalCommand.onPath("sleep"));
        long start = System.nanoTime();

        ExternalCommand.Result result = ExternalCommand.run(List.of("sleep", "60"), null, Duration.ofMillis(500));

        assertThat(result.timedOut()).isTrue();
        assertThat(result.exitCode()).isEqualTo(-1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
        assertThat(result.describe()).contains("killed after time limit");
    }

    @Test
    void findsProgramsOnThePathAndNotOthers() {
        assumeTrue(ExternalCommand.onPath("sh"));

        assertThat(ExternalCommand.onPath("no-such-program-brook-it")).isFalse();
    }
}
