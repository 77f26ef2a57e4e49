package dev.chatlab.chat;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chatlab.testkit.ChatClient;
import dev.chatlab.testkit.Frames;
import dev.chatlab.testkit.HttpJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Protocol.Command;
import redis.clients.jedis.RedisClient;

/** What several nodes sharing one Redis promise, including when the subscription or Redis itself fails. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class PubSubTest {

    @Test
    void a_message_sent_via_node_1_reaches_members_on_nodes_2_and_3_in_the_same_order_everywhere() {
        try (Cluster cluster = Cluster.start(3);
             ChatClient alice = ChatClient.connect("alice", cluster.node(1).wsUri()).joinAndWait("lobby");
             ChatClient bob = ChatClient.connect("bob", cluster.node(2).wsUri()).joinAndWait("lobby");
             ChatClient carol = ChatClient.connect("carol", cluster.node(3).wsUri()).joinAndWait("lobby")) {
            assertThat(List.of(alice, bob, carol)).extracting(c -> c.lastJoined().path("node").asText())
                    .containsExactly("node-1", "node-2", "node-3");
            // Three senders on three nodes at once: every member must see one and the same order.
            List<ChatClient> everyone = List.of(alice, bob, carol);
            IntStream.range(0, 50).forEach(i -> everyone.forEach(c -> c.say(c.name() + " " + i)));
            for (ChatClient member : everyone) {
                await(member.name() + " has all 150").atMost(ofSeconds(10))
                        .until(() -> member.seqs().size() >= 150);
            }
            assertThat(alice.seqs()).isEqualTo(LongStream.rangeClosed(1, 150).boxed().toList());
            assertThat(bob.texts()).isEqualTo(alice.texts());
            assertThat(carol.texts()).isEqualTo(alice.texts());
        }
    }

    @Test
    void a_node_whose_subscription_was_cut_for_3_seconds_delivers_every_missed_message_in_order_once_it_is_back() {
        try (Cluster cluster = Cluster.start(2, c -> c.nodeId().equals("node-2")
                ? c.withSubscription(c.heartbeatInterval(), c.heartbeatTimeout(), Duration.ofSeconds(3), c.backfill()) : c);
             ChatClient alice = ChatClient.connect("alice", cluster.node(1).wsUri()).joinAndWait("lobby");
             ChatClient bob = ChatClient.connect("bob", cluster.node(2).wsUri()).joinAndWait("lobby")) {
            alice.say("before");
            await("bob hears before").atMost(ofSeconds(5)).until(() -> bob.texts().contains("before"));

            killSubscriber(cluster, "node-2");
            for (int i = 1; i <= 20; i++) {
                alice.say("during " + i);
            }
            await("alice has her 21").atMost(ofSeconds(5)).until(() -> alice.seqs().size() == 21);
            assertThat(bob.texts()).as("node-2 hears nothing while its subscription is down").containsExactly("before");

            await("bob gets every missed message once node-2 is back").atMost(ofSeconds(10))
                    .untilAsserted(() -> assertThat(bob.seqs()).isEqualTo(LongStream.rangeClosed(1, 21).boxed().toList()));
            alice.say("after");
            await("and live delivery goes on").atMost(ofSeconds(5))
                    .untilAsserted(() -> assertThat(bob.seqs()).isEqualTo(LongStream.rangeClosed(1, 22).boxed().toList()));
            assertThat(health(cluster.node(2)).path("resubscriptions").asLong()).isEqualTo(1);
        }
    }

    /** The hole this step closes, shown: with backfill off, plain pub/sub simply loses what it missed. */
    @Test
    void with_backfill_off_the_same_cut_loses_every_message_sent_while_the_subscription_was_down() {
        try (Cluster cluster = Cluster.start(2, c -> c.nodeId().equals("node-2")
                ? c.withSubscription(c.heartbeatInterval(), c.heartbeatTimeout(), Duration.ofSeconds(3), false) : c);
             ChatClient alice = ChatClient.connect("alice", cluster.node(1).wsUri()).joinAndWait("lobby");
             ChatClient bob = ChatClient.connect("bob", cluster.node(2).wsUri()).joinAndWait("lobby")) {
            alice.say("before");
            await("bob hears before").atMost(ofSeconds(5)).until(() -> bob.texts().contains("before"));
            killSubscriber(cluster, "node-2");
            for (int i = 1; i <= 20; i++) {
                alice.say("during " + i);
            }
            await("alice has her 21").atMost(ofSeconds(5)).until(() -> alice.seqs().size() == 21);
            await("node-2 subscribes again").atMost(ofSeconds(10))
                    .until(() -> health(cluster.node(2)).path("resubscriptions").asLong() == 1);
            alice.say("after");
            await("bob hears after").atMost(ofSeconds(5)).until(() -> bob.texts().contains("after"));
            List<Long> lost = LongStream.rangeClosed(2, 21).boxed().filter(s -> !bob.seqs().contains(s)).toList();
            assertThat(lost).as("seqs bob never received").hasSize(20);
            assertThat(bob.seqs()).containsExactly(1L, 22L);
        }
    }

    @Test
    void a_message_the_subscription_never_saw_is_filled_from_history_when_the_next_seq_arrives() {
        try (Cluster cluster = Cluster.start(2);
             ChatClient alice = ChatClient.connect("alice", cluster.node(1).wsUri()).joinAndWait("gap");
             ChatClient bob = ChatClient.connect("bob", cluster.node(2).wsUri()).joinAndWait("gap");
             RedisClient redis = RedisClient.create(cluster.redis.host(), cluster.redis.port())) {
            alice.say("one");
            await("bob has seq 1").atMost(ofSeconds(5)).until(() -> bob.seqs().equals(List.of(1L)));
            // Seq 2 is stored exactly as the append script stores it, but never published: a lost publish.
            String epoch = bob.lastJoined().path("epoch").asText();
            long seq = (Long) redis.sendCommand(Command.INCR, "chat:{gap}:seq");
            redis.sendCommand(Command.ZADD, "chat:{gap}:log", String.valueOf(seq), "{\"seq\":" + seq + ",\"epoch\":\"" + epoch
                    + "\",\"sentAt\":1,\"roomId\":\"gap\",\"from\":\"test\",\"message\":\"lost in transit\"}");
            alice.say("three");
            await("bob gets 2 from history before 3").atMost(ofSeconds(5))
                    .untilAsserted(() -> assertThat(bob.texts()).containsExactly("one", "lost in transit", "three"));
            assertThat(bob.seqs()).containsExactly(1L, 2L, 3L);
            assertThat(alice.texts()).as("node-1 fills the same gap").containsExactly("one", "lost in transit", "three");
        }
    }

    @Test
    void a_node_started_after_messages_were_sent_serves_them_over_http() {
        try (Cluster cluster = Cluster.start(1);
             ChatClient alice = ChatClient.connect("alice", cluster.node(1).wsUri()).joinAndWait("archive")) {
            for (int i = 1; i <= 5; i++) {
                alice.say("m" + i);
            }
            await("stored").atMost(ofSeconds(5)).until(() -> alice.seqs().size() == 5);
            try (ChatServer late = ChatServer.start(ChatConfig.forTests("node-late", cluster.redis.uri()))) {
                JsonNode page = HttpJson.get(late.httpUri(), "rooms/archive/messages").body();
                List<String> texts = new ArrayList<>();
                page.path("messages").forEach(m -> texts.add(m.path("message").asText()));
                assertThat(texts).containsExactly("m1", "m2", "m3", "m4", "m5");
                assertThat(page.path("epoch").asText()).isEqualTo(alice.lastJoined().path("epoch").asText());
            }
        }
    }

    @Test
    void a_retried_send_with_the_same_clientMsgId_is_stored_once_delivered_once_and_acked_with_the_same_seq() {
        try (Cluster cluster = Cluster.start(2);
             ChatClient alice = ChatClient.connect("alice", cluster.node(1).wsUri()).joinAndWait("retry");
             ChatClient bob = ChatClient.connect("bob", cluster.node(2).wsUri()).joinAndWait("retry")) {
            alice.sendRaw(Frames.message("hello once", "alice-1"));
            alice.sendRaw(Frames.message("hello once", "alice-1"));
            // The retry may also come through another node, after a reconnect.
            try (ChatClient aliceAgain = ChatClient.connect("alice again", cluster.node(2).wsUri()).joinAndWait("retry")) {
                aliceAgain.sendRaw(Frames.message("hello once", "alice-1"));
                await("three acks").atMost(ofSeconds(5))
                        .until(() -> alice.framesOfType("ack").size() == 2 && aliceAgain.framesOfType("ack").size() == 1);
                assertThat(aliceAgain.framesOfType("ack").get(0).path("payload").path("seq").asLong()).isEqualTo(1);
            }
            assertThat(alice.framesOfType("ack")).extracting(a -> a.path("payload").path("seq").asLong()).containsExactly(1L, 1L);
            assertThat(alice.framesOfType("ack")).extracting(a -> a.path("payload").path("clientMsgId").asText())
                    .containsOnly("alice-1");
            alice.sendRaw(Frames.message("a new one", "alice-2"));
            await("bob sees each message once").atMost(ofSeconds(5))
                    .untilAsserted(() -> assertThat(bob.texts()).containsExactly("hello once", "a new one"));
            assertThat(bob.seqs()).containsExactly(1L, 2L);
            assertThat(bob.framesOfType("message").get(0).path("payload").path("clientMsgId").asText()).isEqualTo("alice-1");
        }
    }

    @Test
    void with_redis_down_sends_get_unavailable_and_connections_stay_up_then_everything_works_again() {
        try (Cluster cluster = Cluster.start(2);
             ChatClient alice = ChatClient.connect("alice", cluster.node(1).wsUri()).joinAndWait("outage");
             ChatClient bob = ChatClient.connect("bob", cluster.node(2).wsUri()).joinAndWait("outage")) {
            alice.say("before");
            await("bob hears before").atMost(ofSeconds(5)).until(() -> bob.texts().contains("before"));

            cluster.redis.kill();
            alice.say("while down");
            await("alice is told unavailable").atMost(ofSeconds(10))
                    .untilAsserted(() -> assertThat(alice.errorCodes()).containsExactly("unavailable"));
            try (ChatClient carol = ChatClient.connect("carol", cluster.node(2).wsUri())) {
                carol.join("outage");
                await("a join is told unavailable too").atMost(ofSeconds(10))
                        .untilAsserted(() -> assertThat(carol.errorCodes()).containsExactly("unavailable"));
            }
            assertThat(HttpJson.get(cluster.node(1).httpUri(), "rooms/outage/messages").status()).isEqualTo(503);
            await("the connections stay up").during(ofMillis(500)).atMost(ofSeconds(2))
                    .until(() -> alice.isOpen() && bob.isOpen());

            cluster.redis.restart();
            await("alice's sends work again").atMost(ofSeconds(15)).pollInterval(ofMillis(300)).untilAsserted(() -> {
                alice.say("back");
                assertThat(bob.texts()).contains("back");
            });
            assertThat(bob.texts().get(0)).isEqualTo("before");
            assertThat(bob.seqs()).as("seq continues: the history survived in the append-only file").startsWith(1L, 2L);
            assertThat(bob.seqs()).isSorted().doesNotHaveDuplicates();
        }
    }

    @Test
    void a_frozen_redis_makes_sends_unavailable_without_dropping_clients_and_the_node_recovers_after_thaw() {
        try (Cluster cluster = Cluster.start(2, c -> c.withSubscription(ofMillis(250), ofMillis(1500), ofMillis(200), c.backfill()));
             ChatClient alice = ChatClient.connect("alice", cluster.node(1).wsUri()).joinAndWait("frozen");
             ChatClient bob = ChatClient.connect("bob", cluster.node(2).wsUri()).joinAndWait("frozen")) {
            cluster.redis.freeze();
            try {
                alice.say("into the ice");
                await("alice is told unavailable").atMost(ofSeconds(10))
                        .untilAsserted(() -> assertThat(alice.errorCodes()).contains("unavailable"));
                await("node-2 notices its subscription went silent").atMost(ofSeconds(10))
                        .until(() -> !health(cluster.node(2)).path("subscribed").asBoolean());
            } finally {
                cluster.redis.thaw();
            }
            await("sends work again").atMost(ofSeconds(15)).pollInterval(ofMillis(300)).untilAsserted(() -> {
                alice.say("thawed");
                assertThat(bob.texts()).contains("thawed");
            });
            assertThat(alice.isOpen() && bob.isOpen()).isTrue();
            assertThat(bob.seqs()).isSorted().doesNotHaveDuplicates();
        }
    }

    @Test
    void when_redis_loses_the_history_members_are_told_with_a_new_epoch_and_recovered_false() {
        try (Cluster cluster = Cluster.start(2);
             ChatClient alice = ChatClient.connect("alice", cluster.node(1).wsUri()).joinAndWait("amnesia");
             ChatClient bob = ChatClient.connect("bob", cluster.node(2).wsUri()).joinAndWait("amnesia")) {
            String firstEpoch = bob.lastJoined().path("epoch").asText();
            alice.say("one");
            alice.say("two");
            await("bob has 1-2").atMost(ofSeconds(5)).until(() -> bob.seqs().equals(List.of(1L, 2L)));
            cluster.redis.flushAll();
            alice.say("after the flush");
            await("bob is told the history changed").atMost(ofSeconds(5))
                    .until(() -> bob.framesOfType("joined").size() == 2);
            JsonNode told = bob.lastJoined();
            assertThat(told.path("recovered").asBoolean()).isFalse();
            assertThat(told.path("epoch").asText()).isNotEqualTo(firstEpoch);
            await("then gets the new history's seq 1").atMost(ofSeconds(5))
                    .untilAsserted(() -> assertThat(bob.seqs()).containsExactly(1L, 2L, 1L));

            try (ChatClient stale = ChatClient.connect("stale", cluster.node(1).wsUri())) {
                stale.sendRaw("{\"type\":\"join\",\"payload\":{\"roomId\":\"amnesia\",\"since\":2,\"epoch\":\"" + firstEpoch + "\"}}");
                await("a client resuming the old history is told too").atMost(ofSeconds(5))
                        .until(() -> !stale.framesOfType("joined").isEmpty());
                assertThat(stale.lastJoined().path("recovered").asBoolean()).isFalse();
                await("and gets the new history from its start").atMost(ofSeconds(5))
                        .untilAsserted(() -> assertThat(stale.texts()).containsExactly("after the flush"));
            }
        }
    }

    private static JsonNode health(ChatServer node) {
        return HttpJson.get(node.httpUri(), "health").body();
    }

    /** Closes one node's subscriber connection from the Redis side, as a network blip would. */
    private static void killSubscriber(Cluster cluster, String nodeId) {
        try (RedisClient redis = RedisClient.create(cluster.redis.host(), cluster.redis.port())) {
            String clients = new String((byte[]) redis.sendCommand(Command.CLIENT, "LIST"), StandardCharsets.UTF_8);
            String id = clients.lines().filter(l -> l.contains(" name=" + nodeId + "-subscriber "))
                    .map(l -> l.substring(l.indexOf("id=") + 3, l.indexOf(' ')))
                    .findFirst().orElseThrow(() -> new AssertionError("no subscriber for " + nodeId + " in\n" + clients));
            redis.sendCommand(Command.CLIENT, "KILL", "ID", id);
        }
    }
}
