package dev.brook.http;

import java.util.Map;

/**
 * The gateway's limits, each with a documented default and a setting name ({@code brook server --set NAME=VALUE} or
 * the {@code --config} file), listed in {@link #NAMES}.
 *
 * @param maxBodyBytes       {@code brook.http.max.body.bytes}: the largest request body (and WebSocket message); a
 *                           larger one gets 413 and the connection is closed
 * @param maxStreams         {@code brook.http.max.streams}: event streams and WebSockets open at once; one more gets 503
 * @param maxGroupStreams    {@code brook.http.max.group.streams}: of those, event streams that are consumer-group
 *                           members (each holds a Kafka consumer and a thread); one more gets 503
 * @param streamBufferBytes  {@code brook.http.stream.buffer.bytes}: bytes queued for a slow reader before the stream
 *                           stops reading the log for it
 * @param stallTimeoutMs     {@code brook.http.stall.timeout.ms}: how long a reader may stay behind that buffer before
 *                           it is disconnected
 * @param heartbeatMs        {@code brook.http.heartbeat.ms}: how often an idle stream gets a keep-alive (a WebSocket a ping)
 */
public record HttpLimits(int maxBodyBytes, int maxStreams, int maxGroupStreams, int streamBufferBytes, long stallTimeoutMs,
                         long heartbeatMs) {

    /** The prefix of every gateway setting. */
    public static final String PREFIX = "brook.http.";

    /** Every setting name, in the order of the record's components. */
    public static final java.util.List<String> NAMES = java.util.List.of("brook.http.max.body.bytes", "brook.http.max.streams",
            "brook.http.max.group.streams", "brook.http.stream.buffer.bytes", "brook.http.stall.timeout.ms", "brook.http.heartbeat.ms");

    public HttpLimits {
        atLeast("brook.http.max.body.bytes", maxBodyBytes, 1024);
        atLeast("brook.http.max.streams", maxStreams, 0);
        atLeast("brook.http.max.group.streams", maxGroupStreams, 0);
        atLeast("brook.http.stream.buffer.bytes", streamBufferBytes, 1024);
        atLeast("brook.http.stall.timeout.ms", stallTimeoutMs, 1);
        atLeast("brook.http.heartbeat.ms", heartbeatMs, 10);
    }

    public static HttpLimits defaults() {
        return new HttpLimits(8 << 20, 10_000, 100, 1 << 20, 30_000, 15_000);
    }

    /**
     * These limits with the {@code brook.http.*} settings of {@code settings} applied; other keys are ignored.
     *
     * @throws IllegalArgumentException for an unknown {@code brook.http.*} name or a value that is not a number in range
     */
    public HttpLimits with(Map<String, String> settings) {
        int body = maxBodyBytes;
        int streams = maxStreams;
        int groupStreams = maxGroupStreams;
        int buffer = streamBufferBytes;
        long stall = stallTimeoutMs;
        long beat = heartbeatMs;
        for (Map.Entry<String, String> e : settings.entrySet()) {
            String k = e.getKey().trim();
            if (!k.startsWith(PREFIX) || k.equals(AllowedOrigins.NAME)) {
                continue;
            }
            String v = e.getValue().trim();
            switch (k) {
                case "brook.http.max.body.bytes" -> body = (int) number(k, v, Integer.MAX_VALUE);
                case "brook.http.max.streams" -> streams = (int) number(k, v, Integer.MAX_VALUE);
                case "brook.http.max.group.streams" -> groupStreams = (int) number(k, v, Integer.MAX_VALUE);
                case "brook.http.stream.buffer.bytes" -> buffer = (int) number(k, v, Integer.MAX_VALUE);
                case "brook.http.stall.timeout.ms" -> stall = number(k, v, Long.MAX_VALUE);
                case "brook.http.heartbeat.ms" -> beat = number(k, v, Long.MAX_VALUE);
                default -> throw new IllegalArgumentException("unknown HTTP gateway setting " + k + " (known: " + String.join(", ", NAMES)
                        + ", " + AllowedOrigins.NAME + ")");
            }
        }
        return new HttpLimits(body, streams, groupStreams, buffer, stall, beat);
    }

    private static long number(String key, String value, long max) {
        try {
            long n = Long.parseLong(value);
            if (n > max) {
                throw new IllegalArgumentException(key + " must be at most " + max + ", got " + value);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, got '" + value + "'");
        }
    }

    private static void atLeast(String key, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(key + " must be at least " + min + ", got " + value);
        }
    }
}
