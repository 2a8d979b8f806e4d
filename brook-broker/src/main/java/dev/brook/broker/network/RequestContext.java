package dev.brook.broker.network;

import io.netty.channel.EventLoop;
import java.net.SocketAddress;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Who asked, and on which connection: handed to every API handler with the request.
 *
 * @param header    the parsed request header (API key, version, correlation id, client id)
 * @param eventLoop the connection's event loop; a handler that completes later must not block it
 * @param remote    the client's address, for log lines
 * @param closed    completes when the connection closes (share sessions end with the connection that opened them)
 */
public record RequestContext(RequestHeader header, EventLoop eventLoop, SocketAddress remote, io.netty.util.concurrent.Future<?> closed) {
    public short apiVersion() {
        return header.apiVersion();
    }

    public String clientId() {
        return header.clientId();
    }
}
