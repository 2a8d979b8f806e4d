package dev.brook.it;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a program outside the JVM (kcat, node) to completion with a hard time limit, feeding it stdin and capturing
 * stdout and stderr whole. A program still running at the limit is destroyed, and the result says so, so a hung
 * client fails its test with the program's own words instead of hanging the build.
 */
final class ExternalCommand {

    /** What a finished (or killed) program left behind. {@code exitCode} is -1 when it was killed at the time limit. */
    record Result(List<String> command, int exitCode, boolean timedOut, String stdout, String stderr) {
        /** A description fit for an assertion message. */
        String describe() {
            return String.join(" ", command) + " -> " + (timedOut ? "killed after time limit" : "exit " + exitCode)
                    + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
        }
    }

    private ExternalCommand() {
    }

    /** Whether an executable named {@code program} is on the PATH. */
    static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return true;
            }
        }
        return false;
    }

    /** Whether this run is CI's, where every client must be present and no test may be skipped for lack of one. */
    static boolean inCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    static Result run(List<String> command, String stdin, Duration timeout) {
        return run(command, stdin, timeout, null);
    }

    static Result run(List<String> command, String stdin, Duration timeout, Path workingDir) {
        ProcessBuilder builder = new ProcessBuilder(command);
        if (workingDir != null) {
            builder.directory(workingDir.toFile());
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + command, e);
        }
        try {
            CompletableFuture<String> stdout = drain(process.getInputStream());
            CompletableFuture<String> stderr = drain(process.getErrorStream());
            try (OutputStream in = process.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                // The program exited before reading its input; its exit code and stderr will say why.
            }
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            return new Result(command, finished ? process.exitValue() : -1, !finished,
                    stdout.get(10, TimeUnit.SECONDS), stderr.get(10, TimeUnit.SECONDS));
        } catch (Exception e) {
            throw new IllegalStateException("running " + command + " failed", e);
        } finally {
            process.destroyForcibly();
        }
    }

    private static CompletableFuture<String> drain(InputStream stream) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            try (InputStream s = stream) {
                s.transferTo(buffer);
                text.complete(buffer.toString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.complete(buffer.toString(StandardCharsets.UTF_8) + "<stream closed: " + e.getMessage() + ">");
            }
        }, "external-command-output");
        reader.setDaemon(true);
        reader.start();
        return text;
    }
}
