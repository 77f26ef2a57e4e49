package dev.chatlab.chat;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chatlab.testkit.ChatClient;
import dev.chatlab.testkit.Frames;
import dev.chatlab.testkit.RawWebSocket;
import dev.chatlab.testkit.haproxy.Balancing;
import dev.chatlab.testkit.haproxy.HaproxyConfig;
import dev.chatlab.testkit.haproxy.HaproxyOptions;
import dev.chatlab.testkit.haproxy.HaproxyServer;
import dev.chatlab.testkit.process.Ports;
import dev.chatlab.testkit.process.WorkDirs;
import dev.chatlab.testkit.redis.RedisServer;
import dev.chatlab.testkit.swarm.ChatNodeProcess;
import dev.chatlab.testkit.swarm.Swarm;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The security of the whole system, with real parts: TLS and connection limits in HAProxy, node processes and their logs. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class SecurityIT {
    private static final Path JAR = ChatNodeProcess.jarOf("step8-presence");

    @Test
    void wss_through_haproxy_works_end_to_end_with_a_generated_certificate_and_http_is_redirected_to_https() throws Exception {
        List<String> secure = List.of("--profile", "secure", "--token-secret", TokenTest.SECRET);
        try (RedisServer redis = RedisServer.start();
             ChatNodeProcess node1 = ChatNodeProcess.start(JAR, "node-1", redis.uri(), ChatNodeProcess.TEST_JVM, secure);
             ChatNodeProcess node2 = ChatNodeProcess.start(JAR, "node-2", redis.uri(), ChatNodeProcess.TEST_JVM, secure);
             TlsProxy tls = TlsProxy.start(List.of(new InetSocketAddress(Ports.LOOPBACK, node1.port()),
                     new InetSocketAddress(Ports.LOOPBACK, node2.port())))) {
            await("both nodes in rotation").atMost(ofSeconds(15))
                    .until(() -> tls.haproxy().nodeStates().values().stream().filter(s -> s.startsWith("UP")).count() == 2);
            HttpClient https = HttpClient.newBuilder().sslContext(tls.trust()).connectTimeout(Duration.ofSeconds(5)).build();

            HttpResponse<String> page = https.send(HttpRequest.newBuilder(tls.httpsUri().resolve("/?roomId=lobby")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("content=\"token\"");
            String ada = login(https, tls, "ada");
            String bob = login(https, tls, "bob");

            String origin = "https://localhost:" + tls.tlsPort();
            try (Listener adaSide = Listener.open(https, tls.wssUri().resolve("/?roomId=lobby&token=" + TokenTest.q(ada)), origin);
                 Listener bobSide = Listener.open(https, tls.wssUri().resolve("/?roomId=lobby&token=" + TokenTest.q(bob)), origin)) {
                // A join's name cannot change the token's: ada is present as ada, whatever she calls herself.
                adaSide.send(Frames.joinAs("lobby", "mallory"));
                await("ada joined").atMost(ofSeconds(10)).until(() -> adaSide.has("joined"));
                bobSide.send(Frames.join("lobby"));
                await("bob joined").atMost(ofSeconds(10)).until(() -> bobSide.has("joined"));
                assertThat(Frames.payloadOf(bobSide.first("joined")).path("members").toString())
                        .as("the members bob is told of: the tokens' names").isEqualTo("[\"ada\",\"bob\"]");
                adaSide.send("{\"type\":\"typing\",\"payload\":{\"name\":\"mallory\"}}");
                await("bob sees ada typing").atMost(ofSeconds(10)).until(() -> bobSide.has("typing"));
                assertThat(Frames.payloadOf(bobSide.first("typing")).path("name").asText()).isEqualTo("ada");
                URI presence = tls.httpsUri().resolve("/rooms/lobby/presence");
                assertThat(https.send(HttpRequest.newBuilder(presence).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                        .as("the presence route without a token").isEqualTo(401);
                HttpResponse<String> present = https.send(HttpRequest.newBuilder(presence).header("Authorization", "Bearer " + bob)
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(present.statusCode()).isEqualTo(200);
                assertThat(Frames.parse(present.body()).path("members").toString()).isEqualTo("[\"ada\",\"bob\"]");
                adaSide.send(Frames.message("over TLS, end to end", "ada-1"));
                await("bob hears ada over wss").atMost(ofSeconds(10)).until(() -> bobSide.has("message"));
                JsonNode message = Frames.payloadOf(bobSide.first("message"));
                assertThat(message.path("message").asText()).isEqualTo("over TLS, end to end");
                assertThat(message.path("from").asText()).isEqualTo("ada");
            }
            try (Listener noToken = Listener.attempt(https, tls.wssUri().resolve("/?roomId=lobby"), origin)) {
                assertThat(noToken.refused()).as("no token, no socket, even over TLS").isTrue();
            }

            HttpClient plain = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
            HttpResponse<Void> redirect = plain.send(HttpRequest.newBuilder(tls.httpUri().resolve("/?roomId=lobby")).build(),
                    HttpResponse.BodyHandlers.discarding());
            assertThat(redirect.statusCode()).isEqualTo(301);
            assertThat(redirect.headers().firstValue("location")).hasValue(
                    "https://127.0.0.1:" + tls.tlsPort() + "/?roomId=lobby");
            HttpResponse<Void> metrics = https.send(HttpRequest.newBuilder(tls.httpsUri().resolve("/metrics")).build(),
                    HttpResponse.BodyHandlers.discarding());
            assertThat(metrics.statusCode()).as("/metrics from loopback through TLS").isEqualTo(200);
        }
    }

    @Test
    void haproxy_refuses_connections_from_an_address_that_opens_them_faster_than_its_limit() {
        try (Cluster cluster = Cluster.start(1);
             HaproxyServer haproxy = HaproxyServer.start(HaproxyOptions.defaults().withName("haproxy-rate")
                     .withTemplate(tuned("haproxy.cfg", "${LB_CONN_RATE_LIMIT-2000}", "${LB_CONN_RATE_LIMIT-5}"))
                     .withNodeAddresses("127.0.0.1:" + cluster.node(1).port()))) {
            await("the node in rotation").atMost(ofSeconds(15)).until(() -> haproxy.nodeStates().values().stream().allMatch(s -> s.startsWith("UP")));
            List<Integer> statuses = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                statuses.add(healthThrough("127.0.0.1", haproxy.port()));
            }
            // The fixture's own readiness probe was this address's first connection, so four or five pass.
            int answered = statuses.indexOf(-1);
            assertThat(answered).as("answered before the limit, of " + statuses).isBetween(4, 5);
            assertThat(statuses.subList(answered, statuses.size())).as("then refused (-1: closed before any answer)").containsOnly(-1);
            assertThat(healthThrough("127.0.0.2", haproxy.port())).as("another address is not limited").isEqualTo(200);
            assertThat(HaproxyConfig.file(Balancing.LEAST_CONNECTIONS)).content().contains("${LB_CONN_RATE_LIMIT-2000}");
        }
    }

    @Test
    void haproxy_cuts_a_handshake_that_does_not_arrive_within_its_http_request_timeout() throws Exception {
        try (Cluster cluster = Cluster.start(1);
             HaproxyServer haproxy = HaproxyServer.start(HaproxyOptions.defaults().withName("haproxy-slow")
                     .withTemplate(tuned("haproxy.cfg", "timeout http-request 5s", "timeout http-request 1s"))
                     .withNodeAddresses("127.0.0.1:" + cluster.node(1).port()));
             Socket slow = new Socket()) {
            slow.connect(new InetSocketAddress(Ports.LOOPBACK, haproxy.port()), 2000);
            slow.setSoTimeout(10_000);
            slow.getOutputStream().write("GET /?roomId=lobby HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            long started = System.nanoTime();
            String answer = new String(slow.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertThat(answer).as("HAProxy's answer to half a handshake").startsWith("HTTP/1.1 408");
            assertThat(waitedMs).as("cut after the 1 s timeout, not held").isBetween(500L, 5_000L);
            assertThat(HaproxyConfig.file(Balancing.LEAST_CONNECTIONS)).content().contains("timeout http-request 5s");
        }
    }

    @Test
    void twenty_10_mb_frames_at_once_are_refused_with_1009_by_a_node_with_a_64_mb_heap_that_keeps_nothing_of_them() throws Exception {
        List<String> smallHeap = List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
        try (RedisServer redis = RedisServer.start();
             ChatNodeProcess node = ChatNodeProcess.start(JAR, "node-1", redis.uri(), smallHeap, List.of())) {
            URI ws = node.wsUri();
            double heapBefore = NodeMetrics.of(node.httpUri()).sum("jvm_memory_used_bytes", "area=\"heap\"");
            double oldBefore = NodeMetrics.of(node.httpUri()).sum("jvm_memory_used_bytes", "id=\"Tenured Gen\"");
            ExecutorService senders = Executors.newFixedThreadPool(20);
            List<Future<String>> attempts = new ArrayList<>();
            try {
                for (int i = 0; i < 20; i++) {
                    attempts.add(senders.submit(() -> {
                        try (RawWebSocket wire = RawWebSocket.handshake(ws, Map.of())) {
                            wire.sendHugeFrame(10L * 1024 * 1024);
                            RawWebSocket.Frame answer = wire.readSkippingPings();
                            return answer == null ? "reset" : "close " + answer.closeCode();
                        }
                    }));
                }
                List<String> answers = new ArrayList<>();
                for (Future<String> attempt : attempts) {
                    answers.add(attempt.get(60, TimeUnit.SECONDS));
                }
                assertThat(answers).as("each 10 MB frame is refused").allMatch(a -> a.equals("close 1009") || a.equals("reset"))
                        .contains("close 1009");
            } finally {
                senders.shutdownNow();
            }
            assertThat(node.isAlive()).isTrue();
            assertThat(node.status("health")).isEqualTo(200);
            double heapAfter = NodeMetrics.of(node.httpUri()).sum("jvm_memory_used_bytes", "area=\"heap\"");
            double oldAfter = NodeMetrics.of(node.httpUri()).sum("jvm_memory_used_bytes", "id=\"Tenured Gen\"");
            System.out.printf("200 MB offered in 20 frames: heap %.1f -> %.1f MB, old generation %.1f -> %.1f MB%n",
                    heapBefore / 1e6, heapAfter / 1e6, oldBefore / 1e6, oldAfter / 1e6);
            assertThat(oldAfter - oldBefore).as("bytes kept in the old generation").isLessThan(5e6);
            assertThat(heapAfter).as("the heap never held 200 MB: it is capped at 64").isLessThan(64.0 * 1024 * 1024);
        }
    }

    @Test
    void a_10_mb_frame_sent_through_haproxy_gets_a_1009_close_the_client_reads_while_it_is_still_writing() throws Exception {
        try (Swarm swarm = Swarm.start(JAR, 1, Balancing.LEAST_CONNECTIONS, List.of());
             RawWebSocket wire = RawWebSocket.handshake(swarm.wsUri(), Map.of())) {
            assertThat(wire.upgraded()).isTrue();
            // The client reads while it writes, as a browser does: the answer must reach it before TCP is torn down.
            CompletableFuture<RawWebSocket.Frame> answer = CompletableFuture.supplyAsync(wire::readSkippingPings);
            long sent = wire.sendHugeFrame(10L * 1024 * 1024);
            RawWebSocket.Frame close = answer.get(30, TimeUnit.SECONDS);
            assertThat(close).as("a frame, not a reset (" + sent + " bytes written)").isNotNull();
            assertThat(close.closeCode()).isEqualTo(1009);
            assertThat(swarm.node(1).status("health")).isEqualTo(200);
        }
    }

    @Test
    void the_node_log_names_connections_and_addresses_for_every_event_but_never_a_message_body_or_a_token() throws Exception {
        String secretText = "body-7f3a-never-logged";
        String token = TokenTest.token("ada", List.of("*"));
        String forged = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJldmUifQ.forged-signature-xyz";
        try (RedisServer redis = RedisServer.start();
             ChatNodeProcess node = ChatNodeProcess.start(JAR, "node-1", redis.uri(), ChatNodeProcess.TEST_JVM,
                     List.of("--token-secret", TokenTest.SECRET, "--rate-messages", "5"))) {
            try (ChatClient anon = ChatClient.connect("anon", node.wsUri()).joinAndWait("lobby")) {
                anon.say(secretText);
                anon.sendRaw("{\"type\":\"nope\",\"payload\":{\"message\":\"" + secretText + "\"}}");
                for (int i = 0; i < 30; i++) {
                    anon.sendRaw(Frames.message(secretText + " " + i));
                }
                await("limited").atMost(ofSeconds(5)).until(() -> anon.errorCodes().contains("rate_limited"));
            }
            try (ChatClient withToken = ChatClient.connect("ada", node.wsUri().resolve("/?token=" + TokenTest.q(token)))) {
                withToken.joinAndWait("lobby");
            }
            try (RawWebSocket evil = RawWebSocket.handshake(node.wsUri(), Map.of("Origin", "https://evil.example"));
                 RawWebSocket bad = RawWebSocket.handshake(node.wsUri().resolve("/?token=" + forged), Map.of())) {
                assertThat(evil.status()).isEqualTo(403);
                assertThat(bad.status()).isEqualTo(403);
            }
            await("both closes are logged").atMost(ofSeconds(10)).until(() -> log(node).contains("c2 from 127.0.0.1 disconnected"));
            // The fixture's own header line shows the command line, secret included: the lab passes it as
            // TOKEN_SECRET instead, which no log shows. What is checked is what the node writes.
            String log = log(node).lines().filter(line -> !line.startsWith("=== ")).collect(Collectors.joining("\n"));
            assertThat(log).contains(
                    "c1 connected to node-1 from 127.0.0.1",
                    "c1 from 127.0.0.1: refused a frame: unknown_type",
                    "c1 from 127.0.0.1: rate limited",
                    "c1 from 127.0.0.1 disconnected from node-1",
                    "c2 connected to node-1 from 127.0.0.1 as ada",
                    "handshake from 127.0.0.1 refused by node-1 (403 origin)",
                    "handshake from 127.0.0.1 refused by node-1 (403 token): token");
            assertThat(log).doesNotContain(secretText, token, forged, "token=", TokenTest.SECRET);
        }
    }

    @Test
    void every_haproxy_config_keeps_stats_and_admin_on_loopback_limits_connection_rates_and_passes_haproxys_check() throws IOException {
        Path tlsDir = WorkDirs.create("tls-check");
        Path pem = TlsProxy.selfSigned(tlsDir);
        for (String name : List.of("haproxy.cfg", "haproxy-affinity.cfg", "haproxy-tls.cfg")) {
            String config = Files.readString(HaproxyConfig.directory().resolve(name));
            String directives = config.lines().filter(line -> !line.strip().startsWith("#")).collect(Collectors.joining("\n"));
            assertThat(directives).as(name)
                    .contains("bind \"${STATS_BIND-127.0.0.1:8404}\"", "stats admin if LOCALHOST",
                            "tcp-request connection reject if { sc_conn_rate(0) gt \"${LB_CONN_RATE_LIMIT-2000}\" }",
                            "timeout http-request 5s", "%HP")
                    .doesNotContain("stats socket", "option httplog");
            Path rendered = tlsDir.resolve(name);
            Files.writeString(rendered, HaproxyConfig.render(config.replace("${TLS_CERT-.lab/up/tls/chat.pem}",
                    "${TLS_CERT-" + pem.toAbsolutePath() + "}"), List.of("127.0.0.1:3001")));
            assertThat(HaproxyServer.check(rendered)).as(name).contains("Configuration file is valid").doesNotContain("WARNING");
        }
    }

    private static String login(HttpClient https, TlsProxy tls, String name) throws Exception {
        HttpResponse<String> response = https.send(HttpRequest.newBuilder(tls.httpsUri().resolve("/login"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("login over https").isEqualTo(200);
        return Frames.parse(response.body()).path("token").asText();
    }

    /** The repository's {@code file} with one piece of text replaced, written to a fixture directory. */
    private static Path tuned(String file, String from, String to) {
        try {
            String config = Files.readString(HaproxyConfig.directory().resolve(file));
            assertThat(config).contains(from);
            Path tuned = WorkDirs.create("haproxy-tuned").resolve(file);
            Files.writeString(tuned, config.replace(from, to));
            return tuned;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code GET /health} on a fresh connection through HAProxy from the local address {@code from} (all of
     * 127.0.0.0/8 is loopback): the status, or -1 when the connection is refused.
     */
    private static int healthThrough(String from, int port) {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(from, 0));
            socket.connect(new InetSocketAddress(Ports.LOOPBACK, port), 2000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String head = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            return head.startsWith("HTTP/1.1 ") ? Integer.parseInt(head.substring(9, 12)) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    private static String log(ChatNodeProcess node) {
        try {
            return Files.readString(node.log());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A JDK WebSocket over TLS that keeps every text frame it receives. */
    static final class Listener implements WebSocket.Listener, AutoCloseable {
        private final List<JsonNode> frames = new CopyOnWriteArrayList<>();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;
        private Throwable failure;

        static Listener open(HttpClient client, URI uri, String origin) {
            Listener listener = attempt(client, uri, origin);
            if (listener.socket == null) {
                throw new IllegalStateException("could not open " + uri + ": " + listener.failure);
            }
            return listener;
        }

        static Listener attempt(HttpClient client, URI uri, String origin) {
            Listener listener = new Listener();
            try {
                listener.socket = client.newWebSocketBuilder().header("Origin", origin).connectTimeout(Duration.ofSeconds(5))
                        .buildAsync(uri, listener).get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                listener.failure = e;
            }
            return listener;
        }

        boolean refused() {
            return socket == null && failure != null;
        }

        void send(String text) {
            socket.sendText(text, true).join();
        }

        boolean has(String type) {
            return frames.stream().anyMatch(f -> type.equals(Frames.type(f)));
        }

        JsonNode first(String type) {
            return frames.stream().filter(f -> type.equals(Frames.type(f))).findFirst().orElseThrow();
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            synchronized (partial) {
                partial.append(data);
                if (last) {
                    frames.add(Frames.parse(partial.toString()));
                    partial.setLength(0);
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public void close() {
            if (socket != null) {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
            }
        }
    }
}
