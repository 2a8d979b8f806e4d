package dev.brook.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;

/**
 * The gateway's pages, from the classpath ({@code dev/brook/http/}): {@code /tail?topic=NAME}, a live tail of a topic
 * through Server-Sent Events, with a form that publishes through the WebSocket. Each page is read once.
 */
final class StaticPages {
    private final byte[] tail = load("tail.html");

    CompletableFuture<Reply> tail(Exchange x) {
        return CompletableFuture.completedFuture(Reply.page(tail));
    }

    private static byte[] load(String name) {
        try (InputStream in = StaticPages.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("dev/brook/http/" + name + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
