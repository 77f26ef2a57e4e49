package dev.chatlab.testkit.haproxy;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.chatlab.testkit.process.Ports;
import dev.chatlab.testkit.process.Processes;
import dev.chatlab.testkit.process.WorkDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class HaproxyServerTest {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(ofSeconds(2)).build();

    private final List<AutoCloseable> started = new ArrayList<>();

    @AfterEach
    void stop_everything_started() throws Exception {
        for (AutoCloseable closeable : started) {
            closeable.close();
        }
    }

    private <T extends AutoCloseable> T started(T closeable) {
        started.add(0, closeable);
        return closeable;
    }

    private List<TinyNode> nodes(int count) {
        List<TinyNode> nodes = TinyNode.start(count);
        nodes.forEach(this::started);
        return nodes;
    }

    /** The name of the node that answered {@code GET pathAndQuery} through HAProxy. */
    private static String whoAnswers(HaproxyServer haproxy, String pathAndQuery) {
        URI uri = haproxy.httpUri().resolve(pathAndQuery);
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).timeout(ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("status of GET %s", uri).isEqualTo(200);
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + uri + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static List<String> whoAnswers(HaproxyServer haproxy, int requests) {
        return IntStream.range(0, requests).mapToObj(i -> whoAnswers(haproxy, "/who")).toList();
    }

    private static Map<String, String> placeRooms(HaproxyServer haproxy, int rooms) {
        Map<String, String> placement = new LinkedHashMap<>();
        for (int i = 1; i <= rooms; i++) {
            placement.put("room-" + i, whoAnswers(haproxy, "/?roomId=room-" + i));
        }
        return placement;
    }

    private static void awaitState(HaproxyServer haproxy, String node, String state) {
        await(node + " " + state + " in HAProxy's stats").atMost(ofSeconds(5)).pollInterval(ofMillis(100))
                .failFast("haproxy exited", () -> !haproxy.isRunning())
                .until(() -> state.equals(haproxy.nodeStates().get(node)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"haproxy.cfg", "haproxy-affinity.cfg"})
    void a_checked_in_config_passes_haproxys_own_check_without_warnings(String file) {
        String output = HaproxyServer.check(Path.of("..", "haproxy", file));

        assertThat(output).contains("Configuration file is valid").doesNotContain("WARNING").doesNotContain("ALERT");
    }

    @Test
    void an_invalid_config_is_reported_with_what_haproxy_said() throws IOException {
        Path broken = WorkDirs.create("haproxy-broken").resolve("haproxy.cfg");
        Files.writeString(broken, "defaults\n    mode http\n    balance fastest-one\n");

        assertThatThrownBy(() -> HaproxyServer.check(broken))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is not a valid HAProxy configuration")
                .hasMessageContaining("haproxy.cfg:3")
                .hasMessageContaining("balance only supports");
    }

    @Test
    void without_a_haproxy_binary_the_failure_says_how_to_get_one() {
        assertThatThrownBy(() -> HaproxyServer.requireBinary(Optional.empty()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("apt-get install haproxy")
                .hasMessageContaining("./lab test");
    }

    @Test
    void requests_are_spread_over_every_node() {
        List<TinyNode> nodes = nodes(3);
        HaproxyServer haproxy = started(HaproxyServer.start(TinyNode.addresses(nodes)));

        Map<String, Long> perNode = whoAnswers(haproxy, 30).stream()
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));

        assertThat(perNode).containsOnlyKeys("node-1", "node-2", "node-3");
        assertThat(perNode.values()).allSatisfy(count -> assertThat(count).isGreaterThanOrEqualTo(5));
        assertThat(haproxy.wsUri()).hasToString("ws://127.0.0.1:" + haproxy.port() + "/");
        assertThat(haproxy.httpUri()).hasToString("http://127.0.0.1:" + haproxy.port() + "/");
        assertThat(haproxy.statsUri()).hasToString("http://127.0.0.1:" + haproxy.statsPort() + "/");
    }

    @Test
    void a_node_whose_ready_turns_503_leaves_rotation_and_returns_when_it_is_ready_again() {
        List<TinyNode> nodes = nodes(3);
        HaproxyServer haproxy = started(HaproxyServer.start(TinyNode.addresses(nodes)));
        awaitState(haproxy, "node-2", "UP");

        nodes.get(1).ready(false);

        awaitState(haproxy, "node-2", "DOWN");
        assertThat(whoAnswers(haproxy, 20)).doesNotContain("node-2").contains("node-1", "node-3");

        nodes.get(1).ready(true);

        awaitState(haproxy, "node-2", "UP");
        assertThat(whoAnswers(haproxy, 20)).contains("node-1", "node-2", "node-3");
    }

    @Test
    void requests_to_a_node_that_just_died_are_retried_on_another_and_the_node_leaves_rotation_within_3_seconds() {
        List<TinyNode> nodes = nodes(3);
        HaproxyServer haproxy = started(HaproxyServer.start(TinyNode.addresses(nodes)));
        awaitState(haproxy, "node-3", "UP");

        nodes.get(2).close();
        long died = System.nanoTime();

        // HAProxy has not noticed yet: requests it sends to node-3 are refused and redispatched.
        assertThat(whoAnswers(haproxy, 9)).doesNotContain("node-3").contains("node-1", "node-2");
        await("node-3 DOWN in HAProxy's stats").atMost(ofSeconds(3).minusNanos(System.nanoTime() - died))
                .pollInterval(ofMillis(100))
                .until(() -> "DOWN".equals(haproxy.nodeStates().get("node-3")));
    }

    @Test
    void with_room_affinity_a_room_always_goes_to_the_same_node_and_rooms_spread_over_nodes() {
        List<TinyNode> nodes = nodes(3);
        HaproxyServer haproxy = started(HaproxyServer.start(Balancing.ROOM_AFFINITY, TinyNode.addresses(nodes)));

        Map<String, String> placement = placeRooms(haproxy, 60);

        assertThat(placeRooms(haproxy, 60)).as("the same rooms asked for again").isEqualTo(placement);
        assertThat(IntStream.range(0, 10).mapToObj(i -> whoAnswers(haproxy, "/?roomId=lobby")).distinct())
                .hasSize(1);
        assertThat(Set.copyOf(placement.values())).containsExactlyInAnyOrder("node-1", "node-2", "node-3");
    }

    @Test
    void with_room_affinity_only_the_rooms_of_a_dead_node_move() {
        List<TinyNode> nodes = nodes(3);
        HaproxyServer haproxy = started(HaproxyServer.start(Balancing.ROOM_AFFINITY, TinyNode.addresses(nodes)));
        Map<String, String> before = placeRooms(haproxy, 60);

        nodes.get(2).close();
        awaitState(haproxy, "node-3", "DOWN");
        Map<String, String> after = placeRooms(haproxy, 60);

        before.forEach((room, node) -> {
            if (node.equals("node-3")) {
                assertThat(after.get(room)).as(room + ", which was on the dead node-3").isIn("node-1", "node-2");
            } else {
                assertThat(after.get(room)).as(room + ", which was on " + node).isEqualTo(node);
            }
        });
    }

    @Test
    void a_websocket_opened_through_haproxy_carries_frames_both_ways() {
        EchoSocketNode node = started(new EchoSocketNode("node-1"));
        HaproxyServer haproxy = started(HaproxyServer.start(List.of(node.address())));
        RecordingListener listener = new RecordingListener();

        WebSocket socket = HTTP.newWebSocketBuilder().buildAsync(haproxy.wsUri(), listener).join();
        socket.sendText("hello", true).join();
        socket.sendText("again", true).join();

        await("both echoes").atMost(ofSeconds(5)).failFast("the socket closed", listener.closed::get)
                .untilAsserted(() -> assertThat(listener.texts).containsExactly("node-1: hello", "node-1: again"));
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
    }

    @Test
    void a_restart_keeps_the_ports_and_cuts_the_open_websockets() {
        EchoSocketNode node = started(new EchoSocketNode("node-1"));
        HaproxyServer haproxy = started(HaproxyServer.start(List.of(node.address())));
        int port = haproxy.port();
        int statsPort = haproxy.statsPort();
        long pid = haproxy.pid();
        RecordingListener listener = new RecordingListener();
        HTTP.newWebSocketBuilder().buildAsync(haproxy.wsUri(), listener).join();

        haproxy.restart();

        assertThat(haproxy.port()).isEqualTo(port);
        assertThat(haproxy.statsPort()).isEqualTo(statsPort);
        assertThat(haproxy.pid()).isNotEqualTo(pid);
        await("the socket opened before the restart is closed").atMost(ofSeconds(5)).untilTrue(listener.closed);
        RecordingListener again = new RecordingListener();
        WebSocket socket = HTTP.newWebSocketBuilder().buildAsync(haproxy.wsUri(), again).join();
        socket.sendText("back", true).join();
        await("the echo after the restart").atMost(ofSeconds(5))
                .untilAsserted(() -> assertThat(again.texts).containsExactly("node-1: back"));
    }

    @Test
    void a_killed_haproxy_refuses_connections_and_close_leaves_nothing_running() {
        Set<Long> before = Processes.children();
        List<TinyNode> nodes = nodes(1);
        HaproxyServer haproxy = HaproxyServer.start(TinyNode.addresses(nodes));
        long pid = haproxy.pid();

        haproxy.kill();

        assertThat(haproxy.isRunning()).isFalse();
        assertThat(Processes.running(pid)).isFalse();
        assertThat(Ports.accepts(haproxy.port())).isFalse();

        haproxy.close();
        haproxy.close();

        await("no process started for haproxy is left").atMost(ofSeconds(5))
                .until(() -> before.containsAll(Processes.children()));
    }

    /** Keeps what a WebSocket receives; its callbacks run on the HTTP client's threads. */
    private static final class RecordingListener implements WebSocket.Listener {
        final ConcurrentLinkedQueue<String> texts = new ConcurrentLinkedQueue<>();
        final AtomicBoolean closed = new AtomicBoolean();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                texts.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.set(true);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.set(true);
        }
    }
}
