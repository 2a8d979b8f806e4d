package dev.brook.http;

import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The gateway's table of routes: a method and a path template ({@code /v3/clusters/{cluster_id}/topics}) to a
 * handler. Segments in braces match any one path segment and become path parameters; a template segment may end
 * with a literal suffix after a colon, as the REST Proxy's {@code configs:alter} does. Built once, read-only after.
 */
final class Router {

    /** Handles one request; completes with the response, or exceptionally with an {@link HttpError}. */
    @FunctionalInterface
    interface Handler {
        CompletableFuture<Reply> handle(Exchange exchange);
    }

    private record Route(HttpMethod method, String[] segments, Handler handler) {
    }

    /** The handler for a request and the path parameters it matched. */
    record Match(Handler handler, Map<String, String> params) {
    }

    private final List<Route> routes = new ArrayList<>();

    Router add(HttpMethod method, String template, Handler handler) {
        routes.add(new Route(method, split(template), handler));
        return this;
    }

    /**
     * The route for {@code method} and {@code path}.
     *
     * @throws HttpError 404 when no template matches the path, 405 when one does for another method
     */
    Match match(HttpMethod method, String path) {
        String[] segments = split(path);
        boolean pathKnown = false;
        for (Route route : routes) {
            Map<String, String> params = matchSegments(route.segments(), segments);
            if (params == null) {
                continue;
            }
            pathKnown = true;
            if (route.method().equals(method)) {
                return new Match(route.handler(), params);
            }
        }
        if (pathKnown) {
            throw new HttpError(io.netty.handler.codec.http.HttpResponseStatus.METHOD_NOT_ALLOWED, method + " is not allowed on " + path);
        }
        throw HttpError.notFound(404, "no such endpoint: " + path);
    }

    private static Map<String, String> matchSegments(String[] template, String[] path) {
        if (template.length != path.length) {
            return null;
        }
        Map<String, String> params = new HashMap<>();
        for (int i = 0; i < template.length; i++) {
            String t = template[i];
            String p = path[i];
            if (t.startsWith("{")) {
                int close = t.indexOf('}');
                String suffix = t.substring(close + 1);
                if (!p.endsWith(suffix) || p.length() == suffix.length()) {
                    return null;
                }
                params.put(t.substring(1, close), p.substring(0, p.length() - suffix.length()));
            } else if (!t.equals(p)) {
                return null;
            }
        }
        return params;
    }

    private static String[] split(String path) {
        String p = path;
        int q = p.indexOf('?');
        if (q >= 0) {
            p = p.substring(0, q);
        }
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.isEmpty()) {
            return new String[0];
        }
        String[] parts = p.split("/");
        for (int i = 0; i < parts.length; i++) {
            parts[i] = io.netty.handler.codec.http.QueryStringDecoder.decodeComponent(parts[i]);
        }
        return parts;
    }
}
