package dev.brook.broker.cluster;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * The broker's durable metadata, kept as small text files under {@code <data-dir>/__brook_meta/}:
 *
 * <pre>
 * __brook_meta/
 *   meta.properties          cluster.id=&lt;base64 uuid&gt;   node.id=&lt;int&gt;   producer.id.block.end=&lt;long&gt;
 *   broker.properties        cluster-wide dynamic broker configs set through IncrementalAlterConfigs (Kafka names)
 *   broker-&lt;node&gt;.properties  this node's own dynamic broker configs (resource name = its node ID)
 *   groups.properties        dynamic group configs: &lt;config&gt;@&lt;group&gt;=&lt;value&gt;
 *   client-metrics.properties client-metrics subscriptions: &lt;config&gt;@&lt;subscription&gt;=&lt;value&gt;
 *   topics/&lt;topic&gt;.properties
 *                            id=&lt;base64 topic id&gt;   partitions=&lt;int&gt;   config.&lt;name&gt;=&lt;value&gt; per override
 * </pre>
 *
 * <p>Every file is Java properties text in UTF-8, replaced atomically: written to a temporary file, fsynced,
 * renamed over the old one, and the directory fsynced, so a crash leaves either the old or the new version,
 * never a torn one. A topic exists exactly when its file exists: creation writes the file after the logs
 * are ready, deletion removes it before the logs are deleted. Callers serialize writes (the registry's lock).
 */
final class MetadataStore {
    static final String DIR = "__brook_meta";

    private final Path root;
    private final Path topicsDir;

    MetadataStore(Path dataDir) {
        this.root = dataDir.resolve(DIR);
        this.topicsDir = root.resolve("topics");
        try {
            Files.createDirectories(topicsDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + topicsDir, e);
        }
    }

    /** A topic as stored: its id, partition count and config overrides. */
    record StoredTopic(String name, Uuid id, int partitions, Map<String, String> overrides) {
    }

    List<StoredTopic> loadTopics() {
        List<StoredTopic> topics = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(topicsDir, "*.properties")) {
            for (Path file : files) {
                Properties p = read(file);
                String fileName = file.getFileName().toString();
                String name = fileName.substring(0, fileName.length() - ".properties".length());
                Map<String, String> overrides = new TreeMap<>();
                for (String k : p.stringPropertyNames()) {
                    if (k.startsWith("config.")) {
                        overrides.put(k.substring("config.".length()), p.getProperty(k));
                    }
                }
                topics.add(new StoredTopic(name, Uuid.fromString(p.getProperty("id")),
                        Integer.parseInt(p.getProperty("partitions")), overrides));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read topics from " + topicsDir, e);
        }
        return topics;
    }

    void saveTopic(StoredTopic topic) {
        Properties p = new Properties();
        p.setProperty("id", topic.id().toString());
        p.setProperty("partitions", String.valueOf(topic.partitions()));
        topic.overrides().forEach((k, v) -> p.setProperty("config." + k, v));
        write(topicsDir.resolve(topic.name() + ".properties"), p);
    }

    void deleteTopic(String name) {
        try {
            Files.deleteIfExists(topicsDir.resolve(name + ".properties"));
            fsyncDirectory(topicsDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete topic metadata of " + name, e);
        }
    }

    Properties meta() {
        Path file = root.resolve("meta.properties");
        return Files.exists(file) ? read(file) : new Properties();
    }

    void saveMeta(Properties meta) {
        write(root.resolve("meta.properties"), meta);
    }

    /** The dynamic broker configs of node {@code nodeId}, or the cluster-wide defaults when it is null. */
    Map<String, String> dynamicBrokerConfigs(Integer nodeId) {
        return readMap(root.resolve(nodeId == null ? "broker.properties" : "broker-" + nodeId + ".properties"));
    }

    void saveDynamicBrokerConfigs(Integer nodeId, Map<String, String> configs) {
        writeMap(root.resolve(nodeId == null ? "broker.properties" : "broker-" + nodeId + ".properties"), configs);
    }

    /**
     * The dynamic configs of every resource of one kind ({@code groups}, {@code client-metrics}): resource name to its
     * configs, from {@code <kind>.properties}, where each line is {@code <config>@<resource>=<value>} (config names
     * never hold an {@code @}; resource names may).
     */
    Map<String, Map<String, String>> resourceConfigs(String kind) {
        Map<String, Map<String, String>> out = new TreeMap<>();
        readMap(root.resolve(kind + ".properties")).forEach((k, v) -> {
            int at = k.indexOf('@');
            out.computeIfAbsent(k.substring(at + 1), r -> new TreeMap<>()).put(k.substring(0, at), v);
        });
        return out;
    }

    void saveResourceConfigs(String kind, Map<String, Map<String, String>> configs) {
        Map<String, String> flat = new TreeMap<>();
        configs.forEach((resource, m) -> m.forEach((k, v) -> flat.put(k + "@" + resource, v)));
        writeMap(root.resolve(kind + ".properties"), flat);
    }

    private static Map<String, String> readMap(Path file) {
        Map<String, String> m = new TreeMap<>();
        if (Files.exists(file)) {
            Properties p = read(file);
            p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
        }
        return m;
    }

    private static void writeMap(Path file, Map<String, String> configs) {
        Properties p = new Properties();
        configs.forEach(p::setProperty);
        write(file, p);
    }

    private static Properties read(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return p;
    }

    private static void write(Path file, Properties p) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                w.write(format(p));
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fsyncDirectory(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /**
     * {@code p} as properties text that {@link Properties#load(Reader)} reads back to the same entries: one
     * {@code key=value} line per entry, sorted by key. Not {@link Properties#store}: it starts every file with the
     * date, and formatting that date loads the time-zone names of the default locale, about 25 ms of a broker's
     * startup.
     */
    static String format(Properties p) {
        StringBuilder out = new StringBuilder();
        for (String key : new TreeSet<>(p.stringPropertyNames())) {
            escape(key, true, out);
            out.append('=');
            escape(p.getProperty(key), false, out);
            out.append('\n');
        }
        return out.toString();
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private static void escape(String s, boolean key, StringBuilder out) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\t' -> out.append("\\t");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\f' -> out.append("\\f");
                case '=', ':', '#', '!' -> out.append('\\').append(c);
                // a key ends at its first unescaped space; a value's leading spaces would be skipped
                case ' ' -> out.append(key || i == 0 ? "\\ " : " ");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
                    } else {
                        out.append(c); // the file is UTF-8, read back as such
                    }
                }
            }
        }
    }

    private static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
