package dev.chatlab.chat;

import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chatlab.testkit.ChatClient;
import dev.chatlab.testkit.Frames;
import dev.chatlab.testkit.HttpJson;
import dev.chatlab.testkit.RawWebSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.handshake.ServerHandshake;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** Clients that misbehave on purpose: floods, bursts, oversized and malformed frames, a fuzzer. Everyone else carries on. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AbuseTest {
    /** The bound on a room mate's delay (its own send to another mate's receive) while someone floods the room. */
    static final Duration MATE_DELAY_P99 = Duration.ofSeconds(1);
    static final long FUZZ_SEED = Long.getLong("fuzz.seed", 6455L);
    private static final Set<String> BROADCAST = Set.of("message", "presence", "typing");

    @Test
    void a_flooding_client_is_rate_limited_then_closed_with_1008_while_its_room_mates_see_under_a_second_of_delay() throws Exception {
        Security limits = Security.workshop().withRates(50, 1024 * 1024, 5_000, ofSeconds(10));
        try (Cluster cluster = Cluster.start(1, c -> c.withSecurity(limits));
             RawWebSocket flooder = RawWebSocket.handshake(cluster.node(1).wsUri(), Map.of())) {
            List<Mate> mates = new ArrayList<>();
            ScheduledExecutorService chatter = Executors.newSingleThreadScheduledExecutor();
            ExecutorService flood = Executors.newSingleThreadExecutor();
            try {
                for (int i = 0; i < 4; i++) {
                    mates.add(Mate.join("mate" + i, cluster.node(1).wsUri(), "calm"));
                }
                flooder.sendText(Frames.join("calm"));
                AtomicInteger said = new AtomicInteger();
                // 40 messages a second in all, 10 per mate: well inside a mate's 50.
                chatter.scheduleAtFixedRate(() -> {
                    int n = said.getAndIncrement();
                    mates.get(n % mates.size()).say("m" + n + "@" + System.currentTimeMillis());
                }, 0, 25, TimeUnit.MILLISECONDS);
                await("the mates chat").atMost(ofSeconds(10)).until(() -> mates.stream().allMatch(m -> m.mateMessages() >= 20));

                // The flooder writes as fast as its socket takes frames, and never waits for an answer.
                AtomicLong flooded = new AtomicLong();
                flood.submit(() -> {
                    try {
                        while (flooded.get() < 1_000_000) {
                            flooder.sendText("{\"type\":\"message\",\"payload\":{\"message\":\"flood\",\"clientMsgId\":\"f-"
                                    + flooded.getAndIncrement() + "\"}}");
                        }
                    } catch (RuntimeException e) {
                        // the node closed the connection under it: the point
                    }
                });
                // Read as fast as possible: the node drops the TCP connection 2 s after its close frame, and a reset
                // discards whatever this side has not read yet.
                JsonNode firstRefusal = null;
                int refusals = 0;
                RawWebSocket.Frame frame = flooder.readSkippingPings();
                while (frame != null && frame.opcode() != RawWebSocket.CLOSE) {
                    String text = frame.text();
                    if (text.startsWith("{\"type\":\"error\"")) {
                        refusals++;
                        if (firstRefusal == null) {
                            firstRefusal = Frames.payloadOf(Frames.parse(text));
                        }
                        assertThat(text).as("every error is a rate limit").contains("\"code\":\"rate_limited\"");
                    }
                    frame = flooder.readSkippingPings();
                }
                assertThat(firstRefusal).as("limited before it was closed").isNotNull();
                assertThat(firstRefusal.path("clientMsgId").asText()).as("the refused frame's clientMsgId comes back").startsWith("f-");
                if (frame != null) {
                    assertThat(frame.closeCode()).as("the flooder is closed for policy").isEqualTo(1008);
                } else {
                    // The reset won the race with the close frame (a loaded machine reads slowly): the node's own count
                    // says why it closed the connection.
                    System.out.println("flood: the connection was reset before its 1008 close frame was read");
                }
                assertThat(NodeMetrics.of(cluster.node(1)).sum("chat_connections_abusive_closed_total")).isEqualTo(1);

                int afterClose = said.get();
                await("the mates chat on").atMost(ofSeconds(10)).until(() -> said.get() >= afterClose + 40);
                chatter.shutdown();
                assertThat(chatter.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
                int total = said.get();
                for (Mate mate : mates) {
                    await(mate.name + " has every mate's message").atMost(ofSeconds(10))
                            .until(() -> mate.mateMessages() == total);
                    assertThat(mate.errors).as(mate.name + " was never limited").isEmpty();
                }
                List<Long> delays = new ArrayList<>();
                mates.forEach(m -> delays.addAll(m.delays));
                Collections.sort(delays);
                long p99 = delays.get((int) Math.ceil(delays.size() * 0.99) - 1);
                System.out.printf("flood: %d frames written, %d refused before the close; mates' delay p50 %d ms, p99 %d ms,"
                                + " max %d ms over %d deliveries%n", flooded.get(), refusals, delays.get(delays.size() / 2),
                        p99, delays.get(delays.size() - 1), delays.size());
                assertThat(p99).as("mates' p99 delay, ms").isLessThan(MATE_DELAY_P99.toMillis());
            } finally {
                chatter.shutdownNow();
                flood.shutdownNow();
                flooder.close();
                mates.forEach(Mate::close);
            }
        }
    }

    @Test
    void a_resilient_client_that_bursts_past_its_limit_retries_what_was_refused_and_everything_is_stored_once() {
        Security limits = Security.workshop().withRates(10, 1024 * 1024, 1_000, ofSeconds(10));
        try (Cluster cluster = Cluster.start(1, c -> c.withSecurity(limits));
             Crowd crowd = Crowd.start(1, List.of("burst"), room -> cluster.node(1).wsUri())) {
            await("connected").atMost(ofSeconds(10)).until(crowd::allConnected);
            Crowd.Member member = crowd.members.get(0);
            for (int i = 0; i < 40; i++) {
                member.say("burst " + i);
            }
            await("every send is acked").atMost(ofSeconds(30)).until(crowd::everySendAcked);
            assertThat(NodeMetrics.of(cluster.node(1)).sum("chat_errors_total", "code=\"rate_limited\"")).as("some were refused").isPositive();
            await("each delivered").atMost(ofSeconds(10)).until(crowd::nothingMissing);
            assertThat(member.seqs()).as("each once").doesNotHaveDuplicates().hasSize(40);
            assertThat(member.closes()).as("never closed").isEmpty();
        }
    }

    @Test
    void a_frame_announcing_10_mb_and_a_message_of_small_fragments_past_the_limit_are_refused_with_1009() {
        try (Cluster cluster = Cluster.start(1);
             ChatClient bystander = ChatClient.connect("bystander", cluster.node(1).wsUri()).joinAndWait("lobby")) {
            try (RawWebSocket huge = RawWebSocket.handshake(cluster.node(1).wsUri(), Map.of())) {
                long sent = huge.sendHugeFrame(10L * 1024 * 1024);
                RawWebSocket.Frame answer = huge.readSkippingPings();
                System.out.printf("10 MB frame: %d payload bytes went out before the node %s%n", sent,
                        answer == null ? "reset the connection" : "closed with " + answer.closeCode());
                if (answer != null) {
                    assertThat(answer.closeCode()).isEqualTo(1009);
                }
            }
            try (RawWebSocket fragments = RawWebSocket.handshake(cluster.node(1).wsUri(), Map.of())) {
                byte[] piece = "x".repeat(8 * 1024).getBytes(StandardCharsets.UTF_8);
                fragments.sendFrame(RawWebSocket.TEXT, piece, false);
                fragments.sendFrame(0x0, piece, false);
                fragments.sendFrame(0x0, piece, true);
                assertThat(fragments.readSkippingPings().closeCode()).as("24 KiB in three 8 KiB frames").isEqualTo(1009);
            }
            bystander.say("unbothered");
            await("the bystander chats on").atMost(ofSeconds(5)).until(() -> bystander.texts().contains("unbothered"));
        }
    }

    @Test
    void bad_typing_frames_get_error_frames_and_the_connection_keeps_working() {
        try (Cluster cluster = Cluster.start(1);
             ChatClient bob = ChatClient.connect("bob", cluster.node(1).wsUri());
             ChatClient eve = ChatClient.connect("eve", cluster.node(1).wsUri())) {
            bob.sendRaw(Frames.joinAs("keys", "bob"));
            await("bob joined").atMost(ofSeconds(5)).until(() -> !bob.framesOfType("joined").isEmpty());
            eve.sendRaw("{\"type\":\"typing\",\"payload\":{}}");
            await("typing before a join").atMost(ofSeconds(5)).until(() -> eve.errorCodes().equals(List.of("not_joined")));
            eve.sendRaw(Frames.joinAs("keys", "eve"));
            await("eve joined").atMost(ofSeconds(5)).until(() -> !eve.framesOfType("joined").isEmpty());
            for (String bad : List.of("{\"type\":\"typing\",\"payload\":\"now\"}", "{\"type\":\"typing\",\"payload\":[1,2]}",
                    "{\"type\":\"typing\",\"payload\":7}", "{\"type\":\"typing\",\"payload\":{}", "{\"type\":\"Typing\"}")) {
                eve.sendRaw(bad);
            }
            await("each bad frame is answered").atMost(ofSeconds(5)).until(() -> eve.errorCodes().size() == 6);
            assertThat(eve.errorCodes()).containsExactly("not_joined", "bad_payload", "bad_payload", "bad_payload", "bad_json",
                    "unknown_type");
            // Fields a typing frame does not have are ignored: it names neither another room nor another sender.
            eve.sendRaw("{\"type\":\"typing\",\"payload\":{\"roomId\":\"elsewhere\",\"name\":\"bob\",\"deep\":[{\"a\":[1]}]}}");
            await("bob sees eve typing").atMost(ofSeconds(5)).until(() -> !bob.framesOfType("typing").isEmpty());
            assertThat(bob.framesOfType("typing")).extracting(f -> Frames.payloadOf(f).toString())
                    .containsOnly("{\"roomId\":\"keys\",\"name\":\"eve\"}");
            eve.say("still here");
            await("eve chats on").atMost(ofSeconds(5)).until(() -> bob.texts().contains("still here"));
            assertThat(eve.isOpen()).isTrue();
            assertThat(eve.errorCodes()).hasSize(6);
        }
    }

    @Test
    void a_frame_whose_type_is_an_object_is_refused_whole_and_nothing_inside_it_is_read_as_the_frame() {
        try (Cluster cluster = Cluster.start(1);
             ChatClient client = ChatClient.connect("client", cluster.node(1).wsUri()).joinAndWait("lobby")) {
            // The insides of a "type" object look like a leave; the frame has no string type, so it is no leave.
            client.sendRaw("{\"type\":{\"type\":\"leave\",\"payload\":{}},\"payload\":{}}");
            await("refused").atMost(ofSeconds(5)).until(() -> client.errorCodes().equals(List.of("unknown_type")));
            client.say("still in the room");
            await("still joined").atMost(ofSeconds(5)).until(() -> client.texts().contains("still in the room"));
            assertThat(client.errorCodes()).containsExactly("unknown_type");
        }
    }

    /**
     * At least 10,000 frames from four raw connections: each frame is followed by a sentinel (an unknown type
     * naming its number), and everything the node sends before the sentinel's error is that frame's answer.
     * Every frame must get an {@code error}, its normal reply (a frame the mutations left valid), or a close
     * code; a valid {@code leave} or {@code typing} are the only frames that may go unanswered. Three clients chat throughout.
     */
    @Test
    void a_fuzzer_sends_10000_random_and_mutated_frames_and_each_gets_an_answer_while_chatters_receive_everything() throws Exception {
        System.out.println("fuzz seed " + FUZZ_SEED + " (repeat a run with -Dfuzz.seed=" + FUZZ_SEED + ")");
        // Limits out of the way: this run is about parsing and validation, not rates.
        Security unlimited = Security.workshop().withRates(1_000_000, 1L << 30, 1_000_000, ofSeconds(10));
        int connections = 4;
        int perConnection = 2_500;
        try (Cluster cluster = Cluster.start(1, c -> c.withSecurity(unlimited))) {
            URI ws = cluster.node(1).wsUri();
            List<ChatClient> chatters = new ArrayList<>();
            ScheduledExecutorService chatter = Executors.newSingleThreadScheduledExecutor();
            ExecutorService fuzzers = Executors.newFixedThreadPool(connections);
            Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
            List<String> failures = new CopyOnWriteArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    chatters.add(ChatClient.connect("chatter" + i, ws).joinAndWait("calm"));
                }
                AtomicInteger said = new AtomicInteger();
                chatter.scheduleAtFixedRate(() -> chatters.get(said.get() % 3).say("calm " + said.getAndIncrement()),
                        0, 20, TimeUnit.MILLISECONDS);
                List<Future<Integer>> runs = new ArrayList<>();
                for (int i = 0; i < connections; i++) {
                    long seed = FUZZ_SEED + i;
                    runs.add(fuzzers.submit(() -> fuzz(ws, new Random(seed), perConnection, answers, failures)));
                }
                int sent = 0;
                for (Future<Integer> run : runs) {
                    sent += run.get(120, TimeUnit.SECONDS);
                }
                chatter.shutdown();
                assertThat(chatter.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
                System.out.println("fuzz: " + sent + " frames; answers " + new TreeMap<>(answers));
                assertThat(failures).as("frames without an answer").isEmpty();
                assertThat(sent).isGreaterThanOrEqualTo(10_000);

                int total = said.get();
                List<String> expected = new ArrayList<>();
                for (int n = 0; n < total; n++) {
                    expected.add("calm " + n);
                }
                for (ChatClient c : chatters) {
                    await(c.name() + " has every message").atMost(ofSeconds(10)).failFast(c.name() + " was closed", c::isClosed)
                            .until(() -> c.texts().size() >= total);
                    assertThat(c.texts()).containsExactlyInAnyOrderElementsOf(expected);
                    assertThat(c.seqs()).isSorted().doesNotHaveDuplicates();
                    assertThat(c.errorCodes()).isEmpty();
                }
                assertThat(HttpJson.get(cluster.node(1).httpUri(), "health").status()).isEqualTo(200);
            } finally {
                chatter.shutdownNow();
                fuzzers.shutdownNow();
                chatters.forEach(ChatClient::close);
            }
        }
    }

    private static int fuzz(URI ws, Random random, int count, Map<String, AtomicInteger> answers, List<String> failures) {
        Fuzz fuzz = new Fuzz(random);
        RawWebSocket wire = RawWebSocket.handshake(ws, Map.of(), random);
        try {
            for (int i = 0; i < count && failures.size() < 20; i++) {
                Fuzz.Frame frame = fuzz.next();
                String sentinel = "sentinel-" + i;
                Integer closeCode = null;
                boolean dropped = false;
                List<JsonNode> replies = new ArrayList<>();
                try {
                    if (frame.raw() != null) {
                        wire.sendBytes(frame.raw());
                    } else {
                        wire.sendFrame(frame.opcode(), frame.payload(), true);
                    }
                    wire.sendText("{\"type\":\"" + sentinel + "\"}");
                } catch (RuntimeException e) {
                    // The node closed the connection under the send; its close frame is still there to read.
                }
                while (true) {
                    RawWebSocket.Frame answer = wire.readSkippingPings();
                    if (answer == null) {
                        dropped = true;
                        break;
                    }
                    if (answer.opcode() == RawWebSocket.CLOSE) {
                        closeCode = answer.closeCode();
                        break;
                    }
                    JsonNode reply = Frames.parse(answer.text());
                    if ("error".equals(Frames.type(reply))
                            && Frames.payloadOf(reply).path("message").asText().contains(sentinel + "\"")) {
                        break;
                    }
                    replies.add(reply);
                }
                // What the room sends every member (messages, presence events, typing) answers no frame of this one's.
                List<JsonNode> direct = replies.stream().filter(r -> !BROADCAST.contains(Frames.type(r))).toList();
                String verdict;
                if (closeCode != null) {
                    verdict = "close " + closeCode;
                } else if (dropped) {
                    verdict = "dropped";
                    failures.add(frame.kind() + ": connection dropped without a close code: " + abbreviate(frame.text()));
                } else if (!direct.isEmpty()) {
                    JsonNode first = direct.get(0);
                    verdict = "error".equals(Frames.type(first)) ? "error " + Frames.payloadOf(first).path("code").asText()
                            : Frames.type(first);
                    if (direct.stream().anyMatch(r -> "joined".equals(Frames.type(r)))) {
                        // A mutation left a valid join: leave again, so later message frames stay not_joined.
                        wire.sendText("{\"type\":\"leave\"}");
                    }
                } else if (isLeave(frame)) {
                    verdict = "leave (no answer)";
                } else if (isTyping(frame)) {
                    verdict = "typing (no answer)";
                } else {
                    verdict = "none";
                    failures.add(frame.kind() + ": no answer: " + abbreviate(frame.text()));
                }
                answers.computeIfAbsent(verdict, v -> new AtomicInteger()).incrementAndGet();
                if (closeCode != null || dropped) {
                    wire.close();
                    wire = RawWebSocket.handshake(ws, Map.of(), random);
                }
            }
        } finally {
            wire.close();
        }
        return count;
    }

    private static boolean isLeave(Fuzz.Frame frame) {
        if (frame.opcode() != RawWebSocket.TEXT || frame.raw() != null) {
            return false;
        }
        JsonNode parsed = Frames.parse(frame.text());
        return parsed.isObject() && "leave".equals(parsed.path("type").asText(null));
    }

    /** A valid typing frame from a joined connection is relayed to the others, or dropped: its sender gets nothing. */
    private static boolean isTyping(Fuzz.Frame frame) {
        if (frame.opcode() != RawWebSocket.TEXT || frame.raw() != null) {
            return false;
        }
        JsonNode parsed = Frames.parse(frame.text());
        return parsed.isObject() && "typing".equals(parsed.path("type").asText(null));
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 120) + "…";
    }

    /** A room mate that notes when each message arrives, to measure delay; plain Java-WebSocket, recording only. */
    static final class Mate extends WebSocketClient {
        final String name;
        final List<Long> delays = new CopyOnWriteArrayList<>();
        final List<String> errors = new CopyOnWriteArrayList<>();
        final Set<String> seen = ConcurrentHashMap.newKeySet();
        private volatile boolean joined;

        private Mate(String name, URI uri) {
            super(uri);
            this.name = name;
            setConnectionLostTimeout(0);
        }

        static Mate join(String name, URI uri, String room) throws InterruptedException {
            Mate mate = new Mate(name, uri);
            assertThat(mate.connectBlocking(10, TimeUnit.SECONDS)).isTrue();
            mate.send(Frames.join(room));
            await(name + " joined").atMost(ofSeconds(5)).until(() -> mate.joined);
            return mate;
        }

        void say(String text) {
            send(Frames.message(text));
        }

        int mateMessages() {
            return seen.size();
        }

        @Override
        public void onMessage(String message) {
            long now = System.currentTimeMillis();
            JsonNode frame = Frames.parse(message);
            JsonNode payload = Frames.payloadOf(frame);
            switch (Frames.type(frame)) {
                case "joined" -> joined = true;
                case "error" -> errors.add(payload.path("code").asText());
                case "message" -> {
                    String text = payload.path("message").asText();
                    int at = text.indexOf('@');
                    if (text.startsWith("m") && at > 0 && seen.add(text)) {
                        delays.add(now - Long.parseLong(text.substring(at + 1)));
                    }
                }
                default -> { }
            }
        }

        @Override
        public void onOpen(ServerHandshake handshake) {
        }

        @Override
        public void onClose(int code, String reason, boolean remote) {
        }

        @Override
        public void onError(Exception ex) {
        }
    }
}
