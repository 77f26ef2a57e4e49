package dev.chatlab.chat;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.awaitility.Awaitility.await;

import dev.chatlab.testkit.ChatClient;
import dev.chatlab.testkit.Frames;
import dev.chatlab.testkit.HttpJson;
import dev.chatlab.testkit.RawWebSocket;
import dev.chatlab.testkit.redis.RedisServer;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** Step 5's node lifecycle (readiness, drain, silent clients, metrics) and step 6's bound on slow consumers. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class NodeLifecycleTest {

    @Test
    void ready_turns_503_when_the_node_loses_redis_and_200_when_redis_returns() {
        try (Cluster cluster = Cluster.start(1)) {
            ChatServer node = cluster.node(1);
            assertThat(HttpJson.get(node.httpUri(), "ready").status()).isEqualTo(200);
            cluster.redis.kill();
            await("/ready says 503").atMost(ofSeconds(10)).untilAsserted(() -> {
                HttpJson.Response ready = HttpJson.get(node.httpUri(), "ready");
                assertThat(ready.status()).isEqualTo(503);
                assertThat(ready.body().path("ready").asBoolean()).isFalse();
            });
            assertThat(HttpJson.get(node.httpUri(), "health").status()).as("still alive").isEqualTo(200);
            cluster.redis.restart();
            await("/ready says 200 again").atMost(ofSeconds(15))
                    .until(() -> HttpJson.get(node.httpUri(), "ready").status() == 200);
        }
    }

    @Test
    void a_drain_says_503_then_closes_every_client_with_1012_and_sends_late_arrivals_on() throws Exception {
        Duration window = Duration.ofSeconds(2);
        try (Cluster cluster = Cluster.start(1, c -> c.withDrain(ofMillis(300), window, ofSeconds(20)))) {
            ChatServer node = cluster.node(1);
            List<ChatClient> clients = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                clients.add(ChatClient.connect("c" + i, node.wsUri()).joinAndWait("drain"));
            }
            int status = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + node.adminPort() + "/admin/drain"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            assertThat(status).isEqualTo(202);
            assertThat(HttpJson.get(node.httpUri(), "ready").status()).isEqualTo(503);

            await("every client is closed").atMost(ofSeconds(15))
                    .until(() -> clients.stream().allMatch(ChatClient::isClosed));
            assertThat(clients).extracting(ChatClient::closeCode).containsOnly(1012);
            CompletableFuture<String> drained = node.drain();
            assertThat(drained.get()).isEqualTo("every client left");
            // attempt, not connect: the 1012 may come so soon after the 101 that the socket is closed before connect returns.
            try (ChatClient late = ChatClient.attempt(node.wsUri(), Map.of())) {
                assertThat(late.awaitClose(ofSeconds(5))).as("a client arriving during the drain is sent on").isEqualTo(1012);
            }
        }
    }

    @Test
    void the_1012_closes_of_a_drain_are_spread_over_the_window_not_sent_at_once() {
        Duration window = Duration.ofSeconds(2);
        try (Cluster cluster = Cluster.start(1, c -> c.withDrain(ofMillis(100), window, ofSeconds(20)))) {
            ChatServer node = cluster.node(1);
            List<ChatClient> clients = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                clients.add(ChatClient.connect("c" + i, node.wsUri()).joinAndWait("spread"));
            }
            node.drain();
            await("some clients are closed").atMost(ofSeconds(5)).pollInterval(ofMillis(10))
                    .until(() -> clients.stream().anyMatch(ChatClient::isClosed));
            assertThat(clients.stream().filter(ChatClient::isOpen).count())
                    .as("half a window later, others are still open").isPositive();
            await("all closed by the end of the window").atMost(ofSeconds(10))
                    .until(() -> clients.stream().allMatch(ChatClient::isClosed));
        }
    }

    @Test
    void a_slow_consumer_is_closed_with_4008_while_the_rest_of_its_room_keeps_receiving() {
        try (Cluster cluster = Cluster.start(1, c -> c.withMaxQueuedBytes(256 * 1024));
             ChatClient alice = ChatClient.connect("alice", cluster.node(1).wsUri()).joinAndWait("flood");
             ChatClient bob = ChatClient.connect("bob", cluster.node(1).wsUri()).joinAndWait("flood");
             RawWebSocket sloth = RawWebSocket.connect(cluster.node(1).wsUri(), 4096)) {
            sloth.sendText(Frames.join("flood"));
            // The sloth never reads: its TCP buffers fill, then the node's queue for it, until the limit.
            String big = "x".repeat(4000);
            int total = 2000;
            IntStream.range(0, total).forEach(i -> alice.say(i + " " + big));
            await("bob receives every message").atMost(ofSeconds(60))
                    .failFast("bob was disconnected", bob::isClosed)
                    .until(() -> bob.texts().size() == total);
            assertThat(alice.isOpen() && bob.isOpen()).isTrue();
            await("the node counts one slow consumer").atMost(ofSeconds(10))
                    .until(() -> metric(cluster.node(1), "chat_connections_slow_closed_total") >= 1);
            OptionalInt code = sloth.readUntilClose();
            assertThat(code).as("the sloth finds a 4008 close at the end of what it was sent").hasValue(4008);
        }
    }

    @Test
    void a_client_that_sent_heartbeats_and_went_silent_is_dropped_after_the_client_timeout() {
        try (Cluster cluster = Cluster.start(1, c -> c.withClientTimeout(ofMillis(900)));
             RawWebSocket ghost = RawWebSocket.connect(cluster.node(1).wsUri(), 0);
             ChatClient quiet = ChatClient.connect("quiet", cluster.node(1).wsUri())) {
            ghost.sendText(Frames.ping());
            await("the ghost is dropped").atMost(ofSeconds(10)).until(ghost::isClosedByPeer);
            assertThat(metric(cluster.node(1), "chat_connections_dead_closed_total")).isEqualTo(1);
            await("a client that never promised heartbeats is left alone").during(ofMillis(1500)).atMost(ofSeconds(3))
                    .until(quiet::isOpen);
        }
    }

    @Test
    void metrics_show_connections_messages_latency_and_errors_in_prometheus_format() {
        try (Cluster cluster = Cluster.start(1);
             ChatClient alice = ChatClient.connect("alice", cluster.node(1).wsUri()).joinAndWait("numbers")) {
            alice.say("one");
            alice.sendRaw("not json");
            await("both answered").atMost(ofSeconds(5)).until(() -> alice.texts().size() == 1 && alice.errorCodes().size() == 1);
            String body = HttpJson.get(cluster.node(1).httpUri(), "metrics").body().asText();
            assertThat(body).contains(
                    "chat_connections{node=\"node-1\"} 1.0",
                    "chat_messages_published_total{node=\"node-1\"} 1.0",
                    "chat_messages_delivered_total{node=\"node-1\"} 1.0",
                    "chat_errors_total{code=\"bad_json\",node=\"node-1\"} 1.0",
                    "chat_delivery_latency_seconds_count{node=\"node-1\"} 1",
                    "chat_redis_subscribed{node=\"node-1\"} 1.0");
        }
    }

    @Test
    void an_unavailable_send_names_its_clientMsgId_so_the_client_can_retry_it() {
        try (Cluster cluster = Cluster.start(1);
             ChatClient alice = ChatClient.connect("alice", cluster.node(1).wsUri()).joinAndWait("retry")) {
            cluster.redis.kill();
            alice.sendRaw(Frames.message("please store me", "alice-7"));
            await("unavailable").atMost(ofSeconds(10)).until(() -> !alice.errorCodes().isEmpty());
            assertThat(alice.framesOfType("error").get(0).path("payload").path("clientMsgId").asText()).isEqualTo("alice-7");
        }
    }

    @Test
    void the_drain_endpoint_answers_on_loopback_only() {
        try (Cluster cluster = Cluster.start(1)) {
            int adminPort = cluster.node(1).adminPort();
            assertThat(connects(InetAddress.getLoopbackAddress(), adminPort)).isTrue();
            Optional<InetAddress> outside = nonLoopbackAddress();
            assumeTrue(outside.isPresent(), "this machine has no non-loopback address");
            assertThat(connects(outside.get(), adminPort)).as("admin port via " + outside.get()).isFalse();
        }
    }

    private static boolean connects(InetAddress address, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Optional<InetAddress> nonLoopbackAddress() {
        try {
            return NetworkInterface.networkInterfaces().filter(i -> {
                try {
                    return i.isUp() && !i.isLoopback();
                } catch (SocketException e) {
                    return false;
                }
            }).flatMap(NetworkInterface::inetAddresses).filter(a -> a instanceof Inet4Address).findFirst();
        } catch (SocketException e) {
            return Optional.empty();
        }
    }

    private static double metric(ChatServer node, String line) {
        String body = HttpJson.get(node.httpUri(), "metrics").body().asText();
        return body.lines().filter(l -> l.startsWith(line + "{") || l.startsWith(line + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }
}
