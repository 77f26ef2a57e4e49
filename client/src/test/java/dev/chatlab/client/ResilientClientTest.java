package dev.chatlab.client;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chatlab.testkit.HttpJson;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The client against real step 4 nodes and a real Redis: joining, chatting, failing over, resuming. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ResilientClientTest {
    private final List<ResilientClient> clients = new ArrayList<>();
    private Cluster cluster;

    @AfterEach
    void closeAll() {
        clients.forEach(ResilientClient::close);
        if (cluster != null) {
            cluster.close();
        }
    }

    private Cluster cluster(int nodes) {
        cluster = Cluster.start(nodes);
        return cluster;
    }

    /** A started client with test-sized timings; its events go to {@code recorder}. */
    private ResilientClient client(String name, Recorder recorder, String roomId, URI... uris) {
        return client(name, recorder, roomId, b -> b, uris);
    }

    private ResilientClient client(String name, Recorder recorder, String roomId,
                                   Function<ClientBuilder, ClientBuilder> tune, URI... uris) {
        ResilientClient client = tune.apply(ResilientClient.builder(roomId, uris)
                        .name(name)
                        .listener(recorder)
                        .heartbeat(ofMillis(200), ofMillis(1000))
                        .connectTimeout(ofSeconds(2))
                        .backoff(ofMillis(50), ofMillis(500)))
                .build();
        clients.add(client);
        client.start();
        return client;
    }

    private static void awaitConnected(ResilientClient client, Recorder recorder) {
        await(client.clientId() + " joins").atMost(ofSeconds(10))
                .failFast(client.clientId() + " gave up: " + recorder.fatal, () -> client.state() == ResilientClient.State.CLOSED)
                .until(() -> client.state() == ResilientClient.State.CONNECTED && !recorder.connected.isEmpty());
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    @Test
    void a_client_joins_and_receives_the_rooms_messages_in_seq_order() {
        cluster(1);
        Recorder ada = new Recorder();
        ResilientClient client = client("ada", ada, "lobby", cluster.wsUri(1));
        awaitConnected(client, ada);
        assertThat(ada.connected).containsExactly("node-1");
        assertThat(client.node()).isEqualTo("node-1");
        assertThat(client.epoch()).isNotBlank();

        List<Sending> sent = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            sent.add(client.send("m" + i));
        }
        await("ada receives her 20 messages").atMost(ofSeconds(5))
                .untilAsserted(() -> assertThat(ada.seqs()).isEqualTo(range(1, 20)));
        assertThat(ada.texts()).isEqualTo(LongStream.rangeClosed(1, 20).mapToObj(i -> "m" + i).toList());
        assertThat(sent).extracting(Sending::join).isEqualTo(range(1, 20));
        assertThat(ada.messages).extracting(ChatMessage::from).containsOnly("ada");
        assertThat(ada.messages).extracting(ChatMessage::clientMsgId).isEqualTo(sent.stream().map(Sending::clientMsgId).toList());
        assertThat(client.lastSeq()).isEqualTo(20);
        assertThat(client.unacked()).isZero();
        assertThat(client.delivered()).isEqualTo(20);
    }

    @Test
    void a_client_that_joins_late_starts_at_the_rooms_head_and_gets_only_what_follows() {
        cluster(1);
        Recorder ada = new Recorder();
        ResilientClient first = client("ada", ada, "late", cluster.wsUri(1));
        awaitConnected(first, ada);
        first.send("before bob").join();
        Recorder bob = new Recorder();
        ResilientClient late = client("bob", bob, "late", cluster.wsUri(1));
        awaitConnected(late, bob);
        assertThat(late.lastSeq()).isEqualTo(1);
        first.send("after bob").join();
        await("bob gets what follows his join").atMost(ofSeconds(5))
                .untilAsserted(() -> assertThat(bob.texts()).containsExactly("after bob"));
    }

    @Test
    void two_clients_on_different_nodes_chat() {
        cluster(2);
        Recorder ada = new Recorder();
        Recorder bob = new Recorder();
        ResilientClient adaClient = client("ada", ada, "lobby", cluster.wsUri(1));
        ResilientClient bobClient = client("bob", bob, "lobby", cluster.wsUri(2));
        awaitConnected(adaClient, ada);
        awaitConnected(bobClient, bob);
        assertThat(List.of(adaClient.node(), bobClient.node())).containsExactly("node-1", "node-2");

        adaClient.send("hi bob").join();
        await("bob hears ada").atMost(ofSeconds(5)).until(() -> bob.texts().contains("hi bob"));
        bobClient.send("hi ada").join();
        await("ada hears bob").atMost(ofSeconds(5)).until(() -> ada.texts().contains("hi ada"));

        assertThat(ada.texts()).containsExactly("hi bob", "hi ada");
        assertThat(bob.texts()).containsExactly("hi bob", "hi ada");
        assertThat(bob.messages).extracting(ChatMessage::from).containsExactly("ada", "bob");
        assertThat(ada.seqs()).isEqualTo(bob.seqs()).containsExactly(1L, 2L);
    }

    @Test
    void when_its_node_stops_the_client_moves_to_the_next_uri_resumes_and_misses_and_duplicates_nothing() {
        cluster(2);
        Recorder ada = new Recorder();
        Recorder bob = new Recorder();
        ResilientClient sender = client("ada", ada, "failover", cluster.wsUri(2));
        URI node1 = cluster.wsUri(1);
        URI node2 = cluster.wsUri(2);
        ResilientClient reader = client("bob", bob, "failover", node1, node2);
        awaitConnected(sender, ada);
        awaitConnected(reader, bob);
        assertThat(reader.node()).isEqualTo("node-1");

        List<Sending> sent = new ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            sent.add(sender.send("before " + i));
        }
        await("bob has the first 30").atMost(ofSeconds(5)).until(() -> bob.seqs().size() == 30);

        cluster.stop(1);
        // Sent while bob is away or coming back: he must get them from the replay or live, once.
        for (int i = 1; i <= 30; i++) {
            sent.add(sender.send("during " + i));
        }
        Sending bobsOwn = reader.send("bob is back");
        await("bob is back in the room on node-2").atMost(ofSeconds(10))
                .failFast("bob gave up: " + bob.fatal, () -> reader.state() == ResilientClient.State.CLOSED)
                .until(() -> reader.state() == ResilientClient.State.CONNECTED && "node-2".equals(reader.node()));
        for (int i = 1; i <= 30; i++) {
            sent.add(sender.send("after " + i));
        }
        sent.forEach(Sending::join);
        bobsOwn.join();

        await("bob has all 91, each once, in order").atMost(ofSeconds(10))
                .untilAsserted(() -> assertThat(bob.seqs()).isEqualTo(range(1, 91)));
        await("and nothing more arrives").during(ofMillis(300)).atMost(ofSeconds(2))
                .until(() -> bob.seqs().size() == 91);
        Map<Long, Long> deliveriesPerSeq = bob.seqs().stream()
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertThat(deliveriesPerSeq.values()).as("deliveries per seq").containsOnly(1L);
        assertThat(bob.texts()).containsAll(sent.stream().map(Sending::text).toList()).contains("bob is back");

        assertThat(reader.reconnects()).isEqualTo(1);
        assertThat(reader.gapsDetected()).isZero();
        assertThat(bob.recoveries).as("a resume without loss is not a recovery event").isEmpty();
        assertThat(bob.connected).containsExactly("node-1", "node-2");
        assertThat(bob.disconnects).isNotEmpty();
        assertThat(reader.lastDisconnectAt()).isNotNull();
        assertThat(reader.lastResumeAt()).isAfterOrEqualTo(reader.lastDisconnectAt());
        assertThat(reader.lastReconnectTime()).isPositive().isLessThan(ofSeconds(10));
        assertThat(bob.attempts).extracting(Recorder.Attempt::uri).startsWith(node1, node2);
    }

    @Test
    void sends_whose_acks_were_lost_are_resent_after_the_reconnect_and_acked_once_with_one_delivery() {
        cluster(2);
        try (Pipe pipe = Pipe.to(cluster.wsUri(1))) {
            Recorder ada = new Recorder();
            Recorder bob = new Recorder();
            ResilientClient sender = client("ada", ada, "resend", b -> b.heartbeat(ofMillis(100), ofMillis(600)),
                    pipe.wsUri(), cluster.wsUri(2));
            ResilientClient reader = client("bob", bob, "resend", cluster.wsUri(2));
            awaitConnected(sender, ada);
            awaitConnected(reader, bob);
            assertThat(sender.send("first").join()).isEqualTo(1);

            // Node-1 goes on storing what ada sends, but nothing it answers reaches her: no acks, no pongs.
            pipe.swallowReplies(true);
            List<Sending> sent = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                sent.add(sender.send("unacked " + i));
            }
            await("bob sees the five: they were stored").atMost(ofSeconds(5))
                    .until(() -> bob.seqs().size() == 6);
            assertThat(sent).noneMatch(Sending::isDone);

            await("ada declares node-1 dead, resumes on node-2 and gets her acks").atMost(ofSeconds(10))
                    .failFast("ada gave up: " + ada.fatal, () -> sender.state() == ResilientClient.State.CLOSED)
                    .until(() -> sent.stream().allMatch(Sending::isDone));
            assertThat(ada.disconnects).first().satisfies(d -> {
                assertThat(d.code()).isEqualTo(1006);
                assertThat(d.remote()).isFalse();
                assertThat(d.reason()).startsWith("no frame for");
            });
            assertThat(sender.node()).isEqualTo("node-2");
            assertThat(sent).extracting(Sending::join).containsExactly(2L, 3L, 4L, 5L, 6L);
            assertThat(ada.acks).extracting(Recorder.Ack::clientMsgId).doesNotHaveDuplicates().hasSize(6);

            await("nothing is stored or delivered twice").during(ofMillis(300)).atMost(ofSeconds(2))
                    .until(() -> bob.seqs().size() == 6);
            assertThat(bob.texts()).containsExactly("first", "unacked 1", "unacked 2", "unacked 3", "unacked 4", "unacked 5");
            assertThat(bob.messages.subList(1, 6)).extracting(ChatMessage::clientMsgId)
                    .isEqualTo(sent.stream().map(Sending::clientMsgId).toList());
            await("ada gets her own five once, from the replay").atMost(ofSeconds(5))
                    .untilAsserted(() -> assertThat(ada.seqs()).isEqualTo(range(1, 6)));
            JsonNode history = HttpJson.get(cluster.node(2).httpUri(), "rooms/resend/messages").body();
            assertThat(history.path("messages")).hasSize(6);
        }
    }

    @Test
    void sends_made_while_the_client_is_away_go_out_after_it_is_back_in_their_order() {
        cluster(2);
        Recorder ada = new Recorder();
        // Exactly three seconds away after the node stops: time enough to send while away and to see the sends wait,
        // even on a machine that stalls for a second.
        ResilientClient client = client("ada", ada, "queue",
                b -> b.backoff(ofSeconds(3), ofSeconds(6)).random(BackoffTest.HIGHEST), cluster.wsUri(1), cluster.wsUri(2));
        awaitConnected(client, ada);
        cluster.stop(1);
        await("ada notices").atMost(ofSeconds(5)).until(() -> client.state() == ResilientClient.State.RECONNECTING);
        List<Sending> sent = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            sent.add(client.send("queued " + i));
        }
        await("the ten wait for ada's return").atMost(ofSeconds(2)).until(() -> client.unacked() == 10);
        assertThat(sent).noneMatch(Sending::isDone);
        assertThat(sent).extracting(Sending::join).isEqualTo(range(1, 10));
        assertThat(client.state()).isEqualTo(ResilientClient.State.CONNECTED);
        await("ada receives them in order").atMost(ofSeconds(5))
                .untilAsserted(() -> assertThat(ada.texts()).isEqualTo(sent.stream().map(Sending::text).toList()));
    }

    @Test
    void a_redis_flushall_is_surfaced_as_a_recovery_event_and_the_new_historys_seqs_are_delivered() {
        cluster(2);
        Recorder ada = new Recorder();
        Recorder bob = new Recorder();
        ResilientClient sender = client("ada", ada, "amnesia", cluster.wsUri(1));
        ResilientClient reader = client("bob", bob, "amnesia", cluster.wsUri(2));
        awaitConnected(sender, ada);
        awaitConnected(reader, bob);
        String firstEpoch = reader.epoch();
        sender.send("one").join();
        sender.send("two").join();
        await("bob has 1-2").atMost(ofSeconds(5)).until(() -> bob.seqs().equals(List.of(1L, 2L)));

        cluster.redis.flushAll();
        assertThat(sender.send("after the flush").join()).as("the new history starts at 1").isEqualTo(1);

        await("bob is told").atMost(ofSeconds(5)).until(() -> !bob.recoveries.isEmpty());
        Recorder.Recovery told = bob.recoveries.get(0);
        assertThat(told.recovered()).isFalse();
        assertThat(told.oldEpoch()).isEqualTo(firstEpoch);
        assertThat(told.newEpoch()).isNotEqualTo(firstEpoch).isEqualTo(reader.epoch());
        await("and gets the new history's seq 1 instead of dropping it as a duplicate").atMost(ofSeconds(5))
                .untilAsserted(() -> assertThat(bob.texts()).containsExactly("one", "two", "after the flush"));
        assertThat(bob.seqs()).containsExactly(1L, 2L, 1L);
        assertThat(reader.duplicatesDropped()).isZero();

        // A client resuming the old history is told the same way when it joins.
        Recorder carol = new Recorder();
        ResilientClient stale = client("carol", carol, "amnesia", b -> b.resumeFrom(2, firstEpoch), cluster.wsUri(1));
        await("carol is told as she joins").atMost(ofSeconds(5))
                .failFast("carol gave up: " + carol.fatal, () -> stale.state() == ResilientClient.State.CLOSED)
                .until(() -> !carol.recoveries.isEmpty());
        assertThat(carol.recoveries).containsExactly(new Recorder.Recovery(false, firstEpoch, reader.epoch()));
        await("and gets the new history from its start").atMost(ofSeconds(5))
                .untilAsserted(() -> assertThat(carol.texts()).containsExactly("after the flush"));
    }

    @Test
    void close_stops_for_good_and_ends_unsent_messages_as_failed() {
        cluster(1);
        Recorder ada = new Recorder();
        ResilientClient client = ResilientClient.builder("closing", cluster.wsUri(1)).listener(ada).build();
        Sending neverSent = client.send("never sent");
        client.close();
        assertThat(client.state()).isEqualTo(ResilientClient.State.CLOSED);
        assertThatThrownBy(neverSent::join).hasCauseInstanceOf(SendFailedException.class);
        assertThat(ada.failed).containsExactly(neverSent.clientMsgId());
        assertThatThrownBy(client.send("after close")::join).hasCauseInstanceOf(SendFailedException.class);
        client.close();
    }
}
