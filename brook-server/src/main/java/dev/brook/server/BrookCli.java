package dev.brook.server;

import java.io.InputStream;
import java.io.PrintStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code brook} command: {@code server} runs the broker; {@code topics}, {@code produce} and {@code consume}
 * are Kafka clients for everyday work against any Kafka-protocol broker.
 *
 * <p>Exit codes: 0 success, 1 runtime failure (broker unreachable, topic exists, port taken), 2 bad usage or
 * configuration. Errors are one line on stderr, never a stack trace.
 */
@Command(name = "brook", mixinStandardHelpOptions = true, versionProvider = BrookCli.Version.class,
        description = "Event streaming in one process, speaking the Kafka protocol.",
        subcommands = {ServerCommand.class, TopicsCommand.class, ProduceCommand.class, ConsumeCommand.class, GroupsCommand.class,
                CdsTrainingCommand.class,
                CommandLine.HelpCommand.class})
public final class BrookCli {
    static final String VERSION = "0.1.0";

    /** Standard streams, replaceable by tests. */
    static InputStream in = System.in;
    static PrintStream out = System.out;
    static PrintStream err = System.err;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code. */
    static int run(String... args) {
        CommandLine cli = new CommandLine(new BrookCli());
        cli.setOut(new java.io.PrintWriter(out, true));
        cli.setErr(new java.io.PrintWriter(err, true));
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            err.println("brook: " + CliErrors.describe(e));
            return e instanceof IllegalArgumentException ? 2 : 1;
        });
        return cli.execute(args);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"Brook " + VERSION};
        }
    }
}
