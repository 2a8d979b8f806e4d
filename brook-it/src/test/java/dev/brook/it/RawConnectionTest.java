package dev.brook.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The raw-socket client BadInputTest relies on, checked against a plain ServerSocket on loopback: it must tell
 * "closed by the peer" from "still open", and frame bytes exactly.
 */
@Timeout(30)
class RawConnectionTest {

    @Test
    void seesAConnectionThePeerClosed() throws Exception {
        try (ServerSocket server = loopbackServer()) {
            CompletableFuture<Void> peer = CompletableFuture.runAsync(() -> {
                try (Socket s = server.accept()) {
                    new DataInputStream(s.getInputStream()).readInt(); // read the size prefix, then hang up
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (RawConnection connection = RawConnection.open(address(server), Duration.ofSeconds(5))) {
                connection.writeFrame(new byte[] {1, 2, 3});

                assertThat(connection.closedByBroker(Duration.ofSeconds(5))).isTrue();
            }
            peer.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void reportsAConnectionThatStaysOpenAsNotClosed() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        try (ServerSocket server = loopbackServer()) {
            CompletableFuture<Void> peer = CompletableFuture.runAsync(() -> {
                try (Socket s = server.accept()) {
                    s.setKeepAlive(false);
                    done.await(10, TimeUnit.SECONDS); // hold the connection open, saying nothing
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (RawConnection connection = RawConnection.open(address(server), Duration.ofSeconds(5))) {
                assertThat(connection.closedByBroker(Duration.ofMillis(300))).isFalse();
            } finally {
                done.countDown();
            }
            peer.get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void writesAndReadsSizePrefixedFrames() throws Exception {
        try (ServerSocket server = loopbackServer()) {
            CompletableFuture<Void> echo = CompletableFuture.runAsync(() -> {
                try (Socket s = server.accept()) {
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    byte[] payload = new byte[in.readInt()];
                    in.readFully(payload);
                    DataOutputStream out = new DataOutputStream(s.getOutputStream());
                    out.writeInt(payload.length);
                    out.write(payload);
                    out.flush();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try (RawConnection connection = RawConnection.open(address(server), Duration.ofSeconds(5))) {
                connection.writeFrame(new byte[] {9, 8, 7, 6});

                assertThat(connection.readFrame()).containsExactly(9, 8, 7, 6);
            }
            echo.get(5, TimeUnit.SECONDS);
        }
    }

    private static ServerSocket loopbackServer() throws Exception {
        return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    private static String address(ServerSocket server) {
        return "127.0.0.1:" + server.getLocalPort();
    }
}
