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
