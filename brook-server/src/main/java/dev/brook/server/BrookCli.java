package dev.brook.server;

import dev.brook.broker.BrookBroker;
import dev.brook.server.logging.ConsoleLogProvider;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Arrays;
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
                WebhooksCommand.class,
                CdsTrainingCommand.class,
                CommandLine.HelpCommand.class})
public final class BrookCli {
    static final String VERSION = "0.1.0";

    /** Standard streams, replaceable by tests. */
    static InputStream in = System.in;
    static PrintStream out = System.out;
    static PrintStream err = System.err;

    public static void main(String[] args) {
        // SLF4J finds its binding through a ServiceLoader scan of the whole classpath unless told which one it is
        // (and then says so on stderr, unless asked to report only warnings)
        if (System.getProperty("slf4j.provider") == null) {
            System.setProperty("slf4j.provider", ConsoleLogProvider.class.getName());
            System.setProperty("slf4j.internal.verbosity", System.getProperty("slf4j.internal.verbosity", "WARN"));
        }
        if (args.length > 0 && args[0].equals("server")) {
            // Netty's buffer allocator registers JFR event types when JFR is available: ~50 ms of reflection at
            // startup for events nobody records unless profiling (then: -Dio.netty.jfr.enabled=true)
            if (System.getProperty("io.netty.jfr.enabled") == null) {
                System.setProperty("io.netty.jfr.enabled", "false");
            }
            // the broker's class loading and initialisation (logging, protocol schemas, Netty) on the second core,
            // while this thread reads the configuration and opens the data directory
            for (Runnable work : BrookBroker.preloads()) {
                Thread preload = new Thread(work, "brook-preload");
                preload.setDaemon(true);
                preload.start();
            }
        }
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code. */
    static int run(String... args) {
        if (args.length > 0 && args[0].equals("server")) {
            // the everyday forms of `brook server` start without building picocli's model first (startup time)
            ServerCommand server = ServerCommand.parseSimple(Arrays.copyOfRange(args, 1, args.length));
            if (server != null) {
                try {
                    return server.call();
                } catch (Exception e) {
                    return failed(e);
                }
            }
        }
        CommandLine cli = new CommandLine(new BrookCli());
        cli.setOut(new java.io.PrintWriter(out, true));
        cli.setErr(new java.io.PrintWriter(err, true));
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> failed(e));
        return cli.execute(args);
    }

    /** A command failed: one line on stderr; exit code 2 for bad usage, 1 otherwise. */
    private static int failed(Exception e) {
        err.println("brook: " + CliErrors.describe(e));
        return e instanceof IllegalArgumentException ? 2 : 1;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"Brook " + VERSION};
        }
    }
}
