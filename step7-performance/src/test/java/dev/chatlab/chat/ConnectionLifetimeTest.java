package dev.chatlab.chat;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.chatlab.testkit.ChatClient;
import dev.chatlab.testkit.Frames;
import dev.chatlab.testkit.redis.RedisServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** How long connections live, and what the page and the command line promise. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ConnectionLifetimeTest {
    private static RedisServer redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @Test
    void by_default_a_silent_connection_may_stay_open_for_at_least_five_minutes() {
        ChatConfig defaults = ChatConfig.defaults();
        assertThat(defaults.idleTimeout()).isGreaterThanOrEqualTo(Duration.ofMinutes(5));
        assertThat(defaults.pingInterval()).isPositive().isLessThan(defaults.idleTimeout());
    }

    @Test
    void server_pings_keep_a_silent_client_connected_past_the_idle_timeout() {
        ChatConfig config = ChatConfig.forTests("node-1", redis.uri()).withTimeouts(ofMillis(800), ofMillis(200));
        try (ChatServer server = ChatServer.start(config);
             ChatClient quiet = ChatClient.connect("quiet", server.wsUri())) {
            await("the quiet client stays connected for 4 idle timeouts")
                    .during(ofMillis(3200)).atMost(ofSeconds(6))
                    .until(quiet::isOpen);
            quiet.sendRaw(Frames.ping());
            await("and is still served").atMost(ofSeconds(5)).until(() -> quiet.framesOfType("pong").size() == 1);
        }
    }

    @Test
    void without_pings_a_silent_client_is_closed_at_the_idle_timeout() {
        ChatConfig config = ChatConfig.forTests("node-1", redis.uri()).withTimeouts(ofMillis(800), Duration.ZERO);
        try (ChatServer server = ChatServer.start(config);
             ChatClient quiet = ChatClient.connect("quiet", server.wsUri())) {
            int code = quiet.awaitClose(ofSeconds(5));
            assertThat(code).as("Jetty closes an idle socket").isNotEqualTo(ChatClient.NOT_CLOSED);
        }
    }

    @Test
    void the_page_loads_history_then_joins_with_since_and_keeps_itself_connected_rendering_text_as_text() throws Exception {
        try (ChatServer server = ChatServer.start(ChatConfig.forTests("node-1", redis.uri()))) {
            HttpResponse<String> page = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(server.httpUri()).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body())
                    .contains("/messages?limit=50", "since: lastSeq", "payload.epoch = epoch", "frame(\"ping\"",
                            "clientMsgId: id", "code === 1012", "BACKOFF_CAP_MS", "/?roomId=", "textContent")
                    .doesNotContain("innerHTML");
        }
    }

    @Test
    void the_command_line_says_what_to_fix() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ChatConfig.fromArgs(new String[] {"--port"}))
                .hasMessageContaining("Missing required parameter for option '--port'");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ChatConfig.fromArgs(new String[] {"--port", "x"}))
                .hasMessageContaining("Invalid value for option '--port': 'x' is not an int");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ChatConfig.fromArgs(new String[] {"--drain-window", "soon"}))
                .hasMessageContaining("Invalid value for option '--drain-window': 'soon' is not a duration like 500ms, 3s or 2m");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ChatConfig.fromArgs(new String[] {"--backfill", "yes"}))
                .hasMessageContaining("Invalid value for option '--backfill': 'yes' is neither on nor off");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ChatConfig.fromArgs(new String[] {"--help"}))
                .isInstanceOf(Options.HelpRequested.class).hasMessageContaining("--drain-window=DURATION");
    }

    @Test
    void a_closed_socket_leaves_no_http_session_behind() {
        // Step 6 had Javalin open an HTTP session on every upgrade and had to keep Jetty from caching it. Here upgrades
        // are taken in front of the servlet chain, so no session is opened at all: nothing to leave behind.
        try (ChatServer server = ChatServer.start(ChatConfig.forTests("node-1", redis.uri()))) {
            for (int i = 0; i < 20; i++) {
                try (ChatClient client = ChatClient.connect("c" + i, server.wsUri())) {
                    assertThat(client.handshake().getFieldValue("Set-Cookie")).as("the upgrade answer names no session").isNullOrEmpty();
                    client.joinAndWait("lobby");
                }
            }
        }
    }
}
