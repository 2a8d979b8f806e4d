package dev.brook.client;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Brook's request-reply convention, two record headers that any client in any language can set and read:
 * <ul>
 *   <li>{@code reply-to}: on a request, the topic (UTF-8) the reply goes to;</li>
 *   <li>{@code correlation-id}: on a request, an id (any bytes; {@link Requester} uses a random UUID in UTF-8) that
 *       the reply carries back unchanged, so the requester can match it.</li>
 * </ul>
 * A responder reads a request, writes its reply to the {@code reply-to} topic with the same {@code correlation-id},
 * and ignores requests without a {@code reply-to}. Replies are ordinary records: key, value and other headers are the
 * responder's to choose.
 */
public final class ReplyHeaders {
    public static final String REPLY_TO = "reply-to";
    public static final String CORRELATION_ID = "correlation-id";

    private ReplyHeaders() {
    }

    /** The {@code reply-to} topic of a request, or null. */
    public static String replyTo(Headers headers) {
        Header h = headers.lastHeader(REPLY_TO);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** The {@code correlation-id} of a request or reply, or null. */
    public static byte[] correlationId(Headers headers) {
        Header h = headers.lastHeader(CORRELATION_ID);
        return h == null ? null : h.value();
    }
}
