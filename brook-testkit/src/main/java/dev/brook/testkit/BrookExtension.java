package dev.brook.testkit;

import dev.brook.broker.BrokerConfig;
import dev.brook.broker.BrookBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts an in-process Brook broker on a free 127.0.0.1 port, in a fresh temporary data directory,
 * before the test class and stops it (and deletes the directory) after.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final BrookExtension brook = new BrookExtension();
 *
 * @Test
 * void produces() {
 *     try (var producer = new KafkaProducer<>(Map.of("bootstrap.servers", brook.bootstrapServers()), ...)) { ... }
 * }
 * }</pre>
 *
 * Register it as a {@code static} field: one broker serves every test in the class. Broker configs can be set
 * with {@link #withConfig} before the class starts, using Kafka's names.
 */
public final class BrookExtension implements BeforeAllCallback, AfterAllCallback {

    private final Map<String, String> overrides = new LinkedHashMap<>();
    private BrookBroker broker;
    private Path dataDir;

    /** Sets a broker config (Kafka's name, e.g. {@code auto.create.topics.enable}) for the broker this extension starts. */
    public BrookExtension withConfig(String key, String value) {
        overrides.put(key, value);
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    /** Starts the broker; called by JUnit, public for tests that drive the lifecycle themselves. */
    public void start() throws IOException {
        dataDir = Files.createTempDirectory("brook-test-");
        broker = BrookBroker.start(BrokerConfig.defaults().withDataDir(dataDir).withListener("127.0.0.1", 0).with(overrides));
    }

    /** Stops the broker cleanly and deletes its data directory. */
    public void stop() {
        try {
            if (broker != null) {
                broker.close();
            }
        } finally {
            broker = null;
            if (dataDir != null) {
                deleteRecursively(dataDir);
            }
        }
    }

    /** Stops the broker cleanly and starts a new one on the same data directory and port. */
    public void restart() {
        int port = broker.boundAddress().getPort();
        broker.close();
        broker = BrookBroker.start(BrokerConfig.defaults().withDataDir(dataDir).withListener("127.0.0.1", port).with(overrides));
    }

    public String bootstrapServers() {
        return broker().bootstrapServers();
    }

    public BrookBroker broker() {
        if (broker == null) {
            throw new IllegalStateException("the broker is not running; register BrookExtension as a static field");
        }
        return broker;
    }

    public Path dataDir() {
        return dataDir;
    }

    private static void deleteRecursively(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
