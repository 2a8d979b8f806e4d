package dev.brook.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.brook.broker.BrokerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServerCommandTest {

    private static BrokerConfig parse(String... args) throws Exception {
        ServerCommand cmd = new ServerCommand();
        new CommandLine(cmd).parseArgs(args);
        return cmd.config();
    }

    @Test
    void withNoFlagsListensOnLoopback9092WithDataInBrookData() throws Exception {
        BrokerConfig c = parse();
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.port()).isEqualTo(9092);
        assertThat(c.dataDir()).isEqualTo(Path.of("brook-data"));
    }

    @Test
    void listenDataDirAndSetsAreApplied() throws Exception {
        BrokerConfig c = parse("--listen", "0.0.0.0:19092", "--data-dir", "/tmp/x", "--set", "num.partitions=3",
                "--set", "auto.create.topics.enable=false");
        assertThat(c.host()).isEqualTo("0.0.0.0");
        assertThat(c.port()).isEqualTo(19092);
        assertThat(c.dataDir()).isEqualTo(Path.of("/tmp/x"));
        assertThat(c.defaultPartitions()).isEqualTo(3);
        assertThat(c.autoCreateTopics()).isFalse();
    }

    @Test
    void aConfigFileIsReadAndFlagsWinOverIt(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("server.properties");
        Files.writeString(file, "listeners=PLAINTEXT://127.0.0.1:29092\nnum.partitions=4\nlog.retention.ms=1000\n");
        BrokerConfig c = parse("--config", file.toString(), "--set", "num.partitions=5");
        assertThat(c.port()).isEqualTo(29092);
        assertThat(c.defaultPartitions()).isEqualTo(5);
        assertThat(c.logDefaults().retentionMs()).isEqualTo(1000);
    }

    @Test
    void badConfigsExitWithCode2AndOneClearLine(@TempDir Path dir) throws Exception {
        CliHarness.Result unknown = CliHarness.run(null, "server", "--set", "log.retention.mss=5", "--data-dir", dir.toString());
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err()).contains("log.retention.mss").contains("unknown").doesNotContain("Exception");
        assertThat(unknown.err().strip().lines()).hasSize(1);

        CliHarness.Result badListen = CliHarness.run(null, "server", "--listen", "localhost", "--data-dir", dir.toString());
        assertThat(badListen.exitCode()).isEqualTo(2);
        assertThat(badListen.err()).contains("HOST:PORT");

        CliHarness.Result missingFile = CliHarness.run(null, "server", "--config", dir.resolve("nope.properties").toString());
        assertThat(missingFile.exitCode()).isEqualTo(2);
        assertThat(missingFile.err()).contains("nope.properties");
    }

    @Test
    void httpSettingsGoToTheGatewayNotTheBroker(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("server.properties");
        Files.writeString(file, "brook.http.max.streams=50\nbrook.http.heartbeat.ms=1000\nnum.partitions=2\n");
        ServerCommand cmd = new ServerCommand();
        new CommandLine(cmd).parseArgs("--config", file.toString(), "--set", "brook.http.max.streams=70",
                "--set", "brook.http.max.body.bytes=65536");
        BrokerConfig c = cmd.config();
        assertThat(c.defaultPartitions()).isEqualTo(2);
        assertThat(cmd.httpLimits().maxStreams()).isEqualTo(70);
        assertThat(cmd.httpLimits().heartbeatMs()).isEqualTo(1000);
        assertThat(cmd.httpLimits().maxBodyBytes()).isEqualTo(65536);
        assertThat(cmd.httpLimits().maxGroupStreams()).isEqualTo(dev.brook.http.HttpLimits.defaults().maxGroupStreams());
        new CommandLine(cmd).parseArgs("--set", "brook.http.cors.allowed.origins=http://localhost:3000");
        cmd.config();
        assertThat(cmd.origins()).hasToString("http://localhost:3000");

        for (String bad : new String[] {"brook.http.max.stream=5", "brook.http.max.streams=many", "brook.http.heartbeat.ms=0",
                "brook.http.cors.allowed.origins=app.example"}) {
            CliHarness.Result r = CliHarness.run(null, "server", "--set", bad, "--data-dir", dir.toString(), "--http-listen", "off");
            assertThat(r.exitCode()).as(bad).isEqualTo(2);
            assertThat(r.err()).as(bad).contains(bad.substring(0, bad.indexOf('='))).doesNotContain("Exception");
            assertThat(r.err().strip().lines()).as(bad).hasSize(1);
        }
    }

    @Test
    void versionAndHelpWork() {
        assertThat(CliHarness.run(null, "--version").out()).contains("Brook " + BrookCli.VERSION);
        CliHarness.Result help = CliHarness.run(null, "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("server", "topics", "produce", "consume");
    }

    @Test
    void overridesUseKafkaNames() {
        assertThat(BrokerConfig.defaults().with(Map.of("log.segment.bytes", "2048")).logDefaults().segmentBytes()).isEqualTo(2048);
    }
}
