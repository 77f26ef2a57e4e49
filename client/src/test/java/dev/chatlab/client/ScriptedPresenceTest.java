package dev.chatlab.client;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * Presence and typing through the client, against a scripted node that plays step 8's frames: the members
 * view from {@code joined} and {@code presence}, typing signals both ways and their expiry.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ScriptedPresenceTest {
    private static final String ROOM = "scripted";
    private final List<AutoCloseable> resources = new ArrayList<>();
    /** The clock typing signals are timed by: the test moves it, so expiry needs no waiting. */
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable resource : resources) {
            resource.close();
        }
    }

    /** A node that answers every join of "ada" with the members {@code ada} and {@code bob}, as step 8 does. */
    private ScriptedNode node() {
        ScriptedNode node = ScriptedNode.start((peer, type, payload) -> {
            if (type.equals("join")) {
                peer.joined(ROOM, 0, "e1", List.of("ada", "bob"));
            }
        });
        resources.add(node);
        return node;
    }

    private ResilientClient client(Recorder recorder, ScriptedNode node,
                                   Function<ResilientClient.Builder, ResilientClient.Builder> tune) {
        ResilientClient client = tune.apply(ResilientClient.builder(ROOM, node.wsUri())
                        .name("ada")
                        .listener(recorder)
                        .heartbeat(ofMillis(100), ofSeconds(1))
                        .connectTimeout(ofSeconds(2))
                        .backoff(ofMillis(50), ofMillis(500))
                        .clock(now::get))
                .build();
        resources.add(client);
        client.start();
        return client;
    }

    private ResilientClient joined(Recorder recorder, ScriptedNode node) {
        return joined(recorder, node, b -> b);
    }

    private ResilientClient joined(Recorder recorder, ScriptedNode node,
                                   Function<ResilientClient.Builder, ResilientClient.Builder> tune) {
        ResilientClient client = client(recorder, node, tune);
        awaitConnections(client, recorder, 1);
        return client;
    }

    private static void awaitConnections(ResilientClient client, Recorder recorder, int times) {
        await(client.clientId() + " joined " + times + " time(s)").atMost(ofSeconds(10))
                .failFast("gave up: " + recorder.fatal, () -> client.state() == ResilientClient.State.CLOSED)
                .until(() -> recorder.connected.size() >= times && client.state() == ResilientClient.State.CONNECTED);
    }

    private static void awaitView(Recorder recorder, int views, String... members) {
        await("view " + views + ": " + List.of(members)).atMost(ofSeconds(5))
                .untilAsserted(() -> {
                    assertThat(recorder.memberViews).hasSize(views);
                    assertThat(recorder.memberViews.get(views - 1)).containsExactly(members);
                });
    }

    private void advance(Duration by) {
        now.addAndGet(by.toNanos());
    }

    @Test
    void the_members_view_comes_from_the_joined_and_follows_join_leave_and_sync() {
        ScriptedNode node = node();
        Recorder recorder = new Recorder();
        ResilientClient client = client(recorder, node, b -> b);
        assertThat(client.members()).as("empty before the first join").isEmpty();
        awaitConnections(client, recorder, 1);
        awaitView(recorder, 1, "ada", "bob");
        assertThat(client.members()).containsExactly("ada", "bob");
        assertThatThrownBy(() -> client.members().add("eve")).isInstanceOf(UnsupportedOperationException.class);

        ScriptedNode.Peer peer = node.lastPeer();
        peer.presence(ROOM, "join", "carol");
        awaitView(recorder, 2, "ada", "bob", "carol");
        peer.presence(ROOM, "leave", "bob");
        awaitView(recorder, 3, "ada", "carol");
        peer.sync(ROOM, List.of("dan", "ada"));
        awaitView(recorder, 4, "ada", "dan");
        assertThat(client.members()).containsExactly("ada", "dan");

        // Nothing changes: another room's events, a repeated join, a leave of someone absent, frames of unknown
        // types. The join that follows them is the next view: nothing in between was reported.
        peer.presence("elsewhere", "join", "zed");
        peer.sync("elsewhere", List.of("zed"));
        peer.presence(ROOM, "join", "dan");
        peer.presence(ROOM, "leave", "bob");
        peer.send("wave", com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("roomId", ROOM));
        peer.send("presence", com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                .put("roomId", ROOM).put("event", "shrug").put("name", "zed"));
        peer.presence(ROOM, "join", "erin");
        awaitView(recorder, 5, "ada", "dan", "erin");
        assertThat(client.state()).isEqualTo(ResilientClient.State.CONNECTED);
        assertThat(recorder.fatal).isEmpty();
    }

    @Test
    void after_a_reconnect_the_new_joined_replaces_the_view_and_a_joined_without_members_keeps_it() {
        List<List<String>> answers = List.of(List.of("ada", "bob"), List.of("ada", "carol"));
        ScriptedNode node = ScriptedNode.start((peer, type, payload) -> {
            if (type.equals("join")) {
                peer.joined(ROOM, 0, "e1", answers.get(Math.min(peer.number, 2) - 1));
            }
        });
        resources.add(node);
        Recorder recorder = new Recorder();
        ResilientClient client = joined(recorder, node, b -> b.reconnectSoonWithin(ofMillis(10)));
        awaitView(recorder, 1, "ada", "bob");

        node.lastPeer().close(1012, "draining");
        awaitConnections(client, recorder, 2);
        awaitView(recorder, 2, "ada", "carol");

        // The joined a node sends when the room's history was replaced carries no members: the view stays.
        node.lastPeer().joined(ROOM, 0, "e2", true);
        await("the new epoch is taken").atMost(ofSeconds(5)).until(() -> "e2".equals(client.epoch()));
        assertThat(client.members()).containsExactly("ada", "carol");
        assertThat(recorder.memberViews).hasSize(2);
    }

    @Test
    void typing_sends_one_frame_when_the_client_is_in_its_room_and_none_otherwise() {
        ScriptedNode node = node();
        Recorder recorder = new Recorder();
        ResilientClient client = ResilientClient.builder(ROOM, node.wsUri()).listener(recorder).build();
        resources.add(client);
        assertThat(client.typing()).as("not started").isFalse();

        client = joined(recorder, node, b -> b.backoff(ofSeconds(1), ofSeconds(2)).random(BackoffTest.HIGHEST));
        assertThat(client.typing()).isTrue();
        await("the node gets the signal").atMost(ofSeconds(5)).until(() -> node.received("typing").size() == 1);
        assertThat(node.received("typing").get(0).payload()).isEmpty();

        // Away: not sent, and not sent later either.
        node.lastPeer().close(4008, "too slow");
        ResilientClient away = client;
        await("the client notices").atMost(ofSeconds(5)).pollInterval(ofMillis(10))
                .until(() -> away.state() == ResilientClient.State.RECONNECTING);
        assertThat(client.typing()).isFalse();
        awaitConnections(client, recorder, 2);
        await("nothing was kept for the new connection").during(ofMillis(300)).atMost(ofSeconds(2))
                .until(() -> node.received("typing").size() == 1);

        assertThat(client.typing()).isTrue();
        await("back in the room, it goes out on the new connection").atMost(ofSeconds(5))
                .until(() -> node.received("typing").size() == 2);
        assertThat(node.received("typing").get(1).connection()).isEqualTo(2);

        client.close();
        assertThat(client.typing()).as("closed").isFalse();
    }

    @Test
    void a_typing_signal_is_reported_and_counts_for_three_seconds_after_the_last_one() {
        ScriptedNode node = node();
        Recorder recorder = new Recorder();
        ResilientClient client = joined(recorder, node);
        assertThat(client.typingNow()).isEmpty();

        node.lastPeer().typing(ROOM, "bob");
        await("bob is typing").atMost(ofSeconds(5)).until(() -> recorder.typing.equals(List.of("bob")));
        assertThat(client.typingNow()).containsExactly("bob");

        advance(ofMillis(2900));
        assertThat(client.typingNow()).containsExactly("bob");
        node.lastPeer().typing(ROOM, "carol");
        await("carol too").atMost(ofSeconds(5)).until(() -> recorder.typing.size() == 2);
        assertThat(client.typingNow()).containsExactly("bob", "carol");
        assertThatThrownBy(() -> client.typingNow().add("eve")).isInstanceOf(UnsupportedOperationException.class);

        advance(ofMillis(100));
        assertThat(client.typingNow()).as("bob's signal is 3 s old").containsExactly("carol");
        node.lastPeer().typing(ROOM, "bob");
        await("bob again").atMost(ofSeconds(5)).until(() -> recorder.typing.size() == 3);
        advance(ofMillis(2999));
        assertThat(client.typingNow()).containsExactly("bob");
        advance(ofMillis(1));
        assertThat(client.typingNow()).isEmpty();

        // Another room's signal is not reported.
        node.lastPeer().typing("elsewhere", "zed");
        node.lastPeer().typing(ROOM, "dan");
        await("dan").atMost(ofSeconds(5)).until(() -> recorder.typing.size() == 4);
        assertThat(recorder.typing).containsExactly("bob", "carol", "bob", "dan");
        assertThat(client.typingNow()).containsExactly("dan");
    }

    @Test
    void a_message_from_a_typing_member_ends_its_typing_at_once() {
        ScriptedNode node = node();
        Recorder recorder = new Recorder();
        ResilientClient client = joined(recorder, node);
        ScriptedNode.Peer peer = node.lastPeer();
        peer.typing(ROOM, "bob");
        peer.typing(ROOM, "carol");
        await("both type").atMost(ofSeconds(5)).until(() -> client.typingNow().equals(Set.of("bob", "carol")));

        peer.message(ROOM, 1, "e1", "bob", "hi");
        await("bob's message arrives").atMost(ofSeconds(5)).until(() -> recorder.texts().equals(List.of("hi")));
        assertThat(client.typingNow()).containsExactly("carol");

        peer.typing(ROOM, "bob");
        await("bob types again").atMost(ofSeconds(5)).until(() -> client.typingNow().equals(Set.of("bob", "carol")));
    }
}
