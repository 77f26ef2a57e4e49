package dev.chatlab.testkit.contracts;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.chatlab.testkit.ChatClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * What step 1 promises, phrased so that every later step can re-run it: WebSocket upgrades are
 * accepted at {@code /}, every frame is answered to its sender and to nobody else, and a binary
 * frame is answered instead of dropped. A step that changes one of these on purpose overrides the
 * test with {@code @Disabled("why")}.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
public abstract class EchoContract {

    /** The {@code ws://} URI of the server under test. */
    protected abstract URI wsUri();

    @Test
    public void a_websocket_upgrade_is_accepted_at_the_root() {
        try (ChatClient alice = ChatClient.connect("alice", wsUri())) {
            assertThat(alice.isOpen()).isTrue();
            assertThat(alice.handshake().getHttpStatus()).isEqualTo((short) 101);
        }
    }

    @Test
    public void the_reply_echoes_what_was_sent() {
        try (ChatClient alice = ChatClient.connect("alice", wsUri())) {
            alice.sendRaw("hello there");
            await("alice's echo").atMost(ofSeconds(5))
                    .untilAsserted(() -> assertThat(alice.rawFrames()).containsExactly("Hello, you sent -> hello there"));
        }
    }

    @Test
    public void a_reply_goes_to_the_sender_only() {
        try (ChatClient alice = ChatClient.connect("alice", wsUri());
             ChatClient bob = ChatClient.connect("bob", wsUri())) {
            alice.sendRaw("only for alice");
            await("alice's reply").atMost(ofSeconds(5)).until(() -> alice.rawFrames().size() == 1);
            await("bob hears nothing").during(ofMillis(300)).atMost(ofSeconds(2))
                    .until(() -> bob.rawFrames().isEmpty());
        }
    }

    @Test
    public void a_binary_frame_gets_an_answer_and_the_connection_stays_open() {
        try (ChatClient alice = ChatClient.connect("alice", wsUri())) {
            alice.sendBinary("binary hello".getBytes(StandardCharsets.UTF_8));
            await("an answer to the binary frame").atMost(ofSeconds(5))
                    .failFast("alice was disconnected", alice::isClosed)
                    .until(() -> alice.rawFrames().size() == 1);
            alice.sendRaw("still there?");
            await("an answer after the binary frame").atMost(ofSeconds(5))
                    .failFast("alice was disconnected", alice::isClosed)
                    .until(() -> alice.rawFrames().size() == 2);
        }
    }

    @Test
    public void twenty_clients_each_get_exactly_their_own_replies() {
        List<ChatClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                clients.add(ChatClient.connect("client-" + i, wsUri()));
            }
            for (ChatClient client : clients) {
                for (int n = 0; n < 5; n++) {
                    client.sendRaw(client.name() + " frame " + n);
                }
            }
            await("every client has its five replies").atMost(ofSeconds(10))
                    .until(() -> clients.stream().allMatch(c -> c.rawFrames().size() >= 5));
            await("and no client gets more").during(ofMillis(300)).atMost(ofSeconds(2))
                    .until(() -> clients.stream().allMatch(c -> c.rawFrames().size() == 5));
        } finally {
            clients.forEach(ChatClient::close);
        }
    }
}
