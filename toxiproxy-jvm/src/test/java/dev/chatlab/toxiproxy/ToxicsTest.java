package dev.chatlab.toxiproxy;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import eu.rekawek.toxiproxy.model.toxic.Bandwidth;
import eu.rekawek.toxiproxy.model.toxic.Latency;
import eu.rekawek.toxiproxy.model.toxic.Timeout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What each toxic does to the bytes, driven by the official client against a proxy in front of an echo server.
 * Timings are asserted as lower bounds only: a loaded machine may be slower, never faster.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ToxicsTest {
    private static ToxiproxyServer server;
    private static ToxiproxyClient client;
    private EchoServer echo;
    private Proxy proxy;

    @BeforeAll
    static void startServer() {
        server = ToxiproxyServer.start("127.0.0.1", 0);
        client = new ToxiproxyClient(server.host(), server.port());
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void startEchoBehindAProxy() throws IOException {
        echo = EchoServer.start();
        proxy = client.createProxy("echo", "127.0.0.1:0", echo.address());
    }

    @AfterEach
    void deleteProxy() throws IOException {
        proxy.delete();
        echo.close();
    }

    @ParameterizedTest
    @EnumSource(ToxicDirection.class)
    void latency_delays_the_data_by_at_least_the_latency(ToxicDirection stream) throws IOException {
        proxy.toxics().latency("slow", stream, 300);

        try (TcpClient peer = connect()) {
            long sentAt = System.nanoTime();
            peer.send("ping");

            awaitText(peer, "ping");
            assertThat(millisBetween(sentAt, peer.lastReadAt())).isGreaterThanOrEqualTo(300);
        }
    }

    @Test
    void jitter_never_takes_the_delay_below_latency_minus_jitter() throws IOException {
        proxy.toxics().latency("shaky", ToxicDirection.DOWNSTREAM, 300).setJitter(100);

        try (TcpClient peer = connect()) {
            for (String word : List.of("one", "two", "three")) {
                String expected = peer.text() + word;
                long sentAt = System.nanoTime();
                peer.send(word);

                awaitText(peer, expected);
                assertThat(millisBetween(sentAt, peer.lastReadAt())).as(word).isGreaterThanOrEqualTo(200);
            }
        }
    }

    @Test
    void a_toxic_added_while_a_connection_is_open_acts_on_that_connection() throws IOException {
        try (TcpClient peer = connect()) {
            peer.send("before ");
            awaitText(peer, "before ");

            proxy.toxics().latency("late", ToxicDirection.DOWNSTREAM, 300);
            long sentAt = System.nanoTime();
            peer.send("after");

            awaitText(peer, "before after");
            assertThat(millisBetween(sentAt, peer.lastReadAt())).isGreaterThanOrEqualTo(300);
        }
    }

    @Test
    void an_updated_toxic_acts_on_open_connections_with_its_new_settings() throws IOException {
        Latency latency = proxy.toxics().latency("tunable", ToxicDirection.UPSTREAM, 0);
        try (TcpClient peer = connect()) {
            peer.send("fast ");
            awaitText(peer, "fast ");

            latency.setLatency(300);
            long sentAt = System.nanoTime();
            peer.send("slow");

            awaitText(peer, "fast slow");
            assertThat(millisBetween(sentAt, peer.lastReadAt())).isGreaterThanOrEqualTo(300);
        }
    }

    @ParameterizedTest
    @EnumSource(ToxicDirection.class)
    void a_timeout_of_zero_swallows_data_and_removing_it_closes_the_connections_it_held(ToxicDirection stream)
            throws IOException {
        try (TcpClient held = connect()) {
            held.send("before ");
            awaitText(held, "before ");
            Timeout blackHole = proxy.toxics().timeout("black-hole", stream, 0);

            held.send("lost");

            await("nothing comes back and the connection stays open").during(ofMillis(500)).atMost(ofSeconds(3))
                    .until(() -> held.text().equals("before ") && !held.hasEnded());
            if (stream == ToxicDirection.UPSTREAM) {
                assertThat(echo.received()).isEqualTo("before ");
            }

            blackHole.remove();

            await("the held connection is closed").atMost(ofSeconds(5)).until(held::hasEnded);
            assertThat(held.text()).isEqualTo("before ");
        }
        try (TcpClient fresh = connect()) {
            fresh.send("again");
            awaitText(fresh, "again");
        }
    }

    @ParameterizedTest
    @EnumSource(ToxicDirection.class)
    void a_timeout_swallows_data_and_closes_the_connection_no_sooner_than_the_timeout(ToxicDirection stream)
            throws IOException {
        long addedAt = System.nanoTime();
        proxy.toxics().timeout("cut", stream, 300);

        try (TcpClient peer = connect()) {
            peer.send("lost");

            await("the connection is closed").atMost(ofSeconds(5)).until(peer::hasEnded);
            assertThat(peer.text()).isEmpty();
            assertThat(millisBetween(addedAt, peer.endedAt())).isGreaterThanOrEqualTo(300);
        }
    }

    @ParameterizedTest
    @EnumSource(ToxicDirection.class)
    void reset_peer_resets_the_connection_as_soon_as_data_flows(ToxicDirection stream) throws IOException {
        proxy.toxics().resetPeer("rst", stream, 0);

        try (TcpClient peer = connect()) {
            peer.send("knock");

            await("the connection is reset").atMost(ofSeconds(5)).until(peer::hasEnded);
            assertThat(peer.ending()).isEqualTo(TcpClient.Ending.RESET);
            assertThat(peer.text()).isEmpty();
        }
    }

    @Test
    void reset_peer_with_a_timeout_resets_no_sooner_than_the_timeout_and_delivers_nothing() throws IOException {
        proxy.toxics().resetPeer("late-rst", ToxicDirection.UPSTREAM, 300);

        try (TcpClient peer = connect()) {
            long sentAt = System.nanoTime();
            peer.send("knock");

            await("the connection is reset").atMost(ofSeconds(5)).until(peer::hasEnded);
            assertThat(peer.ending()).isEqualTo(TcpClient.Ending.RESET);
            assertThat(millisBetween(sentAt, peer.endedAt())).isGreaterThanOrEqualTo(300);
            assertThat(echo.received()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(ToxicDirection.class)
    void bandwidth_zero_holds_the_data_until_the_toxic_is_removed(ToxicDirection stream) throws IOException {
        try (TcpClient peer = connect()) {
            Bandwidth dam = proxy.toxics().bandwidth("dam", stream, 0);
            peer.send("held");

            await("nothing comes through while the toxic holds").during(ofMillis(500)).atMost(ofSeconds(3))
                    .until(() -> peer.text().isEmpty() && !peer.hasEnded());

            dam.remove();

            awaitText(peer, "held");
            peer.send(" and more");
            awaitText(peer, "held and more");
            assertThat(peer.hasEnded()).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(ToxicDirection.class)
    void a_positive_bandwidth_passes_all_the_data_but_no_faster_than_its_rate(ToxicDirection stream)
            throws IOException {
        proxy.toxics().bandwidth("thin", stream, 10); // KB/s: 5,000 bytes take at least half a second
        byte[] payload = new byte[5_000];
        Arrays.fill(payload, (byte) 'x');

        try (TcpClient peer = connect()) {
            long sentAt = System.nanoTime();
            peer.send(payload);

            await("every byte").atMost(ofSeconds(10)).until(() -> peer.byteCount() == payload.length);
            assertThat(peer.text()).isEqualTo(new String(payload, StandardCharsets.US_ASCII));
            assertThat(millisBetween(sentAt, peer.lastReadAt())).isGreaterThanOrEqualTo(400);
        }
    }

    @Test
    void limit_data_downstream_delivers_that_many_bytes_then_closes_the_connection() throws IOException {
        proxy.toxics().limitData("cap", ToxicDirection.DOWNSTREAM, 5);

        try (TcpClient peer = connect()) {
            peer.send("hello world");

            await("the connection is closed").atMost(ofSeconds(5)).until(peer::hasEnded);
            assertThat(peer.text()).isEqualTo("hello");
            assertThat(peer.ending()).isEqualTo(TcpClient.Ending.EOF);
        }
    }

    @Test
    void limit_data_upstream_lets_that_many_bytes_reach_the_server_then_closes_the_connection() throws IOException {
        proxy.toxics().limitData("cap", ToxicDirection.UPSTREAM, 5);

        try (TcpClient peer = connect()) {
            peer.send("hello world");

            await("the connection is closed").atMost(ofSeconds(5)).until(peer::hasEnded);
            await("the server got the first five bytes").atMost(ofSeconds(5))
                    .untilAsserted(() -> assertThat(echo.received()).isEqualTo("hello"));
            assertThat("hello").startsWith(peer.text());
        }
    }

    @Test
    void a_toxic_with_toxicity_zero_never_acts() throws IOException {
        Timeout blackHole = proxy.toxics().timeout("never", ToxicDirection.DOWNSTREAM, 0);
        blackHole.setToxicity(0f);

        assertThat(blackHole.getToxicity()).isZero();
        for (int i = 0; i < 5; i++) {
            try (TcpClient peer = connect()) {
                peer.send("through " + i);
                awaitText(peer, "through " + i);
            }
        }
    }

    @Test
    void two_hundred_connections_at_once_all_get_their_echo_and_deleting_the_proxy_releases_their_threads()
            throws IOException {
        proxy.toxics().latency("busy", ToxicDirection.DOWNSTREAM, 50);
        List<TcpClient> peers = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                TcpClient peer = connect();
                peers.add(peer);
                peer.send("peer " + i);
            }
            await("every echo").atMost(ofSeconds(10)).untilAsserted(() -> {
                for (int i = 0; i < peers.size(); i++) {
                    assertThat(peers.get(i).text()).as("peer " + i).isEqualTo("peer " + i);
                }
            });

            proxy.delete();
            proxy = client.createProxy("echo", "127.0.0.1:0", echo.address());

            await("every client sees its connection closed").atMost(ofSeconds(10))
                    .until(() -> peers.stream().allMatch(TcpClient::hasEnded));
            await("no thread still works for the deleted proxy").atMost(ofSeconds(10))
                    .until(() -> Thread.getAllStackTraces().keySet().stream()
                            .noneMatch(thread -> thread.getName().startsWith("proxy echo /")));
        } finally {
            for (TcpClient peer : peers) {
                peer.close();
            }
        }
    }

    private TcpClient connect() throws IOException {
        String listen = proxy.getListen();
        return TcpClient.connect(Integer.parseInt(listen.substring(listen.lastIndexOf(':') + 1)));
    }

    private static void awaitText(TcpClient peer, String expected) {
        await("'" + expected + "' through the proxy").atMost(ofSeconds(5))
                .failFast("the connection ended", peer::hasEnded)
                .untilAsserted(() -> assertThat(peer.text()).isEqualTo(expected));
    }

    private static long millisBetween(long startNanos, long endNanos) {
        return TimeUnit.NANOSECONDS.toMillis(endNanos - startNanos);
    }
}
