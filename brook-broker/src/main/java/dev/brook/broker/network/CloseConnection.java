package dev.brook.broker.network;

/**
 * Completing a request with this closes the connection instead of answering: the protocol's way to tell
 * an acks=0 producer, which gets no response, that its produce failed.
 */
public final class CloseConnection extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CloseConnection(String reason) {
        super(reason, null, false, false);
    }
}
