package dev.brook.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * What a handler answers: a status and a JSON body (or none), a page ({@code raw} bytes of {@code contentType}), or
 * {@link #STREAMING} when the handler writes its own response on the channel (event streams, streamed produce,
 * WebSockets).
 */
record Reply(HttpResponseStatus status, JsonNode body, byte[] raw, String contentType) {
    static final Reply STREAMING = new Reply(null, null, null, null);
    static final Reply NO_CONTENT = new Reply(HttpResponseStatus.NO_CONTENT, null, null, null);

    static Reply ok(JsonNode body) {
        return new Reply(HttpResponseStatus.OK, body, null, null);
    }

    static Reply created(JsonNode body) {
        return new Reply(HttpResponseStatus.CREATED, body, null, null);
    }

    static Reply page(byte[] html) {
        return new Reply(HttpResponseStatus.OK, null, html, "text/html; charset=utf-8");
    }
}
