package dev.chatlab.chat;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.chatlab.testkit.ChatClient;
import dev.chatlab.testkit.contracts.EchoContract;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Step 1's proof: its own contract, plus what only the echo server does. */
class EchoServerTest extends EchoContract {
    private static ChatServer server;

    @BeforeAll
    static void start() {
        server = ChatServer.start(ChatConfig.forTests());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Override
    protected URI wsUri() {
        return server.wsUri();
    }

    @Test
    void two_clients_do_not_see_each_others_echoes() {
        try (ChatClient alice = ChatClient.connect("alice", wsUri());
             ChatClient bob = ChatClient.connect("bob", wsUri())) {
            alice.sendRaw("from alice");
            bob.sendRaw("from bob");
            await("both echoes").atMost(ofSeconds(5))
                    .until(() -> alice.rawFrames().size() == 1 && bob.rawFrames().size() == 1);
            assertThat(alice.rawFrames()).containsExactly("Hello, you sent -> from alice");
            assertThat(bob.rawFrames()).containsExactly("Hello, you sent -> from bob");
        }
    }

    @Test
    void a_binary_frame_is_answered_with_a_clear_text_reply() {
        try (ChatClient alice = ChatClient.connect("alice", wsUri())) {
            alice.sendBinary(new byte[] {1, 2, 3});
            await("the answer").atMost(ofSeconds(5))
                    .untilAsserted(() -> assertThat(alice.rawFrames())
                            .containsExactly("Binary frames are not supported here: send text."));
        }
    }

    @Test
    void the_page_at_the_root_has_an_input_a_send_button_and_the_event_list() throws Exception {
        HttpResponse<String> page = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(server.httpUri()).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
        assertThat(page.body()).contains("id=\"inputbox\"", "<button>send</button>", "id=\"serverMessages\"", "new WebSocket(");
    }

    @Test
    void the_command_line_rejects_a_port_that_is_not_a_number() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ChatConfig.fromArgs(new String[] {"--port", "abc"}))
                .hasMessageContaining("Invalid value for option '--port': 'abc' is not an int");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ChatConfig.fromArgs(new String[] {"--colour", "red"}))
                .hasMessageContaining("Unknown options: '--colour'");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ChatConfig.fromArgs(new String[] {"--help"}))
                .isInstanceOf(Options.HelpRequested.class).hasMessageContaining("--port=N");
        assertThat(ChatConfig.fromArgs(new String[] {"--port", "3100"}).port()).isEqualTo(3100);
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
