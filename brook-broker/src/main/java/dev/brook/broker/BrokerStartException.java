package dev.brook.broker;

/** The broker could not start: its data directory or listen address is unusable. The message says which. */
public class BrokerStartException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BrokerStartException(String message, Throwable cause) {
        super(message, cause);
    }
}
