package dev.brook.log;

import java.io.Closeable;
import java.util.concurrent.CompletableFuture;

/**
 * Group commit: one thread fsyncs logs on behalf of every waiting {@code acks=all} producer.
 * (Contract only; the storage engine fills it in.)
 */
public final class Flusher implements Closeable {

    public Flusher(String threadName) {
        throw new UnsupportedOperationException("storage engine pending");
    }

    /** Completes once {@code log.flushedOffset() >= offset}; exceptionally with a {@link LogException} if the fsync fails. */
    public CompletableFuture<Void> flushUpTo(Log log, long offset) { throw new UnsupportedOperationException(); }

    @Override
    public void close() { throw new UnsupportedOperationException(); }
}
