package dev.brook.broker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kafka's listener settings, read the way a Kafka {@code server.properties} writes them, for the one listener Brook
 * serves: {@code listeners} ({@code NAME://host:port,...}; Brook's own {@code --listen host:port} is the one-entry
 * form), {@code controller.listener.names} (skipped: Brook is its own controller, with no listener for it),
 * {@code listener.security.protocol.map} (a name maps to its protocol; without the map the name is the protocol) and
 * {@code advertised.listeners} (the address clients are told, for the listener of the same name).
 *
 * <p>Brook serves one PLAINTEXT listener; a configuration asking for more, or for TLS or SASL, fails at startup with a
 * message that says so, instead of serving something other than what it says.
 */
public final class Listeners {
    /** One {@code host:port}; an empty host means the default ({@link BrokerConfig#DEFAULT_HOST} to bind to). */
    public record Endpoint(String name, String host, int port) {
    }

    private Listeners() {
    }

    /** The served listener from {@code listeners} (or {@code listen}). */
    static Endpoint served(String key, String listeners, String controllerNames, String protocolMap) {
        Set<String> controllers = names(controllerNames);
        Map<String, String> protocols = protocolMap(protocolMap);
        List<Endpoint> served = new ArrayList<>();
        for (Endpoint e : parse(key, listeners)) {
            if (controllers.contains(e.name())) {
                continue;
            }
            String protocol = protocols.getOrDefault(e.name(), e.name());
            if (!protocol.equals("PLAINTEXT")) {
                throw new BrokerConfigException(key, listeners, "listener " + e.name() + " is " + protocol
                        + "; Brook serves PLAINTEXT listeners only");
            }
            served.add(e);
        }
        if (served.size() != 1) {
            throw new BrokerConfigException(key, listeners, served.isEmpty() ? "no PLAINTEXT listener"
                    : "Brook serves one listener, not " + served.size());
        }
        return served.get(0);
    }

    /** The {@code advertised.listeners} entry for the listener named {@code name}, or null. */
    static Endpoint advertised(String advertisedListeners, String name) {
        for (Endpoint e : parse("advertised.listeners", advertisedListeners)) {
            if (e.name().equals(name)) {
                if (e.host().isEmpty()) {
                    throw new BrokerConfigException("advertised.listeners", advertisedListeners, "listener " + name + " needs a host");
                }
                return e;
            }
        }
        return null;
    }

    private static List<Endpoint> parse(String key, String value) {
        List<Endpoint> out = new ArrayList<>();
        for (String raw : value.split(",")) {
            String entry = raw.trim();
            if (entry.isEmpty()) {
                continue;
            }
            int scheme = entry.indexOf("://");
            String name = scheme >= 0 ? entry.substring(0, scheme).trim().toUpperCase(java.util.Locale.ROOT) : "PLAINTEXT";
            String hostPort = scheme >= 0 ? entry.substring(scheme + 3) : entry;
            int colon = hostPort.lastIndexOf(':');
            String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1); // an IPv6 literal
            }
            int port = colon < 0 ? BrokerConfig.DEFAULT_PORT : BrokerConfig.parseInt(key, hostPort.substring(colon + 1));
            out.add(new Endpoint(name, host, port));
        }
        return out;
    }

    private static Set<String> names(String list) {
        Set<String> out = new HashSet<>();
        for (String n : list.split(",")) {
            if (!n.isBlank()) {
                out.add(n.trim().toUpperCase(java.util.Locale.ROOT));
            }
        }
        return out;
    }

    private static Map<String, String> protocolMap(String map) {
        Map<String, String> out = new HashMap<>();
        for (String pair : map.split(",")) {
            int colon = pair.indexOf(':');
            if (colon > 0) {
                out.put(pair.substring(0, colon).trim().toUpperCase(java.util.Locale.ROOT),
                        pair.substring(colon + 1).trim().toUpperCase(java.util.Locale.ROOT));
            }
        }
        return out;
    }
}
