package dev.brook.server;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** Runs the CLI in-process with captured standard streams. */
final class CliHarness {
    record Result(int exitCode, String out, String err) {
    }

    private CliHarness() {
    }

    static synchronized Result run(String stdin, String... args) {
        InputStream oldIn = BrookCli.in;
        PrintStream oldOut = BrookCli.out;
        PrintStream oldErr = BrookCli.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        BrookCli.in = new ByteArrayInputStream((stdin == null ? "" : stdin).getBytes(StandardCharsets.UTF_8));
        BrookCli.out = new PrintStream(out, true, StandardCharsets.UTF_8);
        BrookCli.err = new PrintStream(err, true, StandardCharsets.UTF_8);
        try {
            int code = BrookCli.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            BrookCli.in = oldIn;
            BrookCli.out = oldOut;
            BrookCli.err = oldErr;
        }
    }
}
