package dev.brook.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.cors.CorsConfig;
import io.netty.handler.codec.http.cors.CorsConfigBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which web pages may use the gateway from a browser: {@code brook.http.cors.allowed.origins}, a comma-separated list
 * of origins ({@code http://localhost:3000}), or {@code *} for any. None by default, and then:
 * <ul>
 *   <li>no CORS headers are sent, so a page from another origin can neither read REST answers nor an event stream
 *       (the browser stops it), and cannot send the JSON produce requests, whose preflight fails;</li>
 *   <li>a request that changes something, sent by a page of another origin, is refused with 403
 *       ({@link #allowsChange}): a WebSocket handshake (browsers do not apply CORS to WebSockets, so without this any
 *       page a developer opened could publish to the broker), a consumer-group event stream (it commits what it
 *       sends, so a page that throws the answer away would take records from the group), and every POST, PUT, PATCH
 *       or DELETE (a form or a {@code text/plain} fetch needs no preflight). Clients that are not browsers send no
 *       {@code Origin} and are not affected.</li>
 * </ul>
 * Pages the gateway serves itself ({@code /tail}) are same-origin and always allowed.
 */
public final class AllowedOrigins {
    /** The setting's name. */
    public static final String NAME = "brook.http.cors.allowed.origins";

    private final boolean any;
    private final List<String> origins;

    private AllowedOrigins(boolean any, List<String> origins) {
        this.any = any;
        this.origins = List.copyOf(origins);
    }

    /** No other origin: the default. */
    public static AllowedOrigins none() {
        return new AllowedOrigins(false, List.of());
    }

    /**
     * From {@link #NAME} in {@code settings} (absent: {@link #none}).
     *
     * @throws IllegalArgumentException for an entry that is not {@code *} or a {@code scheme://host[:port]} origin
     */
    public static AllowedOrigins from(Map<String, String> settings) {
        String value = settings.get(NAME);
        if (value == null || value.isBlank()) {
            return none();
        }
        List<String> list = new ArrayList<>();
        for (String part : value.split(",")) {
            String o = part.trim();
            if (o.isEmpty()) {
                continue;
            }
            if (o.equals("*")) {
                return new AllowedOrigins(true, List.of());
            }
            if (!o.matches("(?i)https?://[^/\\s]+")) {
                throw new IllegalArgumentException(NAME + " must be * or origins such as http://localhost:3000 (scheme://host[:port], no path),"
                        + " separated by commas; got '" + o + "'");
            }
            list.add(o.toLowerCase(Locale.ROOT));
        }
        return new AllowedOrigins(false, list);
    }

    /** Whether a CORS handler is needed at all. */
    boolean any() {
        return any || !origins.isEmpty();
    }

    /** Netty's CORS configuration for these origins (call only when {@link #any()}). */
    CorsConfig corsConfig() {
        CorsConfigBuilder b = any ? CorsConfigBuilder.forAnyOrigin() : CorsConfigBuilder.forOrigins(origins.toArray(String[]::new));
        return b.allowedRequestMethods(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE)
                .allowedRequestHeaders(HttpHeaderNames.CONTENT_TYPE, HttpHeaderNames.ACCEPT, "Last-Event-ID")
                .maxAge(600)
                .build();
    }

    /**
     * Whether a request that changes something (a WebSocket handshake, a consumer-group event stream, any method but
     * GET, HEAD and OPTIONS) may go on: from no browser at all (no {@code Origin}, no cross-site
     * {@code Sec-Fetch-Site}), from the gateway's own origin (the {@code Host} it was reached at), or from an allowed
     * one. A browser sends no {@code Origin} on a simple cross-site GET, but it says {@code Sec-Fetch-Site}.
     */
    boolean allowsChange(String origin, String secFetchSite, String host) {
        if (any) {
            return true;
        }
        if (origin == null) {
            return secFetchSite == null || secFetchSite.equalsIgnoreCase("same-origin") || secFetchSite.equalsIgnoreCase("none");
        }
        String o = origin.trim().toLowerCase(Locale.ROOT);
        if (host != null) {
            String h = host.trim().toLowerCase(Locale.ROOT);
            if (o.equals("http://" + h) || o.equals("https://" + h)) {
                return true;
            }
        }
        return origins.contains(o);
    }

    @Override
    public String toString() {
        return any ? "*" : String.join(",", origins);
    }
}
