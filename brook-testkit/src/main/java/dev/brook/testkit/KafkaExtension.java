package dev.brook.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts a real Apache Kafka broker (single-node KRaft, combined broker and controller, on 127.0.0.1) in its own
 * JVM, from the jars {@code brook-bench/kafka-server} copies from Maven Central, in a fresh data directory; stops it
 * and deletes the directory after the class. The same launcher starts Kafka for brook-bench's side-by-side harness.
 *
 * <p>The jars live in {@code brook-bench/kafka-server/target/lib} under the project root ({@code .ci/run} fetches
 * them). Without them, {@link #available} is false: tests skip locally and fail in CI.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final KafkaExtension kafka = new KafkaExtension();
 * }</pre>
 */
public final class KafkaExtension implements BeforeAllCallback, AfterAllCallback, AutoCloseable {
    private final List<String> jvmArgs;
    private Process process;
    private Path dataDir;
    private int port;
    private long startupMillis;

    /** Kafka's stock heap from {@code kafka-server-start.sh} is 1 GiB; tests run it smaller. */
    public KafkaExtension() {
        this(List.of("-Xmx512m", "-Xms512m"));
    }

    public KafkaExtension(List<String> jvmArgs) {
        this.jvmArgs = List.copyOf(jvmArgs);
    }

    /** The project root: the nearest directory upwards from the working directory that holds {@code brook-bench}. */
    public static Path projectRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("brook-bench/kafka-server"))) {
            p = p.getParent();
        }
        return p == null ? Path.of("").toAbsolutePath() : p;
    }

    public static Path libDir() {
        return projectRoot().resolve("brook-bench/kafka-server/target/lib");
    }

    /** True when Kafka's jars have been fetched. */
    public static boolean available() {
        return Files.isDirectory(libDir());
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException, InterruptedException {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    /** Starts Kafka on a free port and waits until it accepts connections and answers (up to 120 s). */
    public void start() throws IOException, InterruptedException {
        if (!available()) {
            throw new IllegalStateException("Apache Kafka's jars are missing in " + libDir()
                    + "; fetch them with: ./mvnw -f brook-bench/kafka-server/pom.xml dependency:copy-dependencies -DoutputDirectory=target/lib");
        }
        start(freePortPair());
    }

    /** Starts Kafka on {@code port} (its controller on {@code port + 1}); see {@link #startupMillis}. */
    public void start(int port) throws IOException, InterruptedException {
        this.port = port;
        dataDir = Files.createTempDirectory("kafka-test-");
        Path props = dataDir.resolve("server.properties");
        Files.writeString(props, String.join("\n",
                "process.roles=broker,controller", "node.id=1",
                "controller.quorum.bootstrap.servers=127.0.0.1:" + (port + 1),
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + (port + 1),
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                "log.dirs=" + dataDir.resolve("logs"),
                "offsets.topic.replication.factor=1", "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1", "group.initial.rebalance.delay.ms=0", ""), StandardCharsets.UTF_8);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = libDir() + "/*";
        Process format = new ProcessBuilder(java, "-cp", cp, "kafka.tools.StorageTool", "format", "--standalone",
                // kafka-clients' Uuid never starts with "-", which the tool would read as an option
                "-t", Uuid.randomUuid().toString(), "-c", props.toString()).redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("format.out").toFile()).start();
        if (!format.waitFor(120, TimeUnit.SECONDS) || format.exitValue() != 0) {
            format.destroyForcibly();
            throw new IllegalStateException("kafka storage format failed:\n" + Files.readString(dataDir.resolve("format.out")));
        }
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-server", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35",
                "-XX:+ExplicitGCInvokesConcurrent", "-Djava.awt.headless=true",
                "-Dlog4j2.configurationFile=" + projectRoot().resolve("brook-bench/kafka-server/log4j2.yaml"),
                "-cp", cp, "kafka.Kafka", props.toString()));
        long t0 = System.nanoTime();
        process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dataDir.resolve("kafka.out").toFile()).start();
        long deadline = t0 + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Kafka exited at start:\n" + Files.readString(dataDir.resolve("kafka.out")));
            }
            if (accepts(port)) {
                startupMillis = (System.nanoTime() - t0) / 1_000_000;
                return;
            }
            Thread.sleep(5);
        }
        close();
        throw new IllegalStateException("Kafka did not listen on " + port + " within 120 s");
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A loopback port that is free, and whose successor (Kafka's controller's) is free too. */
    public static int freePortPair() throws IOException {
        for (int i = 0; i < 50; i++) {
            int p;
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                p = s.getLocalPort();
            }
            try (ServerSocket s = new ServerSocket(p + 1, 1, java.net.InetAddress.getLoopbackAddress())) {
                return p;
            } catch (IOException busy) {
                // try another
            }
        }
        throw new IOException("no pair of free ports found");
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Milliseconds from process start until the broker port accepted a connection. */
    public long startupMillis() {
        return startupMillis;
    }

    public Process process() {
        return process;
    }

    /** Kafka's {@code log.dirs}: a directory per partition, and its checkpoint files. */
    public Path logDir() {
        return dataDir.resolve("logs");
    }

    /** Stops Kafka (SIGTERM, then SIGKILL after 30 s) and deletes its data directory. */
    @Override
    public void close() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            process = null;
        }
        if (dataDir != null) {
            try (var files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            dataDir = null;
        }
    }
}
