package dev.chatlab.chat;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chatlab.testkit.ChatClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** Step 0's proof: one room, four transports, and what each transport promises. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class TransportsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ChatServer server;
    private static HttpClient http;
    private static URI base;

    @BeforeAll
    static void start() {
        server = ChatServer.start(ChatConfig.forTests());
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        base = server.httpUri();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void a_message_sent_over_any_transport_reaches_clients_on_all_four() {
        try (PollingClient shortPoll = PollingClient.shortPolling(http, base, ofMillis(100));
             PollingClient longPoll = PollingClient.longPolling(http, base);
             SseStream sse = SseStream.open(http, base, null);
             ChatClient ws = ChatClient.connect("ws", server.wsUri())) {
            await("the event stream is live").atMost(ofSeconds(5)).failFast("the stream ended", sse::hasEnded).until(sse::isReady);
            // Jetty runs a socket's onConnect before its onMessage: hearing its own message proves the socket is subscribed.
            ws.sendRaw(draft("via websocket", "websocket"));
            await("the socket hears its own message").atMost(ofSeconds(5)).failFast("ws closed", ws::isClosed)
                    .until(() -> texts(ws).contains("via websocket"));
            post(draft("via short polling", "short polling"));
            post(draft("via long polling", "long polling"));
            post(draft("via server-sent events", "server-sent events"));

            List<String> all = List.of("via websocket", "via short polling", "via long polling", "via server-sent events");
            await("every client has every message").atMost(ofSeconds(5)).untilAsserted(() -> {
                assertThat(shortPoll.texts()).as("short polling").containsExactlyElementsOf(all);
                assertThat(longPoll.texts()).as("long polling").containsExactlyElementsOf(all);
                assertThat(texts(sse)).as("server-sent events").containsExactlyElementsOf(all);
                assertThat(texts(ws)).as("websocket").containsExactlyElementsOf(all);
            });
            assertThat(List.of(longPoll.seqs(), seqs(sse), seqs(ws))).allSatisfy(s -> assertThat(s).isEqualTo(shortPoll.seqs()));
        }
    }

    @Test
    void under_racing_senders_every_transport_sees_the_same_messages_once_each_in_seq_order() throws Exception {
        ExecutorService senders = Executors.newFixedThreadPool(4);
        try (PollingClient shortPoll = PollingClient.shortPolling(http, base, ofMillis(100));
             PollingClient longPoll = PollingClient.longPolling(http, base);
             SseStream sse = SseStream.open(http, base, null);
             ChatClient ws = ChatClient.connect("ws", server.wsUri())) {
            await("the event stream is live").atMost(ofSeconds(5)).failFast("the stream ended", sse::hasEnded).until(sse::isReady);
            ws.sendRaw(draft("hello", "websocket"));
            await("the socket is subscribed").atMost(ofSeconds(5)).until(() -> texts(ws).contains("hello"));

            List<CompletableFuture<Void>> sending = new ArrayList<>();
            for (int sender = 0; sender < 4; sender++) {
                int s = sender;
                sending.add(CompletableFuture.runAsync(() -> IntStream.range(0, 25).forEach(i -> {
                    String body = draft("sender " + s + " #" + i, "sender " + s);
                    if (s == 0) {
                        ws.sendRaw(body);
                    } else {
                        post(body);
                    }
                }), senders));
            }
            CompletableFuture.allOf(sending.toArray(CompletableFuture[]::new)).get();

            await("every client has all 101 messages").atMost(ofSeconds(10)).untilAsserted(() -> {
                assertThat(shortPoll.seqs()).as("short polling").hasSize(101);
                assertThat(longPoll.seqs()).as("long polling").hasSize(101);
                assertThat(seqs(sse)).as("server-sent events").hasSize(101);
                assertThat(seqs(ws)).as("websocket").hasSize(101);
            });
            List<Long> expected = seqsFrom(shortPoll.seqs().get(0), 101);
            assertThat(shortPoll.seqs()).isEqualTo(expected);
            assertThat(longPoll.seqs()).isEqualTo(expected);
            assertThat(seqs(sse)).isEqualTo(expected);
            assertThat(seqs(ws)).isEqualTo(expected);
        } finally {
            senders.shutdownNow();
        }
    }

    @Test
    void a_short_poll_answers_at_once_with_what_came_after_its_cursor_and_the_next_cursor() {
        long now = get("/poll").path("next").asLong();
        post(draft("first", null));
        post(draft("second", null));

        JsonNode batch = get("/poll?after=" + now);
        assertThat(texts(batch)).containsExactly("first", "second");
        assertThat(batch.path("next").asLong()).isEqualTo(now + 2);

        JsonNode nothing = get("/poll?after=" + (now + 2));
        assertThat(nothing.path("messages")).isEmpty();
        assertThat(nothing.path("next").asLong()).isEqualTo(now + 2);
    }

    @Test
    void a_long_poll_returns_as_soon_as_a_message_arrives() {
        long now = get("/poll").path("next").asLong();
        CompletableFuture<HttpResponse<String>> poll = getAsync("/long-poll?timeout=20000&after=" + now);
        await("the poll is held while nothing happens").during(ofMillis(300)).atMost(ofSeconds(2)).until(() -> !poll.isDone());

        post(draft("wake up", null));

        await("the poll returns, long before its 20 s timeout").atMost(ofSeconds(2)).until(poll::isDone);
        JsonNode batch = parse(poll.join().body());
        assertThat(texts(batch)).containsExactly("wake up");
        assertThat(batch.path("next").asLong()).isEqualTo(now + 1);
    }

    @Test
    void a_long_poll_with_nothing_new_returns_empty_at_its_timeout() {
        long now = get("/poll").path("next").asLong();
        long started = System.nanoTime();
        CompletableFuture<HttpResponse<String>> poll = getAsync("/long-poll?timeout=400&after=" + now);

        await("the poll times out").atMost(ofSeconds(5)).until(poll::isDone);
        long heldMillis = (System.nanoTime() - started) / 1_000_000;
        HttpResponse<String> response = poll.join();
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(heldMillis).as("held for its timeout").isGreaterThanOrEqualTo(400);
        assertThat(parse(response.body()).path("messages")).isEmpty();
        assertThat(parse(response.body()).path("next").asLong()).isEqualTo(now);
    }

    @Test
    void a_long_poll_behind_the_room_answers_at_once_with_what_it_missed() {
        long now = get("/poll").path("next").asLong();
        post(draft("missed one", null));
        post(draft("missed two", null));

        CompletableFuture<HttpResponse<String>> poll = getAsync("/long-poll?timeout=20000&after=" + now);

        await("the poll answers without waiting").atMost(ofSeconds(2)).until(poll::isDone);
        assertThat(texts(parse(poll.join().body()))).containsExactly("missed one", "missed two");
    }

    @Test
    void an_sse_client_that_reconnects_with_last_event_id_gets_what_it_missed() {
        String lastSeen;
        try (SseStream first = SseStream.open(http, base, null)) {
            await("the stream is live").atMost(ofSeconds(5)).failFast("the stream ended", first::hasEnded).until(first::isReady);
            post(draft("seen", null));
            await("the first event").atMost(ofSeconds(5)).until(() -> first.events().size() == 1);
            lastSeen = first.events().get(0).id();
        }
        post(draft("missed 1", null));
        post(draft("missed 2", null));

        try (SseStream again = SseStream.open(http, base, lastSeen)) {
            await("the stream is live again").atMost(ofSeconds(5)).failFast("the stream ended", again::hasEnded).until(again::isReady);
            post(draft("live", null));
            await("what was missed, then what is live").atMost(ofSeconds(5))
                    .untilAsserted(() -> assertThat(texts(again)).containsExactly("missed 1", "missed 2", "live"));
            long seen = Long.parseLong(lastSeen);
            assertThat(again.events()).extracting(SseStream.Event::id)
                    .containsExactly(String.valueOf(seen + 1), String.valueOf(seen + 2), String.valueOf(seen + 3));
        }
    }

    @Test
    void a_bad_message_is_refused_and_nothing_is_stored() {
        long before = get("/poll").path("next").asLong();

        assertThat(post("not json").statusCode()).isEqualTo(400);
        assertThat(post("{\"message\": \"\"}").statusCode()).isEqualTo(400);
        HttpResponse<String> tooLong = post(draft("x".repeat(4097), null));
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(parse(tooLong.body()).path("error").asText()).contains("4096");

        try (ChatClient ws = ChatClient.connect("ws", server.wsUri())) {
            ws.sendRaw("{\"nothing\": true}");
            await("an error frame").atMost(ofSeconds(5))
                    .until(() -> ws.frames().stream().anyMatch(f -> f.path("error").asText().contains("message")));
            assertThat(ws.isOpen()).as("the socket stays open").isTrue();
        }
        assertThat(get("/poll").path("next").asLong()).isEqualTo(before);
    }

    @Test
    void a_cursor_or_timeout_that_is_not_a_number_is_refused_with_400() {
        assertThat(getStatus("/poll?after=abc")).isEqualTo(400);
        assertThat(getStatus("/poll?after=-1")).isEqualTo(400);
        assertThat(getStatus("/long-poll?timeout=soon")).isEqualTo(400);
    }

    @Test
    void the_page_has_four_panes_and_renders_message_text_as_text() {
        HttpResponse<String> page = send(HttpRequest.newBuilder(base).GET().build());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
        assertThat(page.body())
                .contains("Short polling", "Long polling", "Server-sent events", "WebSocket")
                .contains("fetch(path)", "/long-poll?after=", "new EventSource(\"/events\")", "new WebSocket(")
                .contains("textContent", "./lab bench transports")
                .doesNotContain("innerHTML", "<script src", "<link ");
    }

    @Test
    void the_command_line_reads_the_port_and_rejects_a_bad_one() {
        assertThat(ChatConfig.fromArgs(new String[] {"--port", "3100"}).port()).isEqualTo(3100);
        assertThatThrownBy(() -> ChatConfig.fromArgs(new String[] {"--port", "abc"})).hasMessageContaining("Invalid value for option '--port': 'abc' is not an int");
        assertThatThrownBy(() -> ChatConfig.fromArgs(new String[] {"--colour", "red"})).hasMessageContaining("Unknown options: '--colour'");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ChatConfig.fromArgs(new String[] {"--help"}))
                .isInstanceOf(Options.HelpRequested.class).hasMessageContaining("--port=N");
    }

    // ---- helpers ----

    private static List<Long> seqsFrom(long first, int count) {
        return LongStream.range(first, first + count).boxed().toList();
    }

    private static String draft(String text, String from) {
        var node = JSON.createObjectNode().put("message", text);
        if (from != null) {
            node.put("from", from);
        }
        return node.toString();
    }

    private static HttpResponse<String> post(String body) {
        return send(HttpRequest.newBuilder(base.resolve("/messages"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    private static JsonNode get(String path) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(base.resolve(path)).build());
        assertThat(response.statusCode()).as("GET " + path).isEqualTo(200);
        return parse(response.body());
    }

    private static int getStatus(String path) {
        return send(HttpRequest.newBuilder(base.resolve(path)).build()).statusCode();
    }

    private static CompletableFuture<HttpResponse<String>> getAsync(String path) {
        return http.sendAsync(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(request + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + json, e);
        }
    }

    private static List<String> texts(JsonNode batch) {
        return StreamSupport.stream(batch.path("messages").spliterator(), false).map(m -> m.path("message").asText()).toList();
    }

    private static List<String> texts(SseStream sse) {
        return sse.events().stream().map(e -> parse(e.data()).path("message").asText()).toList();
    }

    private static List<Long> seqs(SseStream sse) {
        return sse.events().stream().map(e -> parse(e.data()).path("seq").asLong()).toList();
    }

    /** WebSocket frames here are message objects (or {@code {"error": ...}}), not the later steps' typed frames. */
    private static List<String> texts(ChatClient ws) {
        return ws.frames().stream().filter(f -> f.has("seq")).map(f -> f.path("message").asText()).toList();
    }

    private static List<Long> seqs(ChatClient ws) {
        return ws.frames().stream().filter(f -> f.has("seq")).map(f -> f.path("seq").asLong()).toList();
    }

    @Test
    void a_closed_socket_leaves_no_http_session_behind() {
        // Javalin opens an HTTP session on every upgrade; kept in Jetty's default cache, each one outlived its socket.
        List<String> sessionIds = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            try (ChatClient client = ChatClient.connect("c" + i, server.wsUri())) {
                String cookie = client.handshake().getFieldValue("Set-Cookie");
                assertThat(cookie).as("the upgrade answer names its session").startsWith("JSESSIONID=");
                sessionIds.add(cookie.substring("JSESSIONID=".length()).split(";")[0]);
            }
        }
        await("no session of a closed socket is kept").atMost(ofSeconds(5))
                .untilAsserted(() -> assertThat(sessionIds).noneMatch(server::holdsSession));
    }
}
