package dev.brook.it;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * One plain TCP connection to the broker on loopback, speaking Kafka framing by hand: a 4-byte big-endian size,
 * then that many bytes. Used to send what a well-behaved client never would (garbage, oversized frames, unknown
 * API keys, half frames) and to read exactly what the broker answers.
 *
 * <p>Not thread-safe: one test thread owns it. Every read is bounded by {@code readTimeout}.
 */
final class RawConnection implements AutoCloseable {

    private final Socket socket;
    private final OutputStream out;
    private final DataInputStream in;

    private RawConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = new DataInputStream(socket.getInputStream());
    }

    /** Connects to {@code host:port} (from {@code bootstrap.servers}) within five seconds. */
    static RawConnection open(String bootstrapServers, Duration readTimeout) throws IOException {
        int colon = bootstrapServers.lastIndexOf(':');
        String host = bootstrapServers.substring(0, colon);
        int port = Integer.parseInt(bootstrapServers.substring(colon + 1));
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(host, port), 5_000);
            socket.setSoTimeout(Math.toIntExact(readTimeout.toMillis()));
            socket.setTcpNoDelay(true);
            return new RawConnection(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Writes raw bytes as they are: no size prefix is added. */
    void writeRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Writes one frame: the size prefix, then {@code payload}. */
    void writeFrame(byte[] payload) throws IOException {
        ByteBuffer frame = ByteBuffer.allocate(4 + payload.length);
        frame.putInt(payload.length).put(payload);
        writeRaw(frame.array());
    }

    /** Serializes {@code request} with kafka-clients' own header encoding and sends it as one frame. */
    void send(AbstractRequest request, RequestHeader header) throws IOException {
        ByteBuffer serialized = request.serializeWithHeader(header);
        byte[] payload = new byte[serialized.remaining()];
        serialized.get(payload);
        writeFrame(payload);
    }

    /** Sends {@code request} and parses the response the broker returns for it (header included). */
    AbstractResponse roundTrip(AbstractRequest request, RequestHeader header) throws IOException {
        send(request, header);
        return AbstractResponse.parseResponse(ByteBuffer.wrap(readFrame()), header);
    }

    /**
     * Asks the broker (ApiVersions v3) which versions of {@code api} it serves and returns the highest one that
     * kafka-clients can also speak, so raw requests use a version any compatible broker accepts.
     */
    short highestCommonVersion(ApiKeys api) throws IOException {
        ApiVersionsResponse versions = (ApiVersionsResponse) roundTrip(new ApiVersionsRequest.Builder().build((short) 3),
                new RequestHeader(ApiKeys.API_VERSIONS, (short) 3, "brook-it", Integer.MAX_VALUE));
        ApiVersionsResponseData.ApiVersion served = versions.apiVersion(api.id);
        if (served == null) {
            throw new IOException("broker does not serve " + api);
        }
        return (short) Math.min(served.maxVersion(), api.latestVersion());
    }

    /** Reads one whole response frame and returns it without its size prefix. */
    byte[] readFrame() throws IOException {
        int size = in.readInt();
        if (size < 0 || size > 64 * 1024 * 1024) {
            throw new IOException("implausible response frame size " + size);
        }
        byte[] payload = new byte[size];
        in.readFully(payload);
        return payload;
    }

    /**
     * Whether the broker closed this connection within {@code within}: true once a read sees end of stream or a
     * reset; false if the connection is still open (the read timed out) at the deadline. Any bytes the broker
     * sends before closing are skipped.
     */
    boolean closedByBroker(Duration within) throws IOException {
        long deadline = System.nanoTime() + within.toNanos();
        byte[] sink = new byte[4096];
        while (System.nanoTime() < deadline) {
            long leftMs = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            socket.setSoTimeout((int) Math.min(leftMs, Integer.MAX_VALUE));
            try {
                if (in.read(sink) < 0) {
                    return true;
                }
            } catch (SocketTimeoutException e) {
                return false;
            } catch (EOFException | SocketException e) {
                return true; // connection reset: closed just as well
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
