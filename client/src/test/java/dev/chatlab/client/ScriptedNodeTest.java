package dev.chatlab.client;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * The client against a scripted node, for what a real node does not do on cue: close codes 1012,
 * 4008 and 1008, an unannounced seq gap, refused sends, a late ack, silence.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ScriptedNodeTest {
    private static final String ROOM = "scripted";
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable resource : resources) {
            resource.close();
        }
    }

    private ScriptedNode node(ScriptedNode.Script script) {
        ScriptedNode node = ScriptedNode.start(script);
        resources.add(node);
        return node;
    }

    /** Answers every join as a room at {@code head} of history {@code epoch}, and hands messages to {@code onMessage}. */
    private static ScriptedNode.Script roomAt(long head, String epoch, ScriptedNode.Script onMessage) {
        return (peer, type, payload) -> {
            if (type.equals("join")) {
                peer.joined(payload.path("roomId").asText(), head, epoch, true);
            } else if (type.equals("message")) {
                onMessage.on(peer, type, payload);
            }
        };
    }

    private static ScriptedNode.Script roomAt(long head, String epoch) {
        return roomAt(head, epoch, (peer, type, payload) -> {
        });
    }

    private ResilientClient client(Recorder recorder, Function<ClientBuilder, ClientBuilder> tune,
                                   URI... uris) {
        ResilientClient client = tune.apply(ResilientClient.builder(ROOM, uris)
                        .listener(recorder)
                        .heartbeat(ofMillis(100), ofSeconds(1))
                        .connectTimeout(ofSeconds(2))
                        .backoff(ofMillis(50), ofMillis(500)))
                .build();
        resources.add(client);
        client.start();
        return client;
    }

    private static void awaitConnections(ResilientClient client, Recorder recorder, int times) {
        await(client.clientId() + " joined " + times + " time(s)").atMost(ofSeconds(10))
                .failFast("gave up: " + recorder.fatal, () -> client.state() == ResilientClient.State.CLOSED)
                .until(() -> recorder.connected.size() >= times && client.state() == ResilientClient.State.CONNECTED);
    }

    private static JsonNode join(ScriptedNode node, int index) {
        return node.received("join").get(index).payload();
    }

    @Test
    void a_1012_close_brings_the_client_back_soon_resuming_with_since_and_epoch() {
        ScriptedNode node = node(roomAt(5, "e1"));
        Recorder recorder = new Recorder();
        ResilientClient client = client(recorder, b -> b.backoff(ofSeconds(5), ofSeconds(10))
                .reconnectSoonWithin(ofMillis(300)).random(BackoffTest.HIGHEST), node.wsUri());
        awaitConnections(client, recorder, 1);
        assertThat(join(node, 0).has("since")).as("the first join starts at the room's head").isFalse();

        node.lastPeer().close(1012, "draining");
        awaitConnections(client, recorder, 2);
        assertThat(recorder.disconnects).containsExactly(new Recorder.Disconnect(1012, "draining", true));
        assertThat(recorder.attempts.get(1).delay()).as("soon, not the 5 s backoff").isEqualTo(ofMillis(300));
        assertThat(join(node, 1).path("since").asLong()).isEqualTo(5);
        assertThat(join(node, 1).path("epoch").asText()).isEqualTo("e1");
        assertThat(client.reconnects()).isEqualTo(1);
    }

    @Test
    void a_4008_close_resumes_after_the_first_step_of_the_backoff() {
        ScriptedNode node = node(roomAt(5, "e1"));
        Recorder recorder = new Recorder();
        ResilientClient client = client(recorder, b -> b.backoff(ofMillis(400), ofSeconds(10))
                .reconnectSoonWithin(ofMillis(10)).random(BackoffTest.HIGHEST), node.wsUri());
        awaitConnections(client, recorder, 1);

        node.lastPeer().close(4008, "too slow");
        awaitConnections(client, recorder, 2);
        assertThat(recorder.attempts.get(1).delay()).isEqualTo(ofMillis(400));
        assertThat(join(node, 1).path("since").asLong()).isEqualTo(5);
    }

    @Test
    void a_1008_close_is_fatal_the_client_does_not_reconnect_and_its_waiting_sends_become_unknown() {
        ScriptedNode node = node(roomAt(0, "e1"));
        Recorder recorder = new Recorder();
        ResilientClient client = client(recorder, b -> b, node.wsUri());
        awaitConnections(client, recorder, 1);
        Sending waiting = client.send("never acked");
        await("the message reaches the node").atMost(ofSeconds(5)).until(() -> node.received("message").size() == 1);

        node.lastPeer().close(1008, "banned");
        await("the client gives up").atMost(ofSeconds(5)).until(() -> client.state() == ResilientClient.State.CLOSED);
        assertThat(recorder.fatal).singleElement().asString().contains("1008").contains("banned");
        assertThatThrownBy(waiting::join).hasCauseInstanceOf(SendUnknownException.class);
        assertThat(recorder.unknown).containsExactly(waiting.clientMsgId());
        await("and never comes back").during(ofMillis(500)).atMost(ofSeconds(2)).until(() -> node.connections() == 1);
    }

    @Test
    void a_node_that_falls_silent_is_dropped_after_dead_after_and_the_client_reconnects() {
        ScriptedNode node = node(roomAt(5, "e1"));
        Recorder recorder = new Recorder();
        ResilientClient client = client(recorder, b -> b.heartbeat(ofMillis(100), ofMillis(500)), node.wsUri());
        awaitConnections(client, recorder, 1);
        await("the client pings").atMost(ofSeconds(2)).until(() -> node.received("ping").size() >= 2);

        node.lastPeer().mute();
        awaitConnections(client, recorder, 2);
        assertThat(node.connections()).isEqualTo(2);
        Recorder.Disconnect dropped = recorder.disconnects.get(0);
        assertThat(dropped.code()).isEqualTo(1006);
        assertThat(dropped.remote()).isFalse();
        assertThat(dropped.reason()).startsWith("no frame for");
        assertThat(join(node, 1).path("since").asLong()).isEqualTo(5);
        assertThat(client.lastReconnectTime()).isLessThan(ofSeconds(5));
    }

    @Test
    void an_unannounced_seq_gap_is_not_delivered_past_and_the_client_rejoins_to_fill_it() {
        ScriptedNode node = node((peer, type, payload) -> {
            if (!type.equals("join")) {
                return;
            }
            if (!payload.has("since")) {
                peer.joined(ROOM, 0, "e1", true);
            } else {
                peer.joined(ROOM, 3, "e1", true);
                peer.message(ROOM, 1, "e1", "one");
                peer.message(ROOM, 2, "e1", "two");
                peer.message(ROOM, 3, "e1", "three");
            }
        });
        Recorder recorder = new Recorder();
        ResilientClient client = client(recorder, b -> b, node.wsUri());
        awaitConnections(client, recorder, 1);

        node.lastPeer().message(ROOM, 1, "e1", "one");
        node.lastPeer().message(ROOM, 3, "e1", "three");
        await("the gap is filled before three is delivered").atMost(ofSeconds(5))
                .untilAsserted(() -> assertThat(recorder.texts()).containsExactly("one", "two", "three"));
        assertThat(recorder.seqs()).containsExactly(1L, 2L, 3L);
        assertThat(recorder.gaps).containsExactly(new Recorder.Gap(2, 3));
        assertThat(client.gapsDetected()).isEqualTo(1);
        assertThat(client.duplicatesDropped()).as("seq 1 came again in the replay").isEqualTo(1);
        assertThat(join(node, 1).path("since").asLong()).isEqualTo(1);
        assertThat(join(node, 1).path("epoch").asText()).isEqualTo("e1");
        assertThat(node.connections()).as("rejoined on the same connection").isEqualTo(1);
        assertThat(recorder.connected).as("a resync is not a reconnect").hasSize(1);
    }

    @Test
    void a_send_refused_as_unavailable_is_sent_again_with_the_same_clientMsgId_until_it_is_acked() {
        Map<String, Integer> tries = new ConcurrentHashMap<>();
        ScriptedNode node = node(roomAt(0, "e1", (peer, type, payload) -> {
            String id = payload.path("clientMsgId").asText();
            if (tries.merge(id, 1, Integer::sum) < 3) {
                peer.error(tries.get(id) == 1 ? "unavailable" : "rate_limited", id);
            } else {
                peer.ack(id, 1);
            }
        }));
        Recorder recorder = new Recorder();
        ResilientClient client = client(recorder, b -> b, node.wsUri());
        awaitConnections(client, recorder, 1);

        Sending sending = client.send("persistent");
        assertThat(sending.join()).isEqualTo(1);
        assertThat(node.received("message")).hasSize(3)
                .allSatisfy(r -> assertThat(r.payload().path("clientMsgId").asText()).isEqualTo(sending.clientMsgId()));
        assertThat(recorder.acks).containsExactly(new Recorder.Ack(sending.clientMsgId(), 1));
        assertThat(recorder.failed).isEmpty();
        assertThat(client.unacked()).isZero();
    }

    @Test
    void a_send_refused_for_good_fails_with_the_servers_code_and_is_not_sent_again() {
        ScriptedNode node = node(roomAt(0, "e1",
                (peer, type, payload) -> peer.error("bad_payload", payload.path("clientMsgId").asText())));
        Recorder recorder = new Recorder();
        ResilientClient client = client(recorder, b -> b, node.wsUri());
        awaitConnections(client, recorder, 1);

        Sending sending = client.send("refused");
        assertThatThrownBy(sending::join).cause().isInstanceOfSatisfying(SendFailedException.class,
                e -> assertThat(e.code()).isEqualTo("bad_payload"));
        assertThat(recorder.failed).containsExactly(sending.clientMsgId());
        assertThat(client.unacked()).isZero();
        await("it is not sent again").during(ofMillis(300)).atMost(ofSeconds(2))
                .until(() -> node.received("message").size() == 1);
    }

    @Test
    void a_send_that_times_out_becomes_unknown_and_a_late_ack_for_it_is_still_reported() {
        ScriptedNode node = node(roomAt(0, "e1"));
        Recorder recorder = new Recorder();
        ResilientClient client = client(recorder, b -> b.sendTimeout(ofMillis(300)), node.wsUri());
        awaitConnections(client, recorder, 1);

        Sending sending = client.send("slow");
        assertThatThrownBy(sending::join).hasCauseInstanceOf(SendUnknownException.class);
        assertThat(recorder.unknown).containsExactly(sending.clientMsgId());
        assertThat(client.unacked()).isZero();

        node.lastPeer().ack(sending.clientMsgId(), 7);
        await("the late ack is reported").atMost(ofSeconds(5))
                .untilAsserted(() -> assertThat(recorder.acks).containsExactly(new Recorder.Ack(sending.clientMsgId(), 7)));
    }

    @Test
    void a_join_refused_as_unavailable_is_tried_again_on_the_same_connection() {
        AtomicInteger joins = new AtomicInteger();
        ScriptedNode node = node((peer, type, payload) -> {
            if (type.equals("join")) {
                if (joins.incrementAndGet() == 1) {
                    peer.error("unavailable", null);
                } else {
                    peer.joined(ROOM, 0, "e1", true);
                }
            }
        });
        Recorder recorder = new Recorder();
        ResilientClient client = client(recorder, b -> b, node.wsUri());
        awaitConnections(client, recorder, 1);
        assertThat(recorder.errors).containsExactly("unavailable");
        assertThat(node.received("join")).hasSize(2);
        assertThat(node.connections()).isEqualTo(1);
    }

    @Test
    void a_join_refused_as_an_invalid_room_is_fatal() {
        ScriptedNode node = node((peer, type, payload) -> peer.error("invalid_room", null));
        Recorder recorder = new Recorder();
        ResilientClient client = client(recorder, b -> b, node.wsUri());
        await("the client gives up").atMost(ofSeconds(5)).until(() -> client.state() == ResilientClient.State.CLOSED);
        assertThat(recorder.fatal).singleElement().asString().contains("scripted");
        assertThat(node.connections()).isEqualTo(1);
    }

    @Test
    void a_uri_that_refuses_connections_is_left_for_the_next_one() throws IOException {
        URI refusing;
        try (ServerSocket closedSoon = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            refusing = URI.create("ws://127.0.0.1:" + closedSoon.getLocalPort() + "/");
        }
        ScriptedNode node = node(roomAt(0, "e1"));
        Recorder recorder = new Recorder();
        ResilientClient client = client(recorder, b -> b, refusing, node.wsUri());
        awaitConnections(client, recorder, 1);
        assertThat(recorder.attempts).extracting(Recorder.Attempt::uri).startsWith(refusing, node.wsUri());
        assertThat(recorder.attempts).extracting(Recorder.Attempt::attempt).startsWith(0, 1);
        assertThat(recorder.disconnects.get(0).code()).as("never connected").isEqualTo(-1);
        assertThat(client.reconnects()).as("it had never been in the room").isZero();
    }
}
