package dev.brook.server;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/** Options every client command shares: where the broker is and extra client properties. */
final class ClientOptions {
    @Option(names = {"-b", "--bootstrap-server"}, paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9092",
            description = "Broker to connect to (default: ${DEFAULT-VALUE}).")
    String bootstrap;

    @Option(names = "--command-config", paramLabel = "FILE", description = "Kafka client properties file.")
    Path commandConfig;

    /** Client settings: bootstrap, quick failure when the broker is unreachable, then the user's file. */
    Map<String, Object> clientConfig() {
        Map<String, Object> c = new HashMap<>();
        c.put("bootstrap.servers", bootstrap);
        c.put("request.timeout.ms", 15_000);
        c.put("default.api.timeout.ms", 20_000);
        if (commandConfig != null) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(commandConfig, StandardCharsets.UTF_8)) {
                p.load(r);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + commandConfig + ": " + e.getMessage());
            }
            p.stringPropertyNames().forEach(k -> c.put(k, p.getProperty(k)));
        }
        return c;
    }
}
