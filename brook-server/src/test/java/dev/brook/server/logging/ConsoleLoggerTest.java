package dev.brook.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brook.server.logging.ConsoleLogProvider.Factory;
import dev.brook.server.logging.ConsoleLogProvider.LogLevels;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.event.Level;

class ConsoleLoggerTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private Factory factory(String... settings) {
        Properties p = new Properties();
        for (int i = 0; i < settings.length; i += 2) {
            p.setProperty(settings[i], settings[i + 1]);
        }
        return new Factory(LogLevels.from(p, Map.of("org.apache.kafka", "warn"), out), out);
    }

    private String written() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void oneLinePerEventWithTimeLevelShortNameAndFormattedMessage() {
        Logger log = factory().getLogger("dev.brook.broker.cluster.TopicRegistry");

        log.info("Created topic {} with {} partitions", "orders", 3);

        assertThat(written()).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} \\[INFO] TopicRegistry - Created topic orders with 3 partitions\\R");
    }

    @Test
    void infoAndAboveByDefaultAndWarnForKafkaClients() {
        Factory f = factory();
        Logger brook = f.getLogger("dev.brook.X");
        Logger kafka = f.getLogger("org.apache.kafka.clients.NetworkClient");

        brook.debug("hidden");
        brook.info("shown-info");
        kafka.info("hidden-kafka");
        kafka.warn("shown-warn");

        assertThat(written()).contains("shown-info", "shown-warn").doesNotContain("hidden");
        assertThat(brook.isDebugEnabled()).isFalse();
        assertThat(brook.isInfoEnabled()).isTrue();
        assertThat(kafka.isInfoEnabled()).isFalse();
    }

    @Test
    void theLongestMatchingPrefixDecidesAndOffSilences() {
        Factory f = factory("brook.log.level", "warn", "brook.log.level.dev.brook", "DEBUG",
                "brook.log.level.dev.brook.log", "off", "brook.log.level.org.apache.kafka", "error");

        assertThat(f.getLogger("dev.brook.broker.Thing").isDebugEnabled()).isTrue();
        assertThat(f.getLogger("dev.brook.broker.Thing").isTraceEnabled()).isFalse();
        assertThat(f.getLogger("dev.brook.log.Log").isErrorEnabled()).isFalse();
        assertThat(f.getLogger("dev.brook.logx.Other").isDebugEnabled()).as("a prefix ends at a dot").isTrue();
        assertThat(f.getLogger("io.netty.Foo").isInfoEnabled()).isFalse();
        assertThat(f.getLogger("io.netty.Foo").isWarnEnabled()).isTrue();
        assertThat(f.getLogger("org.apache.kafka.X").isWarnEnabled()).isFalse();
    }

    @Test
    void aThrowableFollowsItsLineAsAStackTrace() {
        Logger log = factory().getLogger("dev.brook.X");

        log.warn("Error stopping {}", "the coordinator", new IllegalStateException("boom"));

        assertThat(written()).contains("[WARN] X - Error stopping the coordinator" + System.lineSeparator()
                + "java.lang.IllegalStateException: boom" + System.lineSeparator() + "\tat ");
        assertThat(written()).endsWith(")" + System.lineSeparator());
    }

    @Test
    void anUnknownLevelIsReportedAndIgnored() {
        Factory f = factory("brook.log.level", "verbose");

        assertThat(written()).contains("brook.log.level", "unknown log level 'verbose'");
        assertThat(f.getLogger("dev.brook.X").isInfoEnabled()).isTrue();
        assertThat(f.getLogger("dev.brook.X").isDebugEnabled()).isFalse();
    }

    @Test
    void levelNamesParseCaseInsensitively() {
        assertThat(LogLevels.parse(" Trace ")).isEqualTo(Level.TRACE);
        assertThat(LogLevels.parse("off")).isNull();
    }
}
