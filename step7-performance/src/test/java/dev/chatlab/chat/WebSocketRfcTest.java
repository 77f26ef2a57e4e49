package dev.chatlab.chat;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.chatlab.testkit.ChatClient;
import dev.chatlab.testkit.Frames;
import dev.chatlab.testkit.RawWebSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.enums.Opcode;
import org.java_websocket.handshake.ServerHandshake;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * RFC 6455 on step 7's endpoint, which joins fragments itself on Jetty's core API: fragmented messages (with a
 * ping between the fragments), ping and pong, text that is not UTF-8 (1007), a clean close handshake, and the same
 * fragments from the Java-WebSocket client. A frame or message past the limit (1009) is {@link AbuseTest}'s, and a
 * client that stops reading (4008) is {@link NodeLifecycleTest}'s.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class WebSocketRfcTest {
    private static final int CONTINUATION = 0x0;
    private static final int PONG = 0xA;
    private static Cluster cluster;

    @BeforeAll
    static void start() {
        cluster = Cluster.start(1);
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    private static URI ws() {
        return cluster.node(1).wsUri();
    }

    @Test
    void a_message_sent_in_fragments_with_a_ping_between_them_is_joined_and_the_ping_answered_first() {
        try (RawWebSocket wire = RawWebSocket.handshake(ws(), Map.of())) {
            byte[] join = Frames.join("rfc-fragments").getBytes(StandardCharsets.UTF_8);
            wire.sendFrame(RawWebSocket.TEXT, Arrays.copyOfRange(join, 0, 5), false);
            wire.sendFrame(CONTINUATION, Arrays.copyOfRange(join, 5, 12), false);
            wire.sendFrame(RawWebSocket.PING, "between".getBytes(StandardCharsets.UTF_8), true);
            wire.sendFrame(CONTINUATION, Arrays.copyOfRange(join, 12, join.length), true);
            RawWebSocket.Frame pong = wire.read();
            assertThat(pong.opcode()).as("control frames may come between fragments").isEqualTo(PONG);
            assertThat(pong.text()).isEqualTo("between");
            assertThat(wire.readSkippingPings().text()).as("the three fragments are one join").contains("\"joined\"");
            // "é" is two bytes in UTF-8: split between two fragments, it is still one valid character once joined.
            byte[] say = "{\"type\":\"message\",\"payload\":{\"message\":\"caf\u00e9\",\"clientMsgId\":\"rfc-1\"}}"
                    .getBytes(StandardCharsets.UTF_8);
            int inside = indexOf(say, (byte) 0xC3) + 1;
            wire.sendFrame(RawWebSocket.TEXT, Arrays.copyOfRange(say, 0, inside), false);
            wire.sendFrame(CONTINUATION, Arrays.copyOfRange(say, inside, say.length), true);
            List<String> answers = List.of(wire.readSkippingPings().text(), wire.readSkippingPings().text());
            assertThat(answers).anyMatch(a -> a.contains("\"ack\"") && a.contains("rfc-1"));
            assertThat(answers).anyMatch(a -> a.contains("\"message\"") && a.contains("caf\u00e9"));
        }
    }

    @Test
    void a_ping_gets_a_pong_with_the_same_payload() {
        try (RawWebSocket wire = RawWebSocket.handshake(ws(), Map.of())) {
            wire.sendFrame(RawWebSocket.PING, "are you there".getBytes(StandardCharsets.UTF_8), true);
            RawWebSocket.Frame pong = wire.read();
            assertThat(pong.opcode()).isEqualTo(PONG);
            assertThat(pong.text()).isEqualTo("are you there");
        }
    }

    @Test
    void text_that_is_not_utf_8_closes_with_1007_and_the_node_serves_on() {
        try (RawWebSocket wire = RawWebSocket.handshake(ws(), Map.of())) {
            wire.sendFrame(RawWebSocket.TEXT, new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}, true);
            assertThat(wire.readSkippingPings().closeCode()).isEqualTo(1007);
        }
        try (RawWebSocket wire = RawWebSocket.handshake(ws(), Map.of())) {
            // Cut short: the message ends in the middle of a two-byte character.
            wire.sendFrame(RawWebSocket.TEXT, new byte[] {'{', '"'}, false);
            wire.sendFrame(CONTINUATION, new byte[] {(byte) 0xC3}, true);
            assertThat(wire.readSkippingPings().closeCode()).isEqualTo(1007);
        }
        try (ChatClient after = ChatClient.connect("after", ws()).joinAndWait("rfc-after")) {
            after.say("still here");
            await("the node serves on").atMost(ofSeconds(5)).until(() -> after.texts().contains("still here"));
        }
    }

    @Test
    void a_close_from_the_client_is_answered_with_the_same_code_then_the_connection_ends() {
        try (RawWebSocket wire = RawWebSocket.handshake(ws(), Map.of())) {
            wire.sendText(Frames.join("rfc-close"));
            assertThat(wire.readSkippingPings().text()).contains("\"joined\"");
            wire.sendFrame(RawWebSocket.CLOSE, new byte[] {0x03, (byte) 0xE8, 'b', 'y', 'e'}, true);
            RawWebSocket.Frame close = wire.readSkippingPings();
            assertThat(close.opcode()).isEqualTo(RawWebSocket.CLOSE);
            assertThat(close.closeCode()).isEqualTo(1000);
            assertThat(wire.read()).as("nothing after the close: the server ends the TCP connection").isNull();
        }
    }

    @Test
    void the_java_websocket_client_sending_fragments_is_understood() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        WebSocketClient client = new WebSocketClient(ws()) {
            @Override
            public void onOpen(ServerHandshake handshake) {
            }

            @Override
            public void onMessage(String message) {
                received.add(message);
            }

            @Override
            public void onClose(int code, String reason, boolean remote) {
            }

            @Override
            public void onError(Exception e) {
            }
        };
        try {
            assertThat(client.connectBlocking()).isTrue();
            byte[] join = Frames.join("rfc-library").getBytes(StandardCharsets.UTF_8);
            int half = join.length / 2;
            client.sendFragmentedFrame(Opcode.TEXT, ByteBuffer.wrap(join, 0, half), false);
            // The library sends the second piece as a continuation frame.
            client.sendFragmentedFrame(Opcode.TEXT, ByteBuffer.wrap(join, half, join.length - half), true);
            await("joined").atMost(ofSeconds(5)).until(() -> received.stream().anyMatch(m -> m.contains("\"joined\"")));
            client.send(Frames.message("whole"));
            await("its own message back").atMost(ofSeconds(5))
                    .until(() -> received.stream().anyMatch(m -> m.contains("\"message\"") && m.contains("whole")));
        } finally {
            client.closeBlocking();
        }
    }

    private static int indexOf(byte[] bytes, byte wanted) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        throw new IllegalArgumentException("not found");
    }
}
