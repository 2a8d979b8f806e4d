package dev.brook.server;

import dev.brook.broker.BrokerConfig;
import dev.brook.broker.BrokerConfigException;
import dev.brook.broker.BrokerStartException;
import dev.brook.broker.BrookBroker;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code brook server}: starts the broker and blocks until SIGTERM/SIGINT, then shuts down cleanly (stops
 * accepting, flushes every log, writes the clean-shutdown marker). Prints one banner line when ready.
 */
@Command(name = "server", mixinStandardHelpOptions = true, description = "Run the Brook broker.")
final class ServerCommand implements Callable<Integer> {

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Address to listen on (default: 127.0.0.1:9092).")
    String listen;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where data lives (default: ./brook-data).")
    Path dataDir;

    @Option(names = "--config", paramLabel = "FILE", description = "Broker configs as Java properties, Kafka names.")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A broker config (Kafka name), e.g. --set num.partitions=3. Repeatable.")
    Map<String, String> settings = new LinkedHashMap<>();

    @Override
    public Integer call() throws InterruptedException {
        BrokerConfig config;
        try {
            config = config();
        } catch (IllegalArgumentException | IOException e) {
            BrookCli.err.println("brook server: " + e.getMessage());
            return 2;
        }
        BrookBroker broker;
        try {
            broker = BrookBroker.start(config);
        } catch (BrokerConfigException e) {
            BrookCli.err.println("brook server: " + e.getMessage());
            return 2;
        } catch (BrokerStartException e) {
            BrookCli.err.println("brook server: " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            broker.close();
            stopped.countDown();
        }, "brook-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        BrookCli.out.println("Brook " + BrookCli.VERSION + " ready on " + broker.bootstrapServers()
                + " (data: " + config.dataDir().toAbsolutePath().normalize() + ")");
        BrookCli.out.flush();
        stopped.await();
        return 0;
    }

    /** The broker config from the defaults, then --config, then --listen/--data-dir, then --set. */
    BrokerConfig config() throws IOException {
        Map<String, String> overrides = new LinkedHashMap<>();
        if (configFile != null) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(configFile, StandardCharsets.UTF_8)) {
                p.load(r);
            }
            p.stringPropertyNames().forEach(k -> overrides.put(k, p.getProperty(k)));
        }
        BrokerConfig base = BrokerConfig.defaults().with(overrides);
        if (listen != null) {
            int colon = listen.lastIndexOf(':');
            if (colon <= 0 || colon == listen.length() - 1) {
                throw new IllegalArgumentException("--listen must be HOST:PORT, got '" + listen + "'");
            }
            try {
                base = base.withListener(listen.substring(0, colon), Integer.parseInt(listen.substring(colon + 1)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--listen port must be a number, got '" + listen.substring(colon + 1) + "'");
            }
        }
        if (dataDir != null) {
            base = base.withDataDir(dataDir);
        }
        return base.with(settings);
    }
}
