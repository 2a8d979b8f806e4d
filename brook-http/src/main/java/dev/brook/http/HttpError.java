package dev.brook.http;

import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * A request the gateway refuses, as the REST Proxy v3 reports it: an HTTP status and a body
 * {@code {"error_code": <int>, "message": "..."}}. The error code is the status, or the status followed by two digits
 * where the REST Proxy has a finer code (40401 for an unknown cluster, 40403 for an unknown topic or partition).
 * Thrown by the resources and turned into a response in one place, {@link HttpConnection}.
 */
final class HttpError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient HttpResponseStatus status;
    private final int errorCode;

    HttpError(HttpResponseStatus status, int errorCode, String message) {
        super(message);
        this.status = status;
        this.errorCode = errorCode;
    }

    HttpError(HttpResponseStatus status, String message) {
        this(status, status.code(), message);
    }

    HttpResponseStatus status() {
        return status;
    }

    int errorCode() {
        return errorCode;
    }

    static HttpError badRequest(String message) {
        return new HttpError(HttpResponseStatus.BAD_REQUEST, message);
    }

    static HttpError notFound(int errorCode, String message) {
        return new HttpError(HttpResponseStatus.NOT_FOUND, errorCode, message);
    }

    static HttpError unprocessable(String message) {
        return new HttpError(HttpResponseStatus.UNPROCESSABLE_ENTITY, message);
    }
}
