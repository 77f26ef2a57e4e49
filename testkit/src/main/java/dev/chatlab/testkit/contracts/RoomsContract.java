package dev.chatlab.testkit.contracts;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chatlab.testkit.ChatClient;
import dev.chatlab.testkit.Frames;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What step 2 promises: the seed's JSON protocol with rooms, fan-out to every member of the
 * sender's room (sender included) and nobody else, and bad input answered with an {@code error}
 * frame while the connection, and everybody else, carries on. Steps 3-5 re-run it against their
 * own server; it sees nothing but a {@code ws://} URI.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
public abstract class RoomsContract {

    /** The {@code ws://} URI of the server under test (for several nodes: any one of them). */
    protected abstract URI wsUri();

    /** The URI the {@code index}-th client connects to; multi-node steps spread clients over their nodes. */
    protected URI wsUri(int index) {
        return wsUri();
    }

    /** A room name no other test uses, so tests never see each other's traffic. */
    protected static String freshRoom(String hint) {
        return hint + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    public void the_seed_clients_frames_work_unchanged() {
        String room = freshRoom("seed");
        try (ChatClient alice = ChatClient.connect("alice", wsUri(0));
             ChatClient bob = ChatClient.connect("bob", wsUri(1))) {
            // Byte for byte what the source notes' page sends: join on open, then message frames.
            alice.sendRaw("{\"type\":\"join\",\"payload\":{\"roomId\":\"" + room + "\"}}");
            bob.joinAndWait(room);
            awaitJoined(alice, room);
            alice.sendRaw("{\"type\":\"message\",\"payload\":{\"message\":\"Hello\"}}");
            await("bob reads payload.message").atMost(ofSeconds(5))
                    .untilAsserted(() -> assertThat(bob.texts()).containsExactly("Hello"));
            JsonNode frame = bob.framesOfType("message").get(0);
            assertThat(frame.path("type").asText()).isEqualTo("message");
            assertThat(frame.path("payload").path("message").isTextual()).isTrue();
        }
    }

    @Test
    public void a_message_reaches_every_member_of_the_room_and_the_sender() {
        String room = freshRoom("lobby");
        try (ChatClient alice = ChatClient.connect("alice", wsUri(0)).joinAndWait(room);
             ChatClient bob = ChatClient.connect("bob", wsUri(1)).joinAndWait(room);
             ChatClient carol = ChatClient.connect("carol", wsUri(2)).joinAndWait(room)) {
            alice.say("hi all");
            for (ChatClient member : List.of(alice, bob, carol)) {
                await(member.name() + " sees alice's message").atMost(ofSeconds(5))
                        .failFast(member.name() + " was disconnected", member::isClosed)
                        .untilAsserted(() -> assertThat(member.texts()).containsExactly("hi all"));
            }
            JsonNode payload = Frames.payloadOf(bob.framesOfType("message").get(0));
            assertThat(payload.path("roomId").asText()).isEqualTo(room);
            assertThat(payload.path("from").asText()).isNotBlank();
            assertThat(payload.path("sentAt").asLong()).isPositive();
        }
    }

    @Test
    public void a_message_does_not_leak_into_other_rooms() {
        String red = freshRoom("red");
        String blue = freshRoom("blue");
        try (ChatClient alice = ChatClient.connect("alice", wsUri(0)).joinAndWait(red);
             ChatClient bob = ChatClient.connect("bob", wsUri(1)).joinAndWait(red);
             ChatClient eve = ChatClient.connect("eve", wsUri(2)).joinAndWait(blue)) {
            alice.say("red only");
            await("bob sees it").atMost(ofSeconds(5)).until(() -> bob.texts().contains("red only"));
            await("eve sees nothing").during(ofMillis(300)).atMost(ofSeconds(2))
                    .until(() -> eve.framesOfType("message").isEmpty());
        }
    }

    @Test
    public void a_member_who_left_receives_nothing_more() {
        String room = freshRoom("leave");
        try (ChatClient alice = ChatClient.connect("alice", wsUri(0)).joinAndWait(room);
             ChatClient bob = ChatClient.connect("bob", wsUri(1)).joinAndWait(room)) {
            alice.say("before");
            await("bob sees before").atMost(ofSeconds(5)).until(() -> bob.texts().contains("before"));
            bob.sendRaw(Frames.leave());
            // bob's leave is processed before his ping, so the pong proves he is out of the room.
            bob.sendRaw(Frames.ping());
            await("bob's pong").atMost(ofSeconds(5)).until(() -> !bob.framesOfType("pong").isEmpty());
            alice.say("after");
            await("alice sees after").atMost(ofSeconds(5)).until(() -> alice.texts().contains("after"));
            await("bob sees nothing more").during(ofMillis(300)).atMost(ofSeconds(2))
                    .until(() -> bob.texts().equals(List.of("before")));
            assertThat(bob.isOpen()).as("leaving keeps the connection").isTrue();
        }
    }

    @Test
    public void a_second_join_moves_the_connection_to_the_new_room() {
        String first = freshRoom("first");
        String second = freshRoom("second");
        try (ChatClient mover = ChatClient.connect("mover", wsUri(0)).joinAndWait(first);
             ChatClient stayer = ChatClient.connect("stayer", wsUri(1)).joinAndWait(first);
             ChatClient host = ChatClient.connect("host", wsUri(2)).joinAndWait(second)) {
            mover.joinAndWait(second);
            stayer.say("in the first room");
            host.say("in the second room");
            await("the mover hears the second room").atMost(ofSeconds(5))
                    .until(() -> mover.texts().contains("in the second room"));
            await("and not the first").during(ofMillis(300)).atMost(ofSeconds(2))
                    .until(() -> !mover.texts().contains("in the first room"));
            mover.say("moved");
            await("the host hears the mover").atMost(ofSeconds(5)).until(() -> host.texts().contains("moved"));
            await("the stayer does not").during(ofMillis(300)).atMost(ofSeconds(2))
                    .until(() -> !stayer.texts().contains("moved"));
        }
    }

    @Test
    public void ping_is_answered_with_pong() {
        try (ChatClient alice = ChatClient.connect("alice", wsUri())) {
            alice.sendRaw(Frames.ping());
            await("pong").atMost(ofSeconds(5)).until(() -> alice.framesOfType("pong").size() == 1);
        }
    }

    @Test
    public void unknown_fields_are_ignored() {
        String room = freshRoom("extra");
        try (ChatClient alice = ChatClient.connect("alice", wsUri())) {
            alice.sendRaw("{\"type\":\"join\",\"v\":9,\"payload\":{\"roomId\":\"" + room + "\",\"colour\":\"teal\"}}");
            awaitJoined(alice, room);
            alice.sendRaw("{\"type\":\"message\",\"payload\":{\"message\":\"hi\",\"mood\":\"happy\"},\"extra\":[1,2]}");
            await("alice's message comes back").atMost(ofSeconds(5))
                    .untilAsserted(() -> assertThat(alice.texts()).containsExactly("hi"));
            assertThat(alice.errorCodes()).isEmpty();
        }
    }

    @Test
    public void a_disconnected_member_is_removed_and_the_room_keeps_working() {
        String room = freshRoom("gone");
        try (ChatClient alice = ChatClient.connect("alice", wsUri(0)).joinAndWait(room)) {
            ChatClient bob = ChatClient.connect("bob", wsUri(1)).joinAndWait(room);
            bob.close();
            alice.say("anyone?");
            await("alice still gets her own message").atMost(ofSeconds(5))
                    .untilAsserted(() -> assertThat(alice.texts()).containsExactly("anyone?"));
            assertThat(alice.errorCodes()).isEmpty();
        }
    }

    @Test
    public void a_message_before_join_gets_not_joined_and_the_connection_stays_open() {
        try (ChatClient alice = ChatClient.connect("alice", wsUri())) {
            alice.say("too early");
            await("not_joined").atMost(ofSeconds(5))
                    .untilAsserted(() -> assertThat(alice.errorCodes()).containsExactly("not_joined"));
            alice.sendRaw(Frames.ping());
            await("still served").atMost(ofSeconds(5)).until(() -> alice.framesOfType("pong").size() == 1);
        }
    }

    @Test
    public void a_frame_over_the_size_limit_closes_the_connection_with_1009() {
        String room = freshRoom("big");
        try (ChatClient alice = ChatClient.connect("alice", wsUri(0)).joinAndWait(room);
             ChatClient bob = ChatClient.connect("bob", wsUri(1)).joinAndWait(room)) {
            // 20,000 characters: over the 16 KiB default, small enough to be read whole before the close
            // (a much bigger frame can make the TCP connection reset before the close frame is read).
            alice.sendRaw(Frames.message("x".repeat(20_000)));
            assertThat(alice.awaitClose(ofSeconds(5))).isEqualTo(1009);
            ChatClient carol = ChatClient.connect("carol", wsUri(2)).joinAndWait(room);
            carol.say("the room lives on");
            await("bob keeps chatting").atMost(ofSeconds(5))
                    .until(() -> bob.texts().contains("the room lives on"));
            carol.close();
        }
    }

    static Stream<Arguments> malformedFrames() {
        String tooLong = "x".repeat(4097);
        return Stream.of(
                Arguments.of("plain text", true, "hello", "bad_json"),
                Arguments.of("truncated JSON", true, "{\"type\":\"message\",\"payload\":{", "bad_json"),
                Arguments.of("a JSON array", true, "[1,2,3]", "bad_json"),
                Arguments.of("a JSON string", true, "\"message\"", "bad_json"),
                Arguments.of("a JSON number", true, "42", "bad_json"),
                Arguments.of("JSON null", true, "null", "bad_json"),
                Arguments.of("nesting 3000 deep", true,
                        "{\"type\":\"message\",\"payload\":{\"message\":" + "[".repeat(3000) + "]".repeat(3000) + "}}", "bad_json"),
                Arguments.of("no type", true, "{\"payload\":{\"message\":\"hi\"}}", "unknown_type"),
                Arguments.of("an unknown type", true, "{\"type\":\"shout\",\"payload\":{}}", "unknown_type"),
                Arguments.of("a numeric type", true, "{\"type\":7,\"payload\":{}}", "unknown_type"),
                Arguments.of("a message without payload", true, "{\"type\":\"message\"}", "bad_payload"),
                Arguments.of("a payload that is a string", true, "{\"type\":\"message\",\"payload\":\"hi\"}", "bad_payload"),
                Arguments.of("a numeric message", true, "{\"type\":\"message\",\"payload\":{\"message\":42}}", "bad_payload"),
                Arguments.of("a huge number as message", true, "{\"type\":\"message\",\"payload\":{\"message\":1e999999}}", "bad_payload"),
                Arguments.of("an object as message", true, "{\"type\":\"message\",\"payload\":{\"message\":{\"a\":1}}}", "bad_payload"),
                Arguments.of("an empty message", true, "{\"type\":\"message\",\"payload\":{\"message\":\"\"}}", "bad_payload"),
                Arguments.of("a message of 4097 characters", true, Frames.message(tooLong), "too_large"),
                Arguments.of("a message before join", false, Frames.message("hi"), "not_joined"),
                Arguments.of("a join without roomId", true, "{\"type\":\"join\",\"payload\":{}}", "invalid_room"),
                Arguments.of("a numeric roomId", true, "{\"type\":\"join\",\"payload\":{\"roomId\":123}}", "invalid_room"),
                Arguments.of("an empty roomId", true, Frames.join(""), "invalid_room"),
                Arguments.of("a roomId with spaces", true, Frames.join("no spaces here"), "invalid_room"),
                Arguments.of("a roomId with markup", true, Frames.join("<script>"), "invalid_room"),
                Arguments.of("a roomId of 65 characters", true, Frames.join("r".repeat(65)), "invalid_room"),
                Arguments.of("a join with a null payload", true, "{\"type\":\"join\",\"payload\":null}", "bad_payload"));
    }

    @ParameterizedTest(name = "{0} gets {3}")
    @MethodSource("malformedFrames")
    public void a_malformed_frame_gets_its_error_code_while_a_bystander_keeps_chatting(
            String kind, boolean joinFirst, String frame, String expectedCode) {
        String room = freshRoom("bad");
        try (ChatClient offender = ChatClient.connect("offender", wsUri(0));
             ChatClient sam = ChatClient.connect("sam", wsUri(1)).joinAndWait(room);
             ChatClient tom = ChatClient.connect("tom", wsUri(2)).joinAndWait(room)) {
            if (joinFirst) {
                offender.joinAndWait(room);
            }
            offender.sendRaw(frame);
            await(kind + " is answered with " + expectedCode).atMost(ofSeconds(5))
                    .failFast("the offender was disconnected", offender::isClosed)
                    .untilAsserted(() -> assertThat(offender.errorCodes()).containsExactly(expectedCode));
            JsonNode error = Frames.payloadOf(offender.framesOfType("error").get(0));
            assertThat(error.path("message").asText()).as("the error says what is wrong").isNotBlank();

            sam.say("still chatting");
            await("tom hears sam").atMost(ofSeconds(5))
                    .untilAsserted(() -> assertThat(tom.texts()).containsExactly("still chatting"));
            assertThat(tom.errorCodes()).as("bystanders never notice").isEmpty();
            assertThat(sam.errorCodes()).isEmpty();

            offender.sendRaw(Frames.ping());
            await("the offender is still served").atMost(ofSeconds(5))
                    .until(() -> offender.framesOfType("pong").size() == 1);
        }
    }

    @Test
    public void two_hundred_clients_in_twenty_rooms_each_receive_exactly_their_rooms_messages() {
        int rooms = 20;
        int perRoom = 10;
        int sendsEach = 2;
        String prefix = freshRoom("crowd");
        List<ChatClient> clients = new ArrayList<>();
        Map<ChatClient, String> roomOf = new HashMap<>();
        try {
            for (int i = 0; i < rooms * perRoom; i++) {
                String room = prefix + "-" + (i % rooms);
                ChatClient client = ChatClient.connect("c" + i, wsUri(i));
                client.join(room);
                clients.add(client);
                roomOf.put(client, room);
            }
            for (ChatClient client : clients) {
                awaitJoined(client, roomOf.get(client));
            }
            clients.parallelStream().forEach(client -> {
                for (int n = 0; n < sendsEach; n++) {
                    client.say(roomOf.get(client) + "|" + client.name() + "|" + n);
                }
            });
            int expected = perRoom * sendsEach;
            await("every client has its room's messages").atMost(ofSeconds(30))
                    .until(() -> clients.stream().allMatch(c -> c.texts().size() >= expected));
            await("and no more").during(ofMillis(300)).atMost(ofSeconds(3))
                    .until(() -> clients.stream().allMatch(c -> c.texts().size() == expected));
            for (ChatClient client : clients) {
                String room = roomOf.get(client);
                List<String> want = new ArrayList<>();
                roomOf.forEach((sender, r) -> {
                    if (r.equals(room)) {
                        for (int n = 0; n < sendsEach; n++) {
                            want.add(r + "|" + sender.name() + "|" + n);
                        }
                    }
                });
                assertThat(client.texts()).as(client.name()).containsExactlyInAnyOrderElementsOf(want);
            }
        } finally {
            clients.parallelStream().forEach(ChatClient::close);
        }
    }

    protected static void awaitJoined(ChatClient client, String room) {
        await(client.name() + " joined " + room).atMost(ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(ofMillis(5))
                .failFast(client.name() + " was disconnected", client::isClosed)
                .until(() -> client.framesOfType("joined").stream()
                        .anyMatch(f -> room.equals(Frames.payloadOf(f).path("roomId").asText())));
    }
}
