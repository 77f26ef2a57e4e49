package dev.chatlab.testkit.contracts;

import static java.time.Duration.ofMillis;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chatlab.testkit.ChatClient;
import dev.chatlab.testkit.HttpJson;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What step 3 promises: every message gets its room's next {@code seq} (from 1, +1, never reused),
 * history is served over HTTP with the same message objects as the live frames, and a {@code join}
 * with {@code since} replays exactly what was missed, then goes live, with no gap and no duplicate
 * at the seam. Steps 4-5 re-run it; it sees a {@code ws://} URI and an {@code http://} base only.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
public abstract class HistoryContract {

    /** The {@code ws://} URI of the server under test (for several nodes: any one of them). */
    protected abstract URI wsUri();

    /** The {@code http://host:port/} base of the server under test. */
    protected abstract URI httpBase();

    /** The URI the {@code index}-th client connects to; multi-node steps spread clients over their nodes. */
    protected URI wsUri(int index) {
        return wsUri();
    }

    protected static String freshRoom(String hint) {
        return hint + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Sends {@code count} messages from {@code sender} and waits until they are back, stored and numbered. */
    protected static void sendAndConfirm(ChatClient sender, String prefix, int count) {
        int before = sender.texts().size();
        for (int i = 1; i <= count; i++) {
            sender.say(prefix + i);
        }
        await(sender.name() + "'s " + count + " messages come back").atMost(ofSeconds(30))
                .failFast(sender.name() + " was disconnected", sender::isClosed)
                .until(() -> sender.texts().size() >= before + count);
    }

    private JsonNode page(String roomId, String query) {
        HttpJson.Response response = HttpJson.get(httpBase(), "rooms/" + roomId + "/messages" + query);
        assertThat(response.status()).as("GET %s", query).isEqualTo(200);
        assertThat(response.contentType()).startsWith("application/json");
        return response.body();
    }

    private static List<Long> seqsOf(JsonNode page) {
        List<Long> seqs = new ArrayList<>();
        page.path("messages").forEach(m -> seqs.add(m.path("seq").asLong()));
        return seqs;
    }

    private static List<Long> range(long firstInclusive, long lastInclusive) {
        return LongStream.rangeClosed(firstInclusive, lastInclusive).boxed().toList();
    }

    @Test
    public void seq_starts_at_1_and_grows_by_one_per_message_in_every_room() {
        String red = freshRoom("red");
        String blue = freshRoom("blue");
        try (ChatClient alice = ChatClient.connect("alice", wsUri(0)).joinAndWait(red);
             ChatClient bob = ChatClient.connect("bob", wsUri(1)).joinAndWait(blue)) {
            assertThat(alice.lastJoined().path("seq").asLong()).as("an empty room's seq").isZero();
            sendAndConfirm(alice, "r", 3);
            sendAndConfirm(bob, "b", 2);
            assertThat(alice.seqs()).containsExactly(1L, 2L, 3L);
            assertThat(bob.seqs()).containsExactly(1L, 2L);
            JsonNode live = alice.framesOfType("message").get(0).path("payload");
            assertThat(live.path("sentAt").asLong()).isPositive();
            assertThat(live.path("roomId").asText()).isEqualTo(red);
        }
    }

    @Test
    public void a_late_joiner_reads_the_history_over_http_then_receives_live_messages_with_no_gap() {
        String room = freshRoom("late");
        try (ChatClient alice = ChatClient.connect("alice", wsUri(0)).joinAndWait(room)) {
            sendAndConfirm(alice, "early ", 5);
            JsonNode history = page(room, "");
            assertThat(seqsOf(history)).containsExactly(1L, 2L, 3L, 4L, 5L);
            assertThat(history.path("roomId").asText()).isEqualTo(room);
            JsonNode first = history.path("messages").get(0);
            JsonNode live = alice.framesOfType("message").get(0).path("payload");
            assertThat(first).as("history holds the live frames' message objects").isEqualTo(live);

            try (ChatClient late = ChatClient.connect("late", wsUri(1)).joinAndWait(room, 5)) {
                assertThat(late.lastJoined().path("seq").asLong()).isEqualTo(5);
                alice.say("live 6");
                await("the late joiner gets seq 6").atMost(ofSeconds(5))
                        .untilAsserted(() -> assertThat(late.seqs()).containsExactly(6L));
            }
        }
    }

    @Test
    public void a_client_that_rejoins_with_since_gets_exactly_what_it_missed() {
        String room = freshRoom("rejoin");
        try (ChatClient alice = ChatClient.connect("alice", wsUri(0)).joinAndWait(room)) {
            ChatClient bob = ChatClient.connect("bob", wsUri(1)).joinAndWait(room);
            sendAndConfirm(alice, "seen ", 3);
            await("bob saw 1-3").atMost(ofSeconds(5)).until(() -> bob.seqs().size() == 3);
            long lastSeen = bob.seqs().get(2);
            bob.close();
            sendAndConfirm(alice, "missed ", 4);

            try (ChatClient bobAgain = ChatClient.connect("bob again", wsUri(2)).joinAndWait(room, lastSeen)) {
                assertThat(bobAgain.lastJoined().path("recovered").asBoolean()).isTrue();
                await("bob gets 4-7").atMost(ofSeconds(5))
                        .untilAsserted(() -> assertThat(bobAgain.seqs()).containsExactly(4L, 5L, 6L, 7L));
                assertThat(bobAgain.texts()).containsExactly("missed 1", "missed 2", "missed 3", "missed 4");
                alice.say("live");
                await("then live").atMost(ofSeconds(5))
                        .untilAsserted(() -> assertThat(bobAgain.seqs()).containsExactly(4L, 5L, 6L, 7L, 8L));
            }
        }
    }

    @Test
    public void a_join_without_since_replays_nothing() {
        String room = freshRoom("fresh");
        try (ChatClient alice = ChatClient.connect("alice", wsUri(0)).joinAndWait(room)) {
            sendAndConfirm(alice, "old ", 2);
            try (ChatClient bob = ChatClient.connect("bob", wsUri(1)).joinAndWait(room)) {
                assertThat(bob.lastJoined().path("seq").asLong()).isEqualTo(2);
                await("bob gets no old messages").during(ofMillis(300)).atMost(ofSeconds(2))
                        .until(() -> bob.seqs().isEmpty());
            }
        }
    }

    @Test
    public void paging_with_before_and_after_walks_a_1000_message_room_without_gaps_or_repeats() {
        String room = freshRoom("long");
        try (ChatClient alice = ChatClient.connect("alice", wsUri()).joinAndWait(room)) {
            sendAndConfirm(alice, "m", 1000);
        }
        List<Long> forward = new ArrayList<>();
        JsonNode page = page(room, "?after=0&limit=137");
        while (true) {
            forward.addAll(seqsOf(page));
            if (page.path("next").isNull()) {
                break;
            }
            page = page(room, "?after=" + page.path("next").asLong() + "&limit=137");
        }
        assertThat(forward).isEqualTo(range(1, 1000));

        List<Long> backward = new ArrayList<>();
        page = page(room, "?limit=100");
        while (true) {
            List<Long> seqs = seqsOf(page);
            assertThat(seqs).as("each page is oldest first").isSorted();
            backward.addAll(0, seqs);
            if (page.path("next").isNull()) {
                break;
            }
            page = page(room, "?before=" + page.path("next").asLong() + "&limit=100");
        }
        assertThat(backward).isEqualTo(range(1, 1000));
        assertThat(seqsOf(page(room, "?after=990"))).isEqualTo(range(991, 1000));
        assertThat(seqsOf(page(room, "?before=11&limit=500"))).isEqualTo(range(1, 10));
        assertThat(seqsOf(page(room, "?limit=500"))).as("max limit").isEqualTo(range(501, 1000));
        assertThat(seqsOf(page(room, ""))).as("default limit: the newest 50").isEqualTo(range(951, 1000));
    }

    @Test
    public void an_unknown_room_is_an_empty_list() {
        JsonNode page = page(freshRoom("nobody"), "");
        assertThat(page.path("messages").isArray()).isTrue();
        assertThat(page.path("messages")).isEmpty();
        assertThat(page.path("next").isNull()).isTrue();
    }

    static Stream<Arguments> badQueries() {
        return Stream.of(
                Arguments.of("room-1/messages?after=abc", "after"),
                Arguments.of("room-1/messages?after=-1", "after"),
                Arguments.of("room-1/messages?after=1.5", "after"),
                Arguments.of("room-1/messages?after=99999999999999999999999", "after"),
                Arguments.of("room-1/messages?before=x", "before"),
                Arguments.of("room-1/messages?before=-5", "before"),
                Arguments.of("room-1/messages?limit=0", "limit"),
                Arguments.of("room-1/messages?limit=501", "limit"),
                Arguments.of("room-1/messages?limit=-3", "limit"),
                Arguments.of("room-1/messages?limit=ten", "limit"),
                Arguments.of("room-1/messages?after=1&before=9", "not both"),
                Arguments.of("bad%20room/messages", "roomId"),
                Arguments.of("" + "r".repeat(65) + "/messages", "roomId"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badQueries")
    public void every_bad_query_parameter_gets_a_400_with_a_message(String pathAndQuery, String mentions) {
        HttpJson.Response response = HttpJson.get(httpBase(), "rooms/" + pathAndQuery);
        assertThat(response.status()).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/json");
        assertThat(response.body().path("message").asText()).contains(mentions);
    }

    /**
     * The race this guards: a message stored between reading the history and joining the live
     * fan-out must arrive exactly once. Five senders keep the room busy while clients join with
     * {@code since} at random points; each joiner must then see every seq after its {@code since},
     * once, in order. Repeated over several rooms to give the race many chances.
     */
    @Test
    public void the_join_replay_live_seam_has_no_gap_or_duplicate_while_five_senders_send() throws Exception {
        for (int round = 0; round < 5; round++) {
            seamRound(freshRoom("seam" + round));
        }
    }

    private void seamRound(String room) throws Exception {
        int senders = 5;
        int perSender = 200;
        List<ChatClient> senderClients = new ArrayList<>();
        List<ChatClient> joiners = new ArrayList<>();
        List<Long> sinces = new ArrayList<>();
        ScheduledExecutorService pace = Executors.newScheduledThreadPool(senders);
        try {
            for (int s = 0; s < senders; s++) {
                senderClients.add(ChatClient.connect("sender-" + s, wsUri(s)).joinAndWait(room));
            }
            CountDownLatch done = new CountDownLatch(senders);
            for (ChatClient sender : senderClients) {
                AtomicInteger sent = new AtomicInteger();
                pace.scheduleAtFixedRate(() -> {
                    int n = sent.incrementAndGet();
                    if (n <= perSender) {
                        sender.say(sender.name() + " #" + n);
                    }
                    if (n == perSender) {
                        done.countDown();
                    }
                }, 0, 2, TimeUnit.MILLISECONDS);
            }
            // Join at whatever point the room has reached, asking for the last few seqs again.
            for (int j = 0; j < 12 && done.getCount() > 0; j++) {
                JsonNode newest = page(room, "?limit=1");
                long latest = seqsOf(newest).isEmpty() ? 0 : seqsOf(newest).get(0);
                long since = Math.max(0, latest - 3 - j % 4);
                joiners.add(ChatClient.connect("joiner-" + j, wsUri(j)).joinAndWait(room, since));
                sinces.add(since);
            }
            assertThat(done.await(30, TimeUnit.SECONDS)).as("the senders finished").isTrue();
            long total = (long) senders * perSender;
            for (int j = 0; j < joiners.size(); j++) {
                ChatClient joiner = joiners.get(j);
                long since = sinces.get(j);
                await(joiner.name() + " reaches seq " + total).atMost(ofSeconds(30))
                        .failFast(joiner.name() + " was disconnected", joiner::isClosed)
                        .until(() -> joiner.seqs().size() >= total - since);
                assertThat(joiner.seqs()).as(joiner.name() + " joined with since=" + since)
                        .isEqualTo(range(since + 1, total));
            }
            assertThat(joiners).as("joiners that joined while the senders were sending").isNotEmpty();
        } finally {
            pace.shutdownNow();
            senderClients.forEach(ChatClient::close);
            joiners.forEach(ChatClient::close);
        }
    }
}
