package dev.brook.http;

/**
 * The gateway's limits, each with a documented default.
 *
 * @param maxBodyBytes       the largest request body; a larger one gets 413 and the connection is closed
 * @param maxStreams         event streams (SSE) open at once; one more gets 503
 * @param streamBufferBytes  bytes queued for a slow stream reader before the stream stops reading the log for it
 * @param stallTimeoutMs     how long a stream may stay behind its buffer before it is closed
 * @param heartbeatMs        how often an idle stream gets a keep-alive comment
 */
public record HttpLimits(int maxBodyBytes, int maxStreams, int streamBufferBytes, long stallTimeoutMs, long heartbeatMs) {

    public static HttpLimits defaults() {
        return new HttpLimits(8 << 20, 10_000, 1 << 20, 30_000, 15_000);
    }
}
