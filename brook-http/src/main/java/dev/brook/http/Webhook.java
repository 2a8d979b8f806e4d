package dev.brook.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.util.regex.Pattern;

/**
 * One webhook subscription: every record of {@code topic} is POSTed to {@code url}, in order per partition, at least
 * once. Its JSON form, in the API and in the store ({@code secret} is never shown by the API):
 * <pre>
 *   {"name": "orders-to-crm", "topic": "orders", "url": "https://crm.example.com/hooks/orders", "secret": "s3cr3t",
 *    "timeout_ms": 10000, "max_attempts": 10, "initial_backoff_ms": 1000, "max_backoff_ms": 60000,
 *    "dead_letter_topic": "orders-to-crm-dlq", "from": "latest"}
 * </pre>
 * All but {@code name}, {@code topic} and {@code url} have these defaults. Progress is kept by the consumer group
 * {@link #group()}, so {@code brook groups describe brook-webhook-<name>} shows the lag.
 */
record Webhook(String name, String topic, String url, String secret, long timeoutMs, int maxAttempts, long initialBackoffMs,
               long maxBackoffMs, String deadLetterTopic, String from) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,200}");

    String group() {
        return "brook-webhook-" + name;
    }

    /** A subscription from its JSON, with defaults filled in. */
    static Webhook fromJson(JsonNode j) {
        String name = text(j, "name", null);
        if (name == null || !NAME.matcher(name).matches()) {
            throw HttpError.badRequest("name is required: letters, digits, '.', '_' and '-', at most 200");
        }
        String topic = text(j, "topic", null);
        if (topic == null) {
            throw HttpError.badRequest("topic is required");
        }
        String url = text(j, "url", null);
        try {
            URI u = url == null ? null : URI.create(url);
            if (u == null || u.getHost() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))) {
                throw HttpError.badRequest("url must be an http:// or https:// URL");
            }
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("url is not a URL: " + url);
        }
        long timeoutMs = number(j, "timeout_ms", 10_000, 1, 300_000);
        int maxAttempts = (int) number(j, "max_attempts", 10, 1, 1_000);
        long initialBackoffMs = number(j, "initial_backoff_ms", 1_000, 1, 3_600_000);
        long maxBackoffMs = number(j, "max_backoff_ms", 60_000, initialBackoffMs, 86_400_000);
        String from = text(j, "from", "latest");
        if (!from.equals("latest") && !from.equals("earliest")) {
            throw HttpError.badRequest("from must be earliest or latest");
        }
        return new Webhook(name, topic, url, text(j, "secret", null), timeoutMs, maxAttempts, initialBackoffMs, maxBackoffMs,
                text(j, "dead_letter_topic", name + "-dlq"), from);
    }

    /** Its JSON form; with {@code withSecret} false, only whether there is one. */
    ObjectNode toJson(boolean withSecret) {
        ObjectNode j = Exchange.JSON.createObjectNode().put("name", name).put("topic", topic).put("url", url);
        if (withSecret) {
            j.put("secret", secret);
        } else {
            j.put("signed", secret != null);
        }
        return j.put("timeout_ms", timeoutMs).put("max_attempts", maxAttempts).put("initial_backoff_ms", initialBackoffMs)
                .put("max_backoff_ms", maxBackoffMs).put("dead_letter_topic", deadLetterTopic).put("from", from)
                .put("consumer_group", group());
    }

    private static String text(JsonNode j, String field, String fallback) {
        JsonNode v = j.get(field);
        return v == null || v.isNull() ? fallback : v.asText();
    }

    private static long number(JsonNode j, String field, long fallback, long min, long max) {
        JsonNode v = j.get(field);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (!v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
            throw HttpError.badRequest(field + " must be a number from " + min + " to " + max);
        }
        return v.longValue();
    }
}
