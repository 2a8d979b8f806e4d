package dev.brook.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * What a handler answers: a status and a JSON body (or none), or {@link #STREAMING} when the handler writes its own
 * response on the channel (event streams, streamed produce).
 */
record Reply(HttpResponseStatus status, JsonNode body) {
    static final Reply STREAMING = new Reply(null, null);
    static final Reply NO_CONTENT = new Reply(HttpResponseStatus.NO_CONTENT, null);

    static Reply ok(JsonNode body) {
        return new Reply(HttpResponseStatus.OK, body);
    }

    static Reply created(JsonNode body) {
        return new Reply(HttpResponseStatus.CREATED, body);
    }
}
