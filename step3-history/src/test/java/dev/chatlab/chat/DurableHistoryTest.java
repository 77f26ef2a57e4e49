package dev.chatlab.chat;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chatlab.testkit.ChatClient;
import dev.chatlab.testkit.HttpJson;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What only a single node with its own file can show: history outlives the process. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class DurableHistoryTest {
    @TempDir
    Path dir;

    @Test
    void a_server_restart_keeps_every_rooms_history_and_continues_its_seq() {
        Path db = dir.resolve("chat.db");
        try (ChatServer first = ChatServer.start(ChatConfig.forTests(db));
             ChatClient alice = ChatClient.connect("alice", first.wsUri()).joinAndWait("kitchen");
             ChatClient bob = ChatClient.connect("bob", first.wsUri()).joinAndWait("garden")) {
            alice.say("one");
            alice.say("two");
            bob.say("flowers");
            await("all three stored").atMost(ofSeconds(5))
                    .until(() -> alice.seqs().size() == 2 && bob.seqs().size() == 1);
        }
        try (ChatServer second = ChatServer.start(ChatConfig.forTests(db))) {
            JsonNode kitchen = HttpJson.get(second.httpUri(), "rooms/kitchen/messages").body();
            assertThat(texts(kitchen)).containsExactly("one", "two");
            assertThat(texts(HttpJson.get(second.httpUri(), "rooms/garden/messages").body())).containsExactly("flowers");
            try (ChatClient carol = ChatClient.connect("carol", second.wsUri()).joinAndWait("kitchen")) {
                assertThat(carol.lastJoined().path("seq").asLong()).isEqualTo(2);
                carol.say("three");
                await("seq continues at 3").atMost(ofSeconds(5))
                        .untilAsserted(() -> assertThat(carol.seqs()).containsExactly(3L));
            }
        }
    }

    @Test
    void a_client_further_behind_than_the_replay_window_is_told_it_did_not_recover() {
        Path db = dir.resolve("window.db");
        try (ChatServer server = ChatServer.start(ChatConfig.forTests(db).withMaxReplay(5));
             ChatClient alice = ChatClient.connect("alice", server.wsUri()).joinAndWait("busy")) {
            for (int i = 1; i <= 8; i++) {
                alice.say("m" + i);
            }
            await("8 stored").atMost(ofSeconds(5)).until(() -> alice.seqs().size() == 8);
            try (ChatClient behind = ChatClient.connect("behind", server.wsUri()).joinAndWait("busy", 1)) {
                assertThat(behind.lastJoined().path("recovered").asBoolean()).isFalse();
                await("the newest five").atMost(ofSeconds(5))
                        .untilAsserted(() -> assertThat(behind.seqs()).containsExactly(4L, 5L, 6L, 7L, 8L));
            }
            try (ChatClient ahead = ChatClient.connect("ahead", server.wsUri()).joinAndWait("busy", 50)) {
                assertThat(ahead.lastJoined().path("recovered").asBoolean())
                        .as("a since beyond the newest seq comes from another history").isFalse();
            }
        }
    }

    @Test
    void a_join_with_a_bad_since_gets_bad_payload() {
        try (ChatServer server = ChatServer.start(ChatConfig.forTests(dir.resolve("since.db")));
             ChatClient alice = ChatClient.connect("alice", server.wsUri())) {
            alice.sendRaw("{\"type\":\"join\",\"payload\":{\"roomId\":\"r\",\"since\":\"yesterday\"}}");
            alice.sendRaw("{\"type\":\"join\",\"payload\":{\"roomId\":\"r\",\"since\":-1}}");
            alice.sendRaw("{\"type\":\"join\",\"payload\":{\"roomId\":\"r\",\"since\":1e400}}");
            alice.sendRaw("{\"type\":\"join\",\"payload\":{\"roomId\":\"r\",\"since\":123456789012345678901234567890}}");
            await("four errors").atMost(ofSeconds(5)).untilAsserted(() -> assertThat(alice.errorCodes())
                    .containsExactly("bad_payload", "bad_payload", "bad_payload", "bad_payload"));
            assertThat(alice.isOpen()).isTrue();
        }
    }

    private static List<String> texts(JsonNode page) {
        List<String> texts = new ArrayList<>();
        page.path("messages").forEach(m -> texts.add(m.path("message").asText()));
        return texts;
    }
}
