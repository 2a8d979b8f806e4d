package dev.brook.broker.cluster;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidRequestException;

/**
 * Client-metrics subscriptions (KIP-714's CLIENT_METRICS config resource), as Kafka's ClientMetricsCommand and
 * {@code kafka-configs --entity-type client-metrics} manage them: a named subscription says which metrics
 * ({@code metrics}, name prefixes), how often ({@code interval.ms}) and from which clients ({@code match},
 * {@code selector=regex} pairs). A subscription exists while it sets any config. Stored in
 * {@code __brook_meta/client-metrics.properties}; thread-safe, reads lock-free.
 *
 * <p>Brook has no client-telemetry receiver, so, like a Kafka broker without one, it does not offer
 * GetTelemetrySubscriptions/PushTelemetry and clients send no metrics: subscriptions are kept, listed and described,
 * ready for a receiver.
 */
public final class ClientMetricsSubscriptions {
    public static final String METRICS = "metrics";
    public static final String INTERVAL_MS = "interval.ms";
    public static final String MATCH = "match";
    /** The configs in name order, with their defaults. */
    public static final Map<String, String> DEFAULTS = new TreeMap<>(Map.of(INTERVAL_MS, "300000", MATCH, "", METRICS, ""));

    private static final Set<String> SELECTORS = Set.of("client_instance_id", "client_id", "client_software_name",
            "client_software_version", "client_source_address", "client_source_port");
    private static final String KIND = "client-metrics";

    private final MetadataStore store;
    private volatile Map<String, Map<String, String>> subscriptions;

    public ClientMetricsSubscriptions(TopicRegistry registry) {
        this.store = registry.store();
        this.subscriptions = store.resourceConfigs(KIND);
    }

    /** The configs subscription {@code name} sets (empty when it does not exist). */
    public Map<String, String> configs(String name) {
        return subscriptions.getOrDefault(name, Map.of());
    }

    /** The names of every subscription, sorted. */
    public List<String> names() {
        return List.copyOf(subscriptions.keySet());
    }

    /**
     * Replaces subscription {@code name}'s configs with {@code next}; empty deletes the subscription.
     *
     * @throws InvalidRequestException       when a config is unknown, the interval out of range or a match malformed
     * @throws InvalidConfigurationException when the interval is not a number
     */
    public synchronized void alter(String name, Map<String, String> next, boolean validateOnly) {
        if (name == null || name.isEmpty()) {
            throw new InvalidRequestException("A client metrics subscription needs a name");
        }
        Map<String, String> own = new TreeMap<>();
        next.forEach((k, v) -> own.put(k, v == null ? "" : v.trim()));
        for (Map.Entry<String, String> e : own.entrySet()) {
            switch (e.getKey()) {
                case INTERVAL_MS -> interval(e.getValue());
                case MATCH -> match(e.getValue());
                case METRICS -> {
                    // any list of name prefixes; empty or "*" are Kafka's "none" and "all"
                }
                default -> throw new InvalidRequestException("Unknown client metrics configuration: " + e.getKey());
            }
        }
        if (validateOnly) {
            return;
        }
        Map<String, Map<String, String>> all = new TreeMap<>(subscriptions);
        if (own.isEmpty()) {
            all.remove(name);
        } else {
            all.put(name, Collections.unmodifiableMap(own));
        }
        store.saveResourceConfigs(KIND, all);
        subscriptions = Collections.unmodifiableMap(all);
    }

    private static void interval(String value) {
        int ms;
        try {
            ms = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new InvalidConfigurationException("Invalid value " + value + " for configuration interval.ms: Not a number of type INT");
        }
        if (ms < 100 || ms > 3_600_000) {
            throw new InvalidRequestException("Invalid value " + value + " for interval.ms, interval must be between 100 and 3600000 (1 hour)");
        }
    }

    private static void match(String value) {
        if (value.isEmpty()) {
            return;
        }
        for (String pair : value.split(",")) {
            int eq = pair.indexOf('=');
            boolean ok = eq > 0 && SELECTORS.contains(pair.substring(0, eq).trim());
            if (ok) {
                try {
                    Pattern.compile(pair.substring(eq + 1).trim());
                } catch (PatternSyntaxException e) {
                    ok = false;
                }
            }
            if (!ok) {
                throw new InvalidConfigurationException("Illegal client matching pattern: " + pair.trim());
            }
        }
    }
}
