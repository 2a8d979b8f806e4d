package dev.brook.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A Brook broker in its own JVM, started the way an operator starts it ({@code brook server --listen
 * 127.0.0.1:PORT --data-dir DIR}) so that it can be killed with SIGKILL, which no in-process broker can survive
 * to tell about. Its output is kept (the last lines go into failure messages).
 *
 * <p>Owned by one test thread. Always {@link #close} it: a broker JVM left behind would outlive the build.
 */
final class BrookProcess implements AutoCloseable {

    private static final String BANNER = "ready on ";

    private final Process process;
    private final List<String> output = Collections.synchronizedList(new ArrayList<>());
    private final CountDownLatch ready = new CountDownLatch(1);
    private final java.util.concurrent.atomic.AtomicLong lines = new java.util.concurrent.atomic.AtomicLong();

    private BrookProcess(Process process, String address) {
        this.process = process;
        Thread reader = new Thread(() -> pump(address), "brook-process-output");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts {@code dev.brook.server.BrookCli server} on {@code 127.0.0.1:port} over {@code dataDir}, with this
     * JVM's classpath, and returns once it printed its {@code ready on 127.0.0.1:PORT} banner.
     *
     * @throws IllegalStateException if it exits or stays silent for {@code startTimeout}; the process is then destroyed
     */
    static BrookProcess start(int port, Path dataDir, Duration startTimeout) throws IOException, InterruptedException {
        return start(port, dataDir, startTimeout, List.of());
    }

    /** As {@link #start(int, Path, Duration)}, with more arguments for {@code brook server} ({@code --set k=v}, ...). */
    static BrookProcess start(int port, Path dataDir, Duration startTimeout, List<String> extraArgs) throws IOException, InterruptedException {
        String address = "127.0.0.1:" + port;
        BrookProcess broker = new BrookProcess(new ProcessBuilder(command(port, dataDir, extraArgs)).redirectErrorStream(true).start(), address);
        if (!broker.ready.await(startTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
            broker.kill();
            throw new IllegalStateException("broker did not print '" + BANNER + address + "' within " + startTimeout
                    + "; alive=" + broker.process.isAlive() + "; output:\n" + broker.outputTail());
        }
        return broker;
    }

    /** Starts the broker's JVM and returns at once, before it is ready (to kill it while it starts, say). */
    static BrookProcess launch(int port, Path dataDir) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command(port, dataDir)).redirectErrorStream(true);
        return new BrookProcess(builder.start(), "127.0.0.1:" + port);
    }

    /** Waits up to {@code timeout} for a line containing {@code needle}; returns whether one came. */
    boolean awaitOutput(String needle, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            synchronized (output) {
                for (String line : output) {
                    if (line.contains(needle)) {
                        return true;
                    }
                }
            }
            if (!process.isAlive()) {
                return false;
            }
            Thread.sleep(2);
        }
        return false;
    }

    /** Whether it has printed its ready banner. */
    boolean isReady() {
        return ready.getCount() == 0;
    }

    /** The command line of {@code brook server} on {@code 127.0.0.1:port} over {@code dataDir}, in a JVM of this one's classpath. */
    static List<String> command(int port, Path dataDir) {
        return command(port, dataDir, List.of());
    }

    static List<String> command(int port, Path dataDir, List<String> extraArgs) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new java.util.ArrayList<>(List.of(java, "-Xmx512m", "-cp", System.getProperty("java.class.path"),
                "dev.brook.server.BrookCli", "server", "--listen", "127.0.0.1:" + port, "--data-dir", dataDir.toString(),
                "--http-listen", "off")); // tests that want HTTP start their own gateway; 8082 stays free for a developer's broker
        command.addAll(extraArgs);
        return command;
    }

    /** A port nobody listens on right now on 127.0.0.1 (bound, read, released). */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    /** SIGKILL: no shutdown hook, no flush, no clean-shutdown marker. Returns once the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("broker process " + process.pid() + " survived SIGKILL for 30 s");
        }
    }

    /**
     * SIGTERM, as an operator's {@code kill} or a service manager sends it; waits up to {@code within} for the
     * process to exit and returns whether it did (if not, it is left running for {@link #close} to kill).
     */
    boolean terminate(Duration within) throws InterruptedException {
        process.destroy();
        return process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS);
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** How many lines the broker has printed in all (stack-trace lines included). */
    long linesPrinted() {
        return lines.get();
    }

    /** The last lines the broker printed, for failure messages. */
    String outputTail() {
        synchronized (output) {
            return String.join("\n", output.subList(Math.max(0, output.size() - 40), output.size()));
        }
    }

    /** SIGTERM, and SIGKILL if it has not exited within ten seconds. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                kill();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private void pump(String address) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                lines.incrementAndGet();
                synchronized (output) {
                    output.add(line);
                    if (output.size() > 2_000) {
                        output.remove(0);
                    }
                }
                if (line.contains(BANNER + address)) {
                    ready.countDown();
                }
            }
        } catch (IOException e) {
            output.add("<output closed: " + e.getMessage() + ">");
        }
    }
}
