package dev.brook.broker;

import java.net.InetSocketAddress;

/**
 * A running Brook broker: the network listener, the topics and their logs. Start it with {@link #start};
 * {@link #close} shuts down cleanly (stops accepting, flushes every log, writes the clean-shutdown marker).
 */
public final class BrookBroker implements AutoCloseable {

    /** Starts a broker and returns once it accepts connections. */
    public static BrookBroker start(BrokerConfig config) {
        throw new UnsupportedOperationException("broker pending");
    }

    /** The address the listener is bound to (the real port when the config asked for 0). */
    public InetSocketAddress boundAddress() {
        throw new UnsupportedOperationException("broker pending");
    }

    /** {@code host:port}, ready for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        InetSocketAddress a = boundAddress();
        return a.getHostString() + ":" + a.getPort();
    }

    @Override
    public void close() {
        throw new UnsupportedOperationException("broker pending");
    }
}
