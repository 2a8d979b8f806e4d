package dev.brook.server;

import dev.brook.broker.BrokerConfig;
import dev.brook.broker.BrokerConfigException;
import dev.brook.broker.BrokerStartException;
import dev.brook.broker.BrookBroker;
import dev.brook.http.AllowedOrigins;
import dev.brook.http.HttpGateway;
import dev.brook.http.HttpLimits;
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

    @Option(names = "--http-listen", paramLabel = "HOST:PORT|off",
            description = "Address of the HTTP gateway: REST (Confluent REST Proxy v3), Server-Sent Events (default: 127.0.0.1:8082; off to disable).")
    String httpListen;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Where data lives (default: ./brook-data).")
    Path dataDir;

    @Option(names = "--config", paramLabel = "FILE", description = "Broker configs as Java properties, Kafka names.")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A broker config (Kafka name), e.g. --set num.partitions=3, or an HTTP gateway limit (brook.http.*). Repeatable.")
    Map<String, String> settings = new LinkedHashMap<>();

    /** The {@code brook.http.*} settings, from --config then --set: the gateway's, not the broker's. */
    private HttpLimits httpLimits = HttpLimits.defaults();
    private AllowedOrigins origins = AllowedOrigins.none();

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
        HttpGateway http;
        try {
            http = startHttp(broker);
        } catch (IllegalArgumentException | IllegalStateException e) {
            BrookCli.err.println("brook server: " + e.getMessage());
            broker.close();
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            if (http != null) {
                http.close();
            }
            broker.close();
            stopped.countDown();
        }, "brook-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        BrookCli.out.println("Brook " + BrookCli.VERSION + " ready on " + broker.bootstrapServers()
                + (http == null ? "" : ", HTTP on " + http.localAddress().getHostString() + ":" + http.localAddress().getPort())
                + " (data: " + config.dataDir().toAbsolutePath().normalize() + ")");
        BrookCli.out.flush();
        stopped.await();
        return 0;
    }

    /**
     * The options of {@code brook server} in the forms people type ({@code --listen HOST:PORT}, {@code --data-dir=DIR},
     * repeated {@code --set KEY=VALUE}, ...), parsed without picocli; {@code null} for anything else (help, unknown or
     * repeated options, missing values), which picocli then parses and reports.
     *
     * <p>Why: picocli's classes predate Java 6, so the class-data archive cannot hold them and the JVM verifies them
     * at every start; building its command model took about 200 ms, half of the broker's whole startup. The result
     * here is the one picocli gives for the same arguments ({@code ServerArgsTest} compares them).
     */
    static ServerCommand parseSimple(String[] args) {
        ServerCommand cmd = new ServerCommand();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            String value;
            int eq = name.indexOf('=');
            if (name.startsWith("--") && eq > 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length && !args[i + 1].startsWith("-")) {
                value = args[++i];
            } else {
                return null;
            }
            switch (name) {
                case "--listen" -> {
                    if (cmd.listen != null) {
                        return null;
                    }
                    cmd.listen = value;
                }
                case "--http-listen" -> {
                    if (cmd.httpListen != null) {
                        return null;
                    }
                    cmd.httpListen = value;
                }
                case "--data-dir" -> {
                    if (cmd.dataDir != null || value.isEmpty()) {
                        return null;
                    }
                    cmd.dataDir = Path.of(value);
                }
                case "--config" -> {
                    if (cmd.configFile != null || value.isEmpty()) {
                        return null;
                    }
                    cmd.configFile = Path.of(value);
                }
                case "--set" -> {
                    int kv = value.indexOf('=');
                    if (kv <= 0) {
                        return null;
                    }
                    cmd.settings.put(value.substring(0, kv), value.substring(kv + 1));
                }
                default -> {
                    return null;
                }
            }
        }
        return cmd;
    }

    /** The HTTP gateway at {@code --http-listen} (127.0.0.1:8082 by default), or none for {@code off}. */
    private HttpGateway startHttp(BrookBroker broker) {
        String address = httpListen == null ? "127.0.0.1:8082" : httpListen;
        if (address.equals("off")) {
            return null;
        }
        int colon = address.lastIndexOf(':');
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--http-listen must be HOST:PORT or off, got '" + address + "'");
        }
        if (colon <= 0) {
            throw new IllegalArgumentException("--http-listen must be HOST:PORT or off, got '" + address + "'");
        }
        return HttpGateway.start(broker, address.substring(0, colon), port, httpLimits, origins);
    }

    /** The origins whose pages may use the gateway, as the last {@link #config()} read them. */
    AllowedOrigins origins() {
        return origins;
    }

    /** The gateway's limits, as the last {@link #config()} read them. */
    HttpLimits httpLimits() {
        return httpLimits;
    }

    private static Map<String, String> withoutHttp(Map<String, String> settings) {
        Map<String, String> out = new LinkedHashMap<>(settings);
        out.keySet().removeIf(k -> k.trim().startsWith(HttpLimits.PREFIX));
        return out;
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
        httpLimits = HttpLimits.defaults().with(overrides).with(settings);
        Map<String, String> http = new LinkedHashMap<>(overrides);
        http.putAll(settings);
        origins = AllowedOrigins.from(http);
        BrokerConfig base = BrokerConfig.defaults().with(withoutHttp(overrides));
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
        return base.with(withoutHttp(settings));
    }
}
