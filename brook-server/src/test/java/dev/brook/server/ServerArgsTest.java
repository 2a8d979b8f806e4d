package dev.brook.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code brook server}'s picocli-free argument parser must read every argument list it accepts as picocli does. */
class ServerArgsTest {

    @Property(tries = 2000)
    void whatTheFastParserAcceptsPicocliReadsTheSameWay(@ForAll("argumentLists") List<String> args) {
        ServerCommand fast = ServerCommand.parseSimple(args.toArray(String[]::new));
        if (fast == null) {
            return; // left to picocli, which parses and reports it
        }
        ServerCommand picocli = new ServerCommand();
        assertThatCode(() -> new CommandLine(picocli).parseArgs(args.toArray(String[]::new)))
                .as("picocli on %s", args).doesNotThrowAnyException();
        assertThat(fast.listen).as("--listen of %s", args).isEqualTo(picocli.listen);
        assertThat(fast.httpListen).as("--http-listen of %s", args).isEqualTo(picocli.httpListen);
        assertThat(fast.dataDir).as("--data-dir of %s", args).isEqualTo(picocli.dataDir);
        assertThat(fast.configFile).as("--config of %s", args).isEqualTo(picocli.configFile);
        assertThat(fast.settings).as("--set of %s", args).containsExactlyEntriesOf(picocli.settings);
    }

    @Provide
    Arbitrary<List<String>> argumentLists() {
        return Arbitraries.of("--listen", "--http-listen", "--http-listen=off", "--data-dir", "--config", "--set", "--listen=127.0.0.1:1", "--set=a=b",
                "--data-dir=/d", "--config=c.properties", "--set=", "--listen=", "127.0.0.1:19092", "a=1", "b=x=y", "=v",
                "k=", "/tmp/data", "data", "-h", "--help", "-V", "--", "-x", "--other", "").list().ofMaxSize(7);
    }

    @Test
    void theEverydayFormsSkipPicocli() {
        ServerCommand c = ServerCommand.parseSimple(new String[] {"--listen", "0.0.0.0:19092", "--data-dir=/tmp/x",
                "--set", "num.partitions=3", "--set=log.retention.ms=1000", "--config", "s.properties"});
        assertThat(c).isNotNull();
        assertThat(c.listen).isEqualTo("0.0.0.0:19092");
        assertThat(c.dataDir).isEqualTo(Path.of("/tmp/x"));
        assertThat(c.configFile).isEqualTo(Path.of("s.properties"));
        assertThat(c.settings).containsExactly(java.util.Map.entry("num.partitions", "3"), java.util.Map.entry("log.retention.ms", "1000"));
        assertThat(ServerCommand.parseSimple(new String[0])).isNotNull();
    }

    @Test
    void helpUnknownOptionsAndMissingValuesGoToPicocli() {
        for (String[] args : new String[][] {{"--help"}, {"-h"}, {"--listen"}, {"--listen", "a:1", "--listen", "b:2"},
                {"--set", "novalue"}, {"--verbose"}, {"extra"}}) {
            assertThat(ServerCommand.parseSimple(args)).as("%s", List.of(args)).isNull();
        }
        CliHarness.Result help = CliHarness.run(null, "server", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("--listen", "--data-dir", "--set");
        CliHarness.Result twice = CliHarness.run(null, "server", "--listen", "a:1", "--listen", "b:2");
        assertThat(twice.exitCode()).isEqualTo(2);
        assertThat(twice.err()).contains("--listen");
    }
}
