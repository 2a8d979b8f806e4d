package dev.brook.bench;

import dev.brook.testkit.KafkaExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * A broker under test in its own JVM: Brook ({@code brook.jar server}) or Apache Kafka (single-node KRaft, its stock
 * {@code -Xmx1G -Xms1G} and G1 flags from {@code kafka-server-start.sh}), both on 127.0.0.1 with a fresh data
 * directory. Measures the time from process start to the first Metadata answer, and resident memory from
 * {@code /proc}. Owned by the harness thread; always {@link #close} it.
 */
final class BrokerProcess implements AutoCloseable {
    enum Kind { BROOK, KAFKA }

    final Kind kind;
    final int port;
    final long startupMillis;
    private final Process process;
    private final Path dataDir;
    private final KafkaExtension kafka;

    private BrokerProcess(Kind kind, int port, Process process, Path dataDir, long startupMillis, KafkaExtension kafka) {
        this.kind = kind;
        this.port = port;
        this.process = process;
        this.dataDir = dataDir;
        this.kafka = kafka;
        this.startupMillis = startupMillis;
    }

    String bootstrap() {
        return "127.0.0.1:" + port;
    }

    /** Where the broker keeps a directory per partition: Brook's data directory, Kafka's {@code log.dirs}. */
    Path logDir() {
        return kafka != null ? kafka.logDir() : dataDir;
    }

    long pid() {
        return process.pid();
    }

    /**
     * Extra JVM options for one broker, from a system property (space-separated), for profiling runs, e.g.
     * {@code -Dbrook.bench.brookJvmArgs=-XX:StartFlightRecording=filename=brook.jfr,settings=profile}.
     */
    private static List<String> extraJvmArgs(String property) {
        String value = System.getProperty(property, "").trim();
        return value.isEmpty() ? List.of() : List.of(value.split("\\s+"));
    }

    static BrokerProcess start(Kind kind, Path root, int port) throws IOException, InterruptedException {
        return start(kind, root, port, 0);
    }

    /** @param httpPort Brook's HTTP gateway port; 0 for one nobody else wants (ignored for Kafka) */
    static BrokerProcess start(Kind kind, Path root, int port, int httpPort) throws IOException, InterruptedException {
        if (kind == Kind.KAFKA) {
            // the launcher the integration tests use, with Kafka's stock heap from kafka-server-start.sh
            List<String> jvm = new ArrayList<>(List.of("-Xmx1G", "-Xms1G"));
            jvm.addAll(extraJvmArgs("brook.bench.kafkaJvmArgs"));
            KafkaExtension kafka = new KafkaExtension(jvm);
            kafka.start(port);
            long accepted = System.nanoTime();
            try {
                awaitMetadata(kind, kafka.process(), port, accepted + TimeUnit.SECONDS.toNanos(120), null);
            } catch (RuntimeException | IOException e) {
                kafka.close();
                throw e;
            }
            long startup = kafka.startupMillis() + (System.nanoTime() - accepted) / 1_000_000;
            return new BrokerProcess(kind, port, kafka.process(), null, startup, kafka);
        }
        Path data = Files.createTempDirectory("bench-brook-");
        // started as users start it, with bin/brook's defaults (heap, G1, the class-data-sharing archive)
        List<String> cmd = List.of(root.resolve("bin/brook").toString(),
                "server", "--listen", "127.0.0.1:" + port, "--data-dir", data.toString(),
                "--http-listen", "127.0.0.1:" + httpPort); // the HTTP gateway is on, as by default
        long t0 = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(data.resolve("broker.out").toFile());
        pb.environment().put("BROOK_OPTS", String.join(" ", extraJvmArgs("brook.bench.brookJvmArgs")));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        awaitMetadata(kind, p, port, t0 + TimeUnit.SECONDS.toNanos(120), data.resolve("broker.out"));
        return new BrokerProcess(kind, port, p, data, (System.nanoTime() - t0) / 1_000_000, null);
    }

    private static void awaitMetadata(Kind kind, Process p, int port, long deadline, Path out) throws IOException, InterruptedException {
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException(kind + " exited at start" + (out == null ? "" : ":\n" + Files.readString(out)));
            }
            if (metadataAnswered(port)) {
                return;
            }
            Thread.sleep(5);
        }
        p.destroyForcibly();
        throw new IllegalStateException(kind + " did not answer Metadata within 120 s");
    }

    /** Sends one Metadata request on a fresh connection; true when a response frame comes back. */
    static boolean metadataAnswered(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            s.setSoTimeout(2_000);
            MetadataRequest req = new MetadataRequest.Builder(new MetadataRequestData().setTopics(null)).build((short) 12);
            ByteBuffer body = req.serializeWithHeader(new RequestHeader(req.apiKey(), (short) 12, "bench", 1));
            OutputStream out = s.getOutputStream();
            byte[] frame = new byte[4 + body.remaining()];
            ByteBuffer.wrap(frame).putInt(body.remaining()).put(body);
            out.write(frame);
            out.flush();
            InputStream in = s.getInputStream();
            byte[] size = in.readNBytes(4);
            return size.length == 4 && ByteBuffer.wrap(size).getInt() > 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** CPU time (user + system) the broker JVM has used so far, in milliseconds, from {@code /proc/<pid>/stat}. */
    double cpuMillis() {
        return procCpuMillis(process.pid());
    }

    static double procCpuMillis(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10.0; // fields 14 and 15, in 100 Hz ticks
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /** Resident set size of the broker JVM, in MiB. */
    double rssMiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (kafka != null) {
            kafka.close(); // stops it and deletes its data directory
            return;
        }
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        try (var files = Files.walk(dataDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
