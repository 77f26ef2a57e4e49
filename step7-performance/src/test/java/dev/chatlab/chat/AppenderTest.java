package dev.chatlab.chat;

import static java.time.Duration.ofMinutes;
import static java.time.Duration.ofSeconds;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.chatlab.testkit.redis.RedisServer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;

/** The node's group-commit appender against a real Redis: order, dedupe, storage format, and every way Redis can fail it. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class AppenderTest {

    /** What one append came to, and on which thread its callback ran. */
    record Outcome(History.Appended appended, History.Unavailable failure, String thread) {
    }

    @Test
    void two_thousand_appends_from_8_threads_into_3_rooms_get_gapless_seqs_in_each_callers_order_in_fewer_pipelines() throws Exception {
        int threads = 8;
        int perThread = 250;
        List<String> rooms = List.of("red", "green", "blue");
        try (RedisServer redis = RedisServer.start();
             Appender appender = new Appender(redis.host(), redis.port(), ofSeconds(5), 10_000, ofMinutes(1), "group", 10_000);
             History history = new History(redis.host(), redis.port(), ofSeconds(5), 10_000, ofMinutes(1))) {
            appender.start();
            AtomicReferenceArray<Outcome> outcomes = new AtomicReferenceArray<>(threads * perThread);
            CountDownLatch answered = new CountDownLatch(threads * perThread);
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> senders = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int sender = t;
                Thread thread = new Thread(() -> {
                    awaitQuietly(go);
                    for (int i = 0; i < perThread; i++) {
                        int slot = sender * perThread + i;
                        String room = rooms.get((sender + i) % rooms.size());
                        appender.append(room, Protocol.payload(room, "sender-" + sender, sender + "/" + i, slot, null), null,
                                (appended, failure) -> {
                                    outcomes.set(slot, new Outcome(appended, failure, Thread.currentThread().getName()));
                                    answered.countDown();
                                });
                    }
                }, "sender-" + t);
                thread.start();
                senders.add(thread);
            }
            go.countDown();
            for (Thread sender : senders) {
                sender.join(TimeUnit.SECONDS.toMillis(30));
            }
            assertThat(answered.await(30, TimeUnit.SECONDS)).as("every append answered").isTrue();

            Map<String, List<Long>> seqsByRoom = new HashMap<>();
            for (int t = 0; t < threads; t++) {
                Map<String, Long> lastSeq = new HashMap<>();
                for (int i = 0; i < perThread; i++) {
                    Outcome outcome = outcomes.get(t * perThread + i);
                    assertThat(outcome.failure()).as("sender %d append %d", t, i).isNull();
                    assertThat(outcome.appended().duplicate()).isFalse();
                    assertThat(outcome.thread()).as("callbacks run on the appender's thread").isEqualTo("group-appender");
                    String room = rooms.get((t + i) % rooms.size());
                    long seq = outcome.appended().seq();
                    assertThat(seq).as("sender %d's seqs in %s follow its call order", t, room)
                            .isGreaterThan(lastSeq.getOrDefault(room, 0L));
                    lastSeq.put(room, seq);
                    seqsByRoom.computeIfAbsent(room, r -> new ArrayList<>()).add(seq);
                }
            }
            for (String room : rooms) {
                List<Long> seqs = seqsByRoom.get(room).stream().sorted().toList();
                assertThat(seqs).as("%s: seqs 1..n, no gap, no duplicate", room)
                        .isEqualTo(LongStream.rangeClosed(1, seqs.size()).boxed().toList());
                List<History.Message> stored = history.after(room, 0, 10_000);
                assertThat(stored).extracting(History.Message::seq).isEqualTo(seqs);
                for (History.Message message : stored) {
                    // sentAt is the slot: the stored entry is the very message that was answered with this seq.
                    Outcome outcome = outcomes.get((int) message.sentAt());
                    assertThat(outcome.appended().seq()).isEqualTo(message.seq());
                }
            }
            assertThat(appender.appends()).isEqualTo(threads * perThread);
            assertThat(appender.queued()).isZero();
            assertThat(appender.batches()).as("pipelines sent for %d appends", threads * perThread)
                    .isPositive().isLessThan(threads * perThread);
        }
    }

    @Test
    void a_clientMsgId_sent_again_within_the_window_answers_duplicate_with_the_first_seq_and_stores_nothing() throws Exception {
        try (RedisServer redis = RedisServer.start();
             Appender appender = new Appender(redis.host(), redis.port(), ofSeconds(5), 100, ofMinutes(1), "dedupe", 100);
             History history = new History(redis.host(), redis.port(), ofSeconds(5), 100, ofMinutes(1))) {
            appender.start();
            String payload = Protocol.payload("lobby", "alice", "hello", 1, "m-1");
            // Back to back, so that the retry will most likely travel in the same pipeline as the first send.
            CompletableFuture<Outcome> first = append(appender, "lobby", payload, "m-1");
            CompletableFuture<Outcome> retry = append(appender, "lobby", payload, "m-1");
            CompletableFuture<Outcome> next = append(appender, "lobby", Protocol.payload("lobby", "alice", "again", 2, "m-2"), "m-2");

            assertThat(stored(first)).isEqualTo(new History.Appended(1, false));
            assertThat(stored(retry)).isEqualTo(new History.Appended(1, true));
            assertThat(stored(next)).isEqualTo(new History.Appended(2, false));
            assertThat(stored(append(appender, "lobby", payload, "m-1"))).isEqualTo(new History.Appended(1, true));
            assertThat(history.after("lobby", 0, 100)).extracting(History.Message::seq).containsExactly(1L, 2L);
        }
    }

    @Test
    void what_it_stores_is_what_History_append_stores_and_what_History_after_reads_back() throws Exception {
        try (RedisServer redis = RedisServer.start();
             Appender appender = new Appender(redis.host(), redis.port(), ofSeconds(5), 100, ofMinutes(1), "format", 100);
             History history = new History(redis.host(), redis.port(), ofSeconds(5), 100, ofMinutes(1))) {
            appender.start();
            String one = Protocol.payload("mixed", "alice", "one", 1_000, "c-1");
            String two = Protocol.payload("mixed", "bob", "two \"quoted\" é", 2_000, null);
            String three = Protocol.payload("mixed", "carol", "three", 3_000, "c-3");

            assertThat(stored(append(appender, "mixed", one, "c-1"))).isEqualTo(new History.Appended(1, false));
            assertThat(history.append("mixed", two, null)).isEqualTo(new History.Appended(2, false));
            assertThat(stored(append(appender, "mixed", three, "c-3"))).isEqualTo(new History.Appended(3, false));
            assertThat(history.append("mixed", one, "c-1")).as("both writers share the dedupe keys")
                    .isEqualTo(new History.Appended(1, true));

            String epoch = history.head("mixed").epoch();
            assertThat(history.after("mixed", 0, 100)).extracting(History.Message::json).containsExactly(
                    "{\"seq\":1,\"epoch\":\"" + epoch + "\"," + one.substring(1),
                    "{\"seq\":2,\"epoch\":\"" + epoch + "\"," + two.substring(1),
                    "{\"seq\":3,\"epoch\":\"" + epoch + "\"," + three.substring(1));
            assertThat(history.after("mixed", 0, 100)).extracting(History.Message::sentAt).containsExactly(1_000L, 2_000L, 3_000L);
        }
    }

    @Test
    void after_SCRIPT_FLUSH_it_loads_the_script_again_and_resends_the_appends_in_order() throws Exception {
        try (RedisServer redis = RedisServer.start();
             Appender appender = new Appender(redis.host(), redis.port(), ofSeconds(5), 100, ofMinutes(1), "noscript", 100);
             RedisClient admin = RedisClient.create(redis.host(), redis.port())) {
            appender.start();
            for (long seq = 1; seq <= 3; seq++) {
                assertThat(stored(append(appender, "lobby", Protocol.payload("lobby", "alice", "before", seq, null), null)).seq())
                        .isEqualTo(seq);
            }
            assertThat(errorCount(admin, "NOSCRIPT")).isZero();

            // The appender's thread is held in a callback while the script cache is flushed and 20 appends
            // queue up, so that all 20 travel in one pipeline and all get NOSCRIPT.
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            appender.append("lobby", Protocol.payload("lobby", "alice", "hold", 4, null), null, (appended, failure) -> {
                holding.countDown();
                awaitQuietly(release);
            });
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(admin.scriptFlush()).isEqualTo("OK");
            List<CompletableFuture<Outcome>> after = IntStream.rangeClosed(1, 20)
                    .mapToObj(i -> append(appender, "lobby", Protocol.payload("lobby", "alice", "after " + i, i, null), null))
                    .toList();
            assertThat(appender.queued()).isEqualTo(20);
            long batchesBefore = appender.batches();
            release.countDown();

            List<Long> seqs = new ArrayList<>();
            for (CompletableFuture<Outcome> outcome : after) {
                seqs.add(stored(outcome).seq());
            }
            assertThat(seqs).as("in the order they were appended").isEqualTo(LongStream.rangeClosed(5, 24).boxed().toList());
            assertThat(errorCount(admin, "NOSCRIPT")).as("Redis answered NOSCRIPT to each of the 20").isEqualTo(20);
            assertThat(appender.batches() - batchesBefore).as("the refused pipeline and the one sent again").isEqualTo(2);
            assertThat(appender.appends()).isEqualTo(24);
        }
    }

    @Test
    void while_Redis_is_down_appends_fail_fast_with_unavailable_and_once_it_is_back_on_the_same_port_they_succeed() throws Exception {
        try (RedisServer redis = RedisServer.start();
             Appender appender = new Appender(redis.host(), redis.port(), ofSeconds(1), 100, ofMinutes(1), "outage", 100)) {
            appender.start();
            assertThat(stored(append(appender, "lobby", Protocol.payload("lobby", "alice", "before", 1, null), null)).seq())
                    .isEqualTo(1);

            redis.kill();
            for (int i = 0; i < 3; i++) {
                Outcome outcome = outcome(append(appender, "lobby", Protocol.payload("lobby", "alice", "during", 2, null), null));
                assertThat(outcome.appended()).isNull();
                assertThat(outcome.failure().getMessage()).startsWith("cannot store a message in lobby: ");
            }
            // A burst while Redis is down: every one answered, none left waiting on a connection attempt.
            List<CompletableFuture<Outcome>> burst = IntStream.range(0, 50)
                    .mapToObj(i -> append(appender, "lobby", Protocol.payload("lobby", "alice", "burst", i, null), null))
                    .toList();
            await("the burst is answered").atMost(ofSeconds(5))
                    .until(() -> burst.stream().allMatch(CompletableFuture::isDone));
            assertThat(burst).allSatisfy(f -> assertThat(f.join().failure()).isNotNull());
            assertThat(appender.queued()).isZero();

            redis.restart();
            await("appends succeed once Redis is back").atMost(ofSeconds(10)).untilAsserted(() -> {
                Outcome outcome = outcome(append(appender, "lobby", Protocol.payload("lobby", "alice", "after", 3, null), null));
                assertThat(outcome.failure()).isNull();
                assertThat(outcome.appended().seq()).isGreaterThan(1);
            });
        }
    }

    @Test
    void over_maxQueued_an_append_is_refused_at_once_on_the_callers_thread_and_the_queued_ones_go_through_later() throws Exception {
        try (RedisServer redis = RedisServer.start();
             Appender appender = new Appender(redis.host(), redis.port(), ofSeconds(30), 100, ofMinutes(1), "bounded", 4)) {
            appender.start();
            assertThat(stored(append(appender, "lobby", Protocol.payload("lobby", "alice", "0", 0, null), null)).seq()).isEqualTo(1);

            List<CompletableFuture<Outcome>> accepted = new ArrayList<>();
            AtomicReference<Outcome> refused = new AtomicReference<>();
            redis.freeze();
            try {
                long sent = appender.batches();
                accepted.add(append(appender, "lobby", Protocol.payload("lobby", "alice", "1", 1, null), null));
                await("the first append is on the wire").atMost(ofSeconds(5)).until(() -> appender.batches() == sent + 1);
                for (int i = 2; i <= 5; i++) {
                    accepted.add(append(appender, "lobby", Protocol.payload("lobby", "alice", String.valueOf(i), i, null), null));
                }
                assertThat(appender.queued()).isEqualTo(4);

                appender.append("lobby", Protocol.payload("lobby", "alice", "6", 6, null), null,
                        (appended, failure) -> refused.set(new Outcome(appended, failure, Thread.currentThread().getName())));
                assertThat(refused.get()).as("answered before append returned").isNotNull();
                assertThat(refused.get().appended()).isNull();
                assertThat(refused.get().failure().getMessage()).startsWith("node overloaded");
                assertThat(refused.get().thread()).isEqualTo(Thread.currentThread().getName());
                assertThat(appender.queued()).isEqualTo(4);
                assertThat(accepted).noneMatch(CompletableFuture::isDone);
            } finally {
                redis.thaw();
            }
            List<Long> seqs = new ArrayList<>();
            for (CompletableFuture<Outcome> outcome : accepted) {
                seqs.add(stored(outcome).seq());
            }
            assertThat(seqs).containsExactly(2L, 3L, 4L, 5L, 6L);
        }
    }

    @Test
    void close_fails_the_queued_appends_with_node_stopping_answers_the_one_on_the_wire_and_ends_the_thread() throws Exception {
        try (RedisServer redis = RedisServer.start();
             Appender appender = new Appender(redis.host(), redis.port(), ofSeconds(1), 100, ofMinutes(1), "closing", 100)) {
            appender.start();
            assertThat(stored(append(appender, "lobby", Protocol.payload("lobby", "alice", "0", 0, null), null)).seq()).isEqualTo(1);
            assertThat(appenderThreads("closing-appender")).singleElement().satisfies(t -> assertThat(t.isDaemon()).isTrue());

            redis.freeze();
            try {
                long sent = appender.batches();
                CompletableFuture<Outcome> onTheWire = append(appender, "lobby", Protocol.payload("lobby", "alice", "1", 1, null), null);
                await("the first append is on the wire").atMost(ofSeconds(5)).until(() -> appender.batches() == sent + 1);
                List<CompletableFuture<Outcome>> waiting = IntStream.range(2, 5)
                        .mapToObj(i -> append(appender, "lobby", Protocol.payload("lobby", "alice", String.valueOf(i), i, null), null))
                        .toList();
                assertThat(appender.queued()).isEqualTo(3);

                appender.close();

                assertThat(waiting).allSatisfy(f -> {
                    Outcome outcome = f.getNow(null);
                    assertThat(outcome).as("answered by close").isNotNull();
                    assertThat(outcome.failure().getMessage()).isEqualTo("node stopping");
                });
                Outcome timedOut = onTheWire.getNow(null);
                assertThat(timedOut).as("the pipeline on the wire was answered before close returned").isNotNull();
                assertThat(timedOut.failure().getMessage()).startsWith("cannot store a message in lobby: ");
                assertThat(appender.queued()).isZero();
                assertThat(appender.appends()).isEqualTo(5);
                assertThat(appenderThreads("closing-appender")).isEmpty();

                Outcome late = outcome(append(appender, "lobby", Protocol.payload("lobby", "alice", "5", 5, null), null));
                assertThat(late.failure().getMessage()).isEqualTo("node stopping");
                assertThat(late.thread()).isEqualTo(Thread.currentThread().getName());
            } finally {
                redis.thaw();
            }
        }
    }

    @Test
    void a_callback_that_throws_does_not_stop_the_appender() throws Exception {
        try (RedisServer redis = RedisServer.start();
             Appender appender = new Appender(redis.host(), redis.port(), ofSeconds(5), 100, ofMinutes(1), "sturdy", 100)) {
            appender.start();
            CountDownLatch thrown = new CountDownLatch(1);
            appender.append("lobby", Protocol.payload("lobby", "alice", "boom", 1, null), null, (appended, failure) -> {
                thrown.countDown();
                throw new IllegalStateException("a callback's own bug");
            });
            assertThat(thrown.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(stored(append(appender, "lobby", Protocol.payload("lobby", "alice", "next", 2, null), null)))
                    .isEqualTo(new History.Appended(2, false));
            assertThat(appenderThreads("sturdy-appender")).hasSize(1);
        }
    }

    private static CompletableFuture<Outcome> append(Appender appender, String roomId, String payload, String clientMsgId) {
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        appender.append(roomId, payload, clientMsgId,
                (appended, failure) -> outcome.complete(new Outcome(appended, failure, Thread.currentThread().getName())));
        return outcome;
    }

    private static Outcome outcome(CompletableFuture<Outcome> future) throws Exception {
        Outcome outcome = future.get(15, TimeUnit.SECONDS);
        assertThat(outcome.appended() == null).as("exactly one of appended and failure: %s", outcome)
                .isNotEqualTo(outcome.failure() == null);
        return outcome;
    }

    private static History.Appended stored(CompletableFuture<Outcome> future) throws Exception {
        Outcome outcome = outcome(future);
        assertThat(outcome.failure()).isNull();
        return outcome.appended();
    }

    /** How often Redis has answered this error, from INFO errorstats. */
    private static long errorCount(RedisClient admin, String error) {
        return admin.info("errorstats").lines().filter(line -> line.startsWith("errorstat_" + error + ":count="))
                .mapToLong(line -> Long.parseLong(line.substring(line.indexOf('=') + 1).trim()))
                .findFirst().orElse(0);
    }

    private static List<Thread> appenderThreads(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name) && t.isAlive()).toList();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
