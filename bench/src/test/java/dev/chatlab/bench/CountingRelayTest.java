package dev.chatlab.bench;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class CountingRelayTest {
    private ServerSocket target;

    @BeforeEach
    void start() throws IOException {
        target = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    @AfterEach
    void stop() throws IOException {
        target.close();
    }

    /** The target reads everything until the client half-closes, then answers {@code reply} bytes and closes. */
    private CompletableFuture<Long> answerWith(int reply) {
        return CompletableFuture.supplyAsync(() -> {
            try (Socket socket = target.accept()) {
                long read = socket.getInputStream().transferTo(OutputStream.nullOutputStream());
                socket.getOutputStream().write(new byte[reply]);
                return read;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void the_relay_counts_every_byte_in_both_directions_and_passes_a_half_close_on() throws Exception {
        CompletableFuture<Long> targetRead = answerWith(2_500);
        try (CountingRelay relay = CountingRelay.start((InetSocketAddress) target.getLocalSocketAddress());
             Socket client = new Socket(InetAddress.getLoopbackAddress(), relay.address().getPort())) {
            client.getOutputStream().write(new byte[100_000]);
            client.shutdownOutput();
            InputStream in = client.getInputStream();
            long received = in.transferTo(OutputStream.nullOutputStream());

            assertThat(received).isEqualTo(2_500);
            assertThat(targetRead.get()).isEqualTo(100_000);
            assertThat(relay.bytesToServer()).isEqualTo(100_000);
            assertThat(relay.bytesToClient()).isEqualTo(2_500);
            assertThat(relay.bytes()).isEqualTo(102_500);
            assertThat(relay.connectionsAccepted()).isEqualTo(1);
            await("both directions ended, so the link is closed").atMost(ofSeconds(5)).until(() -> relay.connectionsOpen() == 0);
            assertThat(relay.upstreamPorts()).hasSize(1);
        }
    }

    @Test
    void closing_the_relay_cuts_the_connections_it_relays() throws Exception {
        CompletableFuture<Long> targetRead = answerWith(0);
        try (CountingRelay relay = CountingRelay.start((InetSocketAddress) target.getLocalSocketAddress());
             Socket client = new Socket(InetAddress.getLoopbackAddress(), relay.address().getPort())) {
            client.getOutputStream().write(new byte[10]);
            await("the connection is relayed").atMost(ofSeconds(5)).until(() -> relay.connectionsOpen() == 1 && relay.bytesToServer() == 10);

            relay.close();

            assertThat(client.getInputStream().read()).as("end of stream").isEqualTo(-1);
            assertThat(targetRead.get()).isEqualTo(10);
            assertThat(relay.connectionsOpen()).isZero();
        }
    }
}
