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
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Protocol.Command;
import redis.clients.jedis.RedisClient;

/**
 * Who is in a room, across nodes, and who is typing: the promises of presence (one list everywhere, a name counted
 * once however many connections it has, a leave only once the last is gone for the leave delay, a dead node's members
 * gone within ttl + sweep) and of typing (to the others, on every node, rate-limited, never stored).
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class PresenceTest {
    /** Short times, so the tests are fast: ttl 1 s (refresh every 333 ms, sweep every 333 ms), leave delay 500 ms. */
    static final Duration TTL = ofSeconds(1);
    static final Duration LEAVE_DELAY = ofMillis(500);
    static final Duration TYPING_INTERVAL = ofSeconds(1);
    /** What a test allows on top of a promised time, for a loaded machine. */
    static final Duration MARGIN = ofMillis(1500);

    static UnaryOperator<ChatConfig> fast() {
        return c -> c.withPresence(TTL, LEAVE_DELAY, TYPING_INTERVAL);
    }

    @Test
    void members_on_every_node_see_the_same_list() {
        try (Cluster cluster = Cluster.start(2, fast());
             ChatClient ada = member("ada", cluster.node(1), "lobby");
             ChatClient bob = member("bob", cluster.node(2), "lobby");
             ChatClient cy = member("cy", cluster.node(1), "lobby");
             ChatClient dee = member("dee", cluster.node(2), "lobby")) {
            assertThat(members(ada.lastJoined())).as("the first joiner sees herself").containsExactly("ada");
            assertThat(members(dee.lastJoined())).as("the last joiner sees everyone, sorted").containsExactly("ada", "bob", "cy", "dee");
            for (ChatClient client : List.of(ada, bob, cy, dee)) {
                await(client.name() + " sees all four").atMost(ofSeconds(5))
                        .untilAsserted(() -> assertThat(view(client)).containsExactly("ada", "bob", "cy", "dee"));
            }
            assertThat(http(cluster.node(1), "lobby")).containsExactly("ada", "bob", "cy", "dee");
            assertThat(http(cluster.node(2), "lobby")).containsExactly("ada", "bob", "cy", "dee");
            assertThat(joinEvents(ada, "dee")).as("each join is one event").hasSize(1);
        }
    }

    @Test
    void names_with_quotes_slashes_and_accents_come_back_exactly_as_they_were_given() {
        String odd = "Zoë \"the\" /\\ 🙂";
        try (Cluster cluster = Cluster.start(2, fast());
             ChatClient bob = member("bob", cluster.node(2), "odd")) {
            ChatClient zoe = member(odd, cluster.node(1), "odd");
            await("bob sees her join").atMost(ofSeconds(5)).until(() -> joinEvents(bob, odd).size() == 1);
            assertThat(members(zoe.lastJoined())).containsExactly("Zoë \"the\" /\\ 🙂", "bob");
            assertThat(http(cluster.node(2), "odd")).containsExactly(odd, "bob");
            zoe.close();
            await("and her leave").atMost(LEAVE_DELAY.plus(MARGIN)).until(() -> leaveEvents(bob, odd).size() == 1);
        }
    }

    @Test
    void two_tabs_of_one_name_count_once_and_the_name_leaves_only_when_the_last_goes() {
        try (Cluster cluster = Cluster.start(2, fast());
             ChatClient bob = member("bob", cluster.node(2), "tabs")) {
            ChatClient tab1 = member("ada", cluster.node(1), "tabs");
            ChatClient tab2 = member("ada", cluster.node(1), "tabs");
            ChatClient phone = member("ada", cluster.node(2), "tabs");
            assertThat(members(phone.lastJoined())).containsExactly("ada", "bob");
            await("bob sees ada").atMost(ofSeconds(5)).until(() -> view(bob).contains("ada"));

            tab1.close();
            tab2.close();
            await("ada stays while her phone is connected").during(LEAVE_DELAY.plus(ofMillis(500))).atMost(ofSeconds(5))
                    .until(() -> leaveEvents(bob, "ada").isEmpty());
            assertThat(http(cluster.node(1), "tabs")).containsExactly("ada", "bob");
            assertThat(joinEvents(bob, "ada")).as("three connections, one join").hasSize(1);

            long closed = System.nanoTime();
            phone.close();
            await("ada leaves with her last connection").atMost(LEAVE_DELAY.plus(MARGIN))
                    .until(() -> leaveEvents(bob, "ada").size() == 1);
            assertThat(millisSince(closed)).as("not before the leave delay").isGreaterThanOrEqualTo(LEAVE_DELAY.toMillis());
            assertThat(view(bob)).containsExactly("bob");
            assertThat(http(cluster.node(2), "tabs")).containsExactly("bob");
        }
    }

    @Test
    void a_clean_leave_is_seen_by_the_others_within_the_leave_delay() {
        // A long ttl: the leave cannot come from an expiry.
        try (Cluster cluster = Cluster.start(2, c -> c.withPresence(ofSeconds(10), LEAVE_DELAY, TYPING_INTERVAL));
             ChatClient bob = member("bob", cluster.node(2), "bye");
             ChatClient ada = member("ada", cluster.node(1), "bye");
             ChatClient cy = member("cy", cluster.node(1), "bye")) {
            await("bob sees ada and cy").atMost(ofSeconds(5)).until(() -> view(bob).containsAll(List.of("ada", "cy")));

            long closed = System.nanoTime();
            ada.close();
            await("bob sees ada leave").atMost(LEAVE_DELAY.plus(MARGIN)).until(() -> leaveEvents(bob, "ada").size() == 1);
            assertThat(millisSince(closed)).isGreaterThanOrEqualTo(LEAVE_DELAY.toMillis());

            long left = System.nanoTime();
            cy.sendRaw(Frames.leave());
            await("a leave frame leaves too").atMost(LEAVE_DELAY.plus(MARGIN)).until(() -> leaveEvents(bob, "cy").size() == 1);
            assertThat(millisSince(left)).isGreaterThanOrEqualTo(LEAVE_DELAY.toMillis());
            assertThat(view(bob)).containsExactly("bob");

            cy.sendRaw(Frames.joinAs("bye", "cy"));
            await("cy is back").atMost(ofSeconds(5)).until(() -> view(bob).contains("cy"));
            long moved = System.nanoTime();
            cy.sendRaw(Frames.joinAs("elsewhere", "cy"));
            await("so does a move to another room").atMost(LEAVE_DELAY.plus(MARGIN)).until(() -> leaveEvents(bob, "cy").size() == 2);
            assertThat(millisSince(moved)).isGreaterThanOrEqualTo(LEAVE_DELAY.toMillis());
            assertThat(http(cluster.node(1), "elsewhere")).containsExactly("cy");
        }
    }

    @Test
    void a_reconnect_inside_the_leave_delay_to_the_same_node_or_the_other_shows_no_leave_and_no_second_join() {
        Duration delay = ofSeconds(2);
        try (Cluster cluster = Cluster.start(2, c -> c.withPresence(TTL, delay, TYPING_INTERVAL));
             ChatClient bob = member("bob", cluster.node(2), "flaky")) {
            ChatClient ada = member("ada", cluster.node(1), "flaky");
            ada.close();
            ada = member("ada", cluster.node(1), "flaky");
            assertThat(members(ada.lastJoined())).containsExactly("ada", "bob");
            ada.close();
            ada = member("ada", cluster.node(2), "flaky");
            assertThat(members(ada.lastJoined())).containsExactly("ada", "bob");
            // Past node-1's leave delay: its leave of ada runs, and finds her entry on node-2.
            await("no leave, no second join").during(delay.plus(ofMillis(500))).atMost(ofSeconds(5))
                    .until(() -> leaveEvents(bob, "ada").isEmpty() && joinEvents(bob, "ada").size() == 1);
            assertThat(http(cluster.node(1), "flaky")).containsExactly("ada", "bob");
            ada.close();
        }
    }

    @Test
    void a_node_that_stops_without_leaving_has_its_members_expire_after_the_ttl_and_the_leave_is_published_once() {
        // The leave delay is far shorter than the ttl: a leave arriving after ttl - ttl/3 came from the expiry.
        try (Cluster cluster = Cluster.start(3, c -> c.withPresence(TTL, ofMillis(100), TYPING_INTERVAL));
             ChatClient bob = member("bob", cluster.node(2), "crash");
             ChatClient cy = member("cy", cluster.node(3), "crash")) {
            member("ada", cluster.node(1), "crash");
            await("bob and cy see ada").atMost(ofSeconds(5)).until(() -> view(bob).contains("ada") && view(cy).contains("ada"));

            long stopped = System.nanoTime();
            cluster.stop(1);
            Duration ghost = TTL.plus(new ChatConfig.PresenceSettings(TTL, ofMillis(100), TYPING_INTERVAL).sweepInterval());
            await("ada expires").atMost(ghost.plus(MARGIN))
                    .until(() -> leaveEvents(bob, "ada").size() == 1 && leaveEvents(cy, "ada").size() == 1);
            assertThat(millisSince(stopped)).as("an expiry, not a leave").isGreaterThanOrEqualTo(TTL.toMillis() * 2 / 3);
            assertThat(http(cluster.node(2), "crash")).containsExactly("bob", "cy");
            await("each of the two sweeping nodes saw one leave, so it was published once").during(ofMillis(500))
                    .atMost(ofSeconds(3)).until(() -> leaveEvents(bob, "ada").size() == 1 && leaveEvents(cy, "ada").size() == 1);
            double published = NodeMetrics.of(cluster.node(2)).sum("chat_presence_events_total", "event=\"leave\"")
                    + NodeMetrics.of(cluster.node(3)).sum("chat_presence_events_total", "event=\"leave\"");
            assertThat(published).isEqualTo(1);
        }
    }

    @Test
    void a_typing_signal_reaches_the_other_members_on_both_nodes_but_not_the_senders_own_connections() {
        try (Cluster cluster = Cluster.start(2, fast());
             ChatClient ada = member("ada", cluster.node(1), "type");
             ChatClient adaPhone = member("ada", cluster.node(2), "type");
             ChatClient bob = member("bob", cluster.node(1), "type");
             ChatClient cy = member("cy", cluster.node(2), "type")) {
            ada.sendRaw(typing());
            for (ChatClient other : List.of(bob, cy)) {
                await(other.name() + " sees ada typing").atMost(ofSeconds(5)).until(() -> other.framesOfType("typing").size() == 1);
                JsonNode payload = Frames.payloadOf(other.framesOfType("typing").get(0));
                assertThat(payload.path("roomId").asText()).isEqualTo("type");
                assertThat(payload.path("name").asText()).isEqualTo("ada");
            }
            // bob's typing after ada's: once ada's connections have it, they would have had ada's own by then.
            bob.sendRaw("{\"type\":\"typing\"}");
            await("ada's connections see bob's").atMost(ofSeconds(5))
                    .until(() -> ada.framesOfType("typing").size() == 1 && adaPhone.framesOfType("typing").size() == 1);
            assertThat(Frames.payloadOf(ada.framesOfType("typing").get(0)).path("name").asText()).isEqualTo("bob");
            assertThat(Frames.payloadOf(adaPhone.framesOfType("typing").get(0)).path("name").asText()).isEqualTo("bob");
            assertThat(bob.framesOfType("typing")).as("bob does not see his own")
                    .extracting(f -> Frames.payloadOf(f).path("name").asText()).containsExactly("ada");
            assertThat(NodeMetrics.of(cluster.node(1)).sum("chat_typing_relayed_total")).isEqualTo(2);
        }
    }

    @Test
    void typing_is_relayed_at_most_once_per_interval_per_connection_and_the_rest_are_dropped_silently() {
        try (Cluster cluster = Cluster.start(1, fast());
             ChatClient ada = member("ada", cluster.node(1), "burst");
             ChatClient adaTab = member("ada", cluster.node(1), "burst");
             ChatClient bob = member("bob", cluster.node(1), "burst")) {
            long start = System.nanoTime();
            for (int i = 0; i < 5; i++) {
                ada.sendRaw(typing());
            }
            ada.sendRaw(Frames.ping());
            await("ada's pong: her five are handled").atMost(ofSeconds(5)).until(() -> !ada.framesOfType("pong").isEmpty());
            await("bob sees one").during(ofMillis(300)).atMost(ofSeconds(3)).until(() -> bob.framesOfType("typing").size() == 1);
            assertThat(ada.errorCodes()).as("extra signals are never refused").isEmpty();
            assertThat(NodeMetrics.of(cluster.node(1)).sum("chat_typing_dropped_total")).isEqualTo(4);

            adaTab.sendRaw(typing());
            await("another connection has its own interval").atMost(ofSeconds(5)).until(() -> bob.framesOfType("typing").size() == 2);

            await("once the interval has passed, the next goes through").atMost(TYPING_INTERVAL.plus(MARGIN)).pollInterval(ofMillis(50))
                    .until(() -> {
                        ada.sendRaw(typing());
                        return bob.framesOfType("typing").size() == 3;
                    });
            assertThat(millisSince(start)).isGreaterThanOrEqualTo(TYPING_INTERVAL.toMillis());
            assertThat(ada.isOpen()).isTrue();
        }
    }

    @Test
    void typing_before_a_join_is_refused_with_not_joined() {
        try (Cluster cluster = Cluster.start(1, fast());
             ChatClient stranger = ChatClient.connect("stranger", cluster.node(1).wsUri())) {
            stranger.sendRaw(typing());
            await("refused").atMost(ofSeconds(5)).until(() -> stranger.errorCodes().equals(List.of("not_joined")));
            stranger.joinAndWait("later");
            stranger.say("and then it chats");
            await("it chats").atMost(ofSeconds(5)).until(() -> stranger.texts().contains("and then it chats"));
        }
    }

    @Test
    void typing_is_never_stored_nor_replayed() {
        try (Cluster cluster = Cluster.start(2, fast());
             ChatClient ada = member("ada", cluster.node(1), "ephemeral");
             ChatClient bob = member("bob", cluster.node(2), "ephemeral")) {
            ada.sendRaw(typing());
            await("bob sees ada typing").atMost(ofSeconds(5)).until(() -> bob.framesOfType("typing").size() == 1);
            ada.say("what I typed");
            await("bob has the message").atMost(ofSeconds(5)).until(() -> bob.texts().contains("what I typed"));
            assertThat(bob.lastJoined().has("members")).isTrue();

            JsonNode page = HttpJson.get(cluster.node(2).httpUri(), "rooms/ephemeral/messages").body();
            assertThat(page.path("messages")).hasSize(1);
            assertThat(page.path("messages").get(0).path("message").asText()).isEqualTo("what I typed");
            try (ChatClient late = ChatClient.connect("late", cluster.node(1).wsUri()).joinAndWait("ephemeral", 0)) {
                await("the replay has the message").atMost(ofSeconds(5)).until(() -> late.texts().equals(List.of("what I typed")));
                await("and no typing").during(ofMillis(300)).atMost(ofSeconds(2)).until(() -> late.framesOfType("typing").isEmpty());
            }
            assertThat(bob.seqs()).as("typing takes no seq").containsExactly(1L);
        }
    }

    @Test
    void the_presence_route_answers_the_rooms_members_and_400_for_a_bad_room_id_and_503_without_redis() {
        try (Cluster cluster = Cluster.start(2, fast());
             ChatClient ada = member("ada", cluster.node(1), "http");
             ChatClient bob = member("bob", cluster.node(2), "http")) {
            HttpJson.Response answer = HttpJson.get(cluster.node(1).httpUri(), "rooms/http/presence");
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.contentType()).startsWith("application/json");
            assertThat(answer.body().path("roomId").asText()).isEqualTo("http");
            assertThat(names(answer.body().path("members"))).containsExactly("ada", "bob");
            assertThat(http(cluster.node(2), "empty")).as("a room nobody is in").isEmpty();

            HttpJson.Response bad = HttpJson.get(cluster.node(1).httpUri(), "rooms/no%20spaces/presence");
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.body().path("code").asText()).isEqualTo("bad_request");

            cluster.redis.kill();
            HttpJson.Response down = HttpJson.get(cluster.node(1).httpUri(), "rooms/http/presence");
            assertThat(down.status()).isEqualTo(503);
            assertThat(down.body().path("code").asText()).isEqualTo("unavailable");
        }
    }

    @Test
    void after_the_nodes_subscription_is_dropped_and_comes_back_its_members_get_a_sync_with_the_current_list() {
        try (Cluster cluster = Cluster.start(2, c -> {
            ChatConfig tuned = c.withPresence(TTL, ofMillis(100), TYPING_INTERVAL);
            return c.nodeId().equals("node-2")
                    ? tuned.withSubscription(c.heartbeatInterval(), c.heartbeatTimeout(), ofSeconds(4), c.backfill()) : tuned;
        });
             ChatClient bob = member("bob", cluster.node(2), "resync");
             ChatClient ada = member("ada", cluster.node(1), "resync")) {
            await("bob sees ada").atMost(ofSeconds(5)).until(() -> view(bob).contains("ada"));

            killSubscriber(cluster, "node-2");
            await("node-2 is not subscribed").atMost(ofSeconds(5))
                    .until(() -> !HttpJson.get(cluster.node(2).httpUri(), "health").body().path("subscribed").asBoolean());
            ChatClient cy = member("cy", cluster.node(1), "resync");
            ada.close();
            await("ada's leave is published while node-2 hears nothing").atMost(ofSeconds(5))
                    .until(() -> http(cluster.node(1), "resync").equals(List.of("bob", "cy")));
            assertThat(view(bob)).as("bob missed both").containsExactly("ada", "bob");

            await("bob gets a sync").atMost(ofSeconds(10)).until(() -> !syncs(bob).isEmpty());
            assertThat(names(syncs(bob).get(0).path("members"))).containsExactly("bob", "cy");
            assertThat(view(bob)).containsExactly("bob", "cy");
            assertThat(joinEvents(bob, "cy")).as("the join itself was lost").isEmpty();
            assertThat(NodeMetrics.of(cluster.node(2)).sum("chat_presence_events_total", "event=\"sync\"")).isEqualTo(1);
            cy.close();
        }
    }

    @Test
    void in_the_secure_profile_the_presence_name_is_the_tokens_and_the_route_needs_a_token() throws Exception {
        try (Cluster cluster = Cluster.start(1, c -> c.withSecurity(Security.secure(TokenTest.SECRET).withRequireTls(false))
                .withPresence(TTL, LEAVE_DELAY, TYPING_INTERVAL));
             ChatClient ada = ChatClient.connect("ada", TokenTest.withQuery(cluster.node(1).wsUri(),
                     "token=" + TokenTest.q(TokenTest.token("ada", List.of("*")))));
             ChatClient bob = ChatClient.connect("bob", TokenTest.withQuery(cluster.node(1).wsUri(),
                     "token=" + TokenTest.q(TokenTest.token("bob", List.of("*")))))) {
            // A join's name cannot change a token's.
            ada.sendRaw(Frames.joinAs("vault", "mallory"));
            await("ada joined").atMost(ofSeconds(5)).until(() -> !ada.framesOfType("joined").isEmpty());
            assertThat(members(ada.lastJoined())).containsExactly("ada");
            bob.joinAndWait("vault");
            assertThat(members(bob.lastJoined())).containsExactly("ada", "bob");
            bob.sendRaw(typing());
            await("ada sees bob typing").atMost(ofSeconds(5)).until(() -> ada.framesOfType("typing").size() == 1);
            assertThat(Frames.payloadOf(ada.framesOfType("typing").get(0)).path("name").asText()).isEqualTo("bob");

            java.net.URI route = cluster.node(1).httpUri().resolve("/rooms/vault/presence");
            assertThat(TokenTest.get(route, java.util.Map.of()).statusCode()).isEqualTo(401);
            assertThat(TokenTest.get(route, java.util.Map.of("Authorization", "Bearer "
                    + TokenTest.token("eve", List.of("kitchen")))).statusCode()).isEqualTo(403);
            var allowed = TokenTest.get(route, java.util.Map.of("Authorization", "Bearer " + TokenTest.token("eve", List.of("vault"))));
            assertThat(allowed.statusCode()).isEqualTo(200);
            assertThat(names(Frames.parse(allowed.body()).path("members"))).containsExactly("ada", "bob");
        }
    }

    @Test
    void the_presence_options_are_read_from_the_command_line_and_refused_clearly_when_wrong() {
        ChatConfig config = ChatConfig.fromArgs(new String[] {"--presence-ttl", "4s", "--leave-delay", "750ms",
                "--typing-interval", "2s"});
        assertThat(config.presence()).isEqualTo(new ChatConfig.PresenceSettings(ofSeconds(4), ofMillis(750), ofSeconds(2)));
        assertThat(config.presence().refreshInterval()).isEqualTo(ofMillis(1333));
        assertThat(config.presence().sweepInterval()).isEqualTo(ofMillis(500));
        assertThat(ChatConfig.fromArgs(new String[0]).presence()).isEqualTo(ChatConfig.PresenceSettings.defaults());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ChatConfig.fromArgs(new String[] {"--presence-ttl", "100ms"}))
                .hasMessageContaining("--presence-ttl must be between 300ms and 60m").hasMessageContaining("got 100ms");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ChatConfig.fromArgs(new String[] {"--leave-delay", "-1s"}))
                .hasMessageContaining("--leave-delay must be between 0s and 60m");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ChatConfig.fromArgs(new String[] {"--typing-interval", "soon"}))
                .hasMessageContaining("--typing-interval").hasMessageContaining("is not a duration");
    }

    // ---- helpers ----

    static String typing() {
        return Frames.frame("typing", Frames.payload());
    }

    /** Connects to {@code node}, joins {@code room} as {@code name} and waits for the joined frame. */
    static ChatClient member(String name, ChatServer node, String room) {
        ChatClient client = ChatClient.connect(name, node.wsUri());
        client.sendRaw(Frames.joinAs(room, name));
        await(name + " joins " + room).atMost(ofSeconds(10)).failFast(name + " was disconnected", client::isClosed)
                .until(() -> client.framesOfType("joined").stream()
                        .anyMatch(f -> room.equals(Frames.payloadOf(f).path("roomId").asText())));
        return client;
    }

    static List<String> members(JsonNode joined) {
        assertThat(joined.has("members")).as("joined carries members: " + joined).isTrue();
        return names(joined.path("members"));
    }

    static List<String> names(JsonNode array) {
        List<String> names = new ArrayList<>();
        array.forEach(n -> names.add(n.asText()));
        return names;
    }

    /** The client's list of members, as a client builds it: joined's members, then each presence event in order. */
    static Set<String> view(ChatClient client) {
        Set<String> names = new TreeSet<>();
        for (JsonNode frame : client.frames()) {
            JsonNode payload = Frames.payloadOf(frame);
            switch (Frames.type(frame)) {
                case "joined" -> {
                    if (payload.has("members")) {
                        names.clear();
                        names.addAll(names(payload.path("members")));
                    }
                }
                case "presence" -> {
                    switch (payload.path("event").asText()) {
                        case "join" -> names.add(payload.path("name").asText());
                        case "leave" -> names.remove(payload.path("name").asText());
                        case "sync" -> {
                            names.clear();
                            names.addAll(names(payload.path("members")));
                        }
                        default -> throw new AssertionError("unknown presence event " + frame);
                    }
                }
                default -> { }
            }
        }
        return names;
    }

    static List<JsonNode> presenceEvents(ChatClient client, String event) {
        return client.framesOfType("presence").stream().map(Frames::payloadOf)
                .filter(p -> event.equals(p.path("event").asText())).toList();
    }

    static List<JsonNode> joinEvents(ChatClient client, String name) {
        return presenceEvents(client, "join").stream().filter(p -> name.equals(p.path("name").asText())).toList();
    }

    static List<JsonNode> leaveEvents(ChatClient client, String name) {
        return presenceEvents(client, "leave").stream().filter(p -> name.equals(p.path("name").asText())).toList();
    }

    static List<JsonNode> syncs(ChatClient client) {
        return presenceEvents(client, "sync");
    }

    /** {@code GET /rooms/{room}/presence} on {@code node}: the members it answers. */
    static List<String> http(ChatServer node, String room) {
        HttpJson.Response answer = HttpJson.get(node.httpUri(), "rooms/" + room + "/presence");
        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(200);
        return names(answer.body().path("members"));
    }

    static long millisSince(long nanoTime) {
        return (System.nanoTime() - nanoTime) / 1_000_000;
    }

    /** Closes one node's subscriber connection from the Redis side, as a network blip would. */
    static void killSubscriber(Cluster cluster, String nodeId) {
        try (RedisClient redis = RedisClient.create(cluster.redis.host(), cluster.redis.port())) {
            String clients = new String((byte[]) redis.sendCommand(Command.CLIENT, "LIST"), StandardCharsets.UTF_8);
            String id = clients.lines().filter(l -> l.contains(" name=" + nodeId + "-subscriber "))
                    .map(l -> l.substring(l.indexOf("id=") + 3, l.indexOf(' ')))
                    .findFirst().orElseThrow(() -> new AssertionError("no subscriber for " + nodeId + " in\n" + clients));
            redis.sendCommand(Command.CLIENT, "KILL", "ID", id);
        }
    }
}
