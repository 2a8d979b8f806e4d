package dev.brook.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * One HTTP request as a resource sees it: method, path parameters, query parameters, headers and the whole body,
 * and the channel it came on (for the streams that answer with more than one response body).
 *
 * <p>Owned by the connection's event loop.
 */
final class Exchange {
    static final ObjectMapper JSON = new ObjectMapper();

    final ChannelHandlerContext ctx;
    final HttpRequest request;
    final Map<String, String> pathParams;
    private final QueryStringDecoder query;
    private final byte[] body;

    Exchange(ChannelHandlerContext ctx, HttpRequest request, Map<String, String> pathParams, byte[] body) {
        this.ctx = ctx;
        this.request = request;
        this.pathParams = pathParams;
        this.query = new QueryStringDecoder(request.uri());
        this.body = body;
    }

    HttpMethod method() {
        return request.method();
    }

    String path(String name) {
        return pathParams.get(name);
    }

    /** A query parameter, or {@code fallback} when absent. */
    String query(String name, String fallback) {
        List<String> values = query.parameters().get(name);
        return values == null || values.isEmpty() ? fallback : values.get(0);
    }

    String header(CharSequence name) {
        return request.headers().get(name);
    }

    byte[] body() {
        return body;
    }

    /**
     * The body as a JSON object.
     *
     * @throws HttpError 415 if the content type is not JSON, 400 if the body is not one JSON object
     */
    ObjectNode jsonBody() {
        requireJson();
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || !node.isObject()) {
                throw HttpError.badRequest("the request body must be a JSON object");
            }
            return (ObjectNode) node;
        } catch (IOException e) {
            throw HttpError.badRequest("the request body is not valid JSON: " + firstLine(e.getMessage()));
        }
    }

    void requireJson() {
        String type = header(HttpHeaderNames.CONTENT_TYPE);
        String media = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
        if (!media.equals("application/json") && !media.matches("application/[a-z0-9.+-]+\\+json")) {
            throw new HttpError(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "the request body must be JSON (Content-Type: "
                    + "application/json), not " + (type == null ? "untyped" : type));
        }
    }

    static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
