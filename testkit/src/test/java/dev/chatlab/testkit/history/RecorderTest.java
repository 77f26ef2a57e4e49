package dev.chatlab.testkit.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.chatlab.testkit.history.History.Member;
import dev.chatlab.testkit.history.History.Outcome;
import dev.chatlab.testkit.history.History.Reconnect;
import dev.chatlab.testkit.history.Recorder.Keep;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** How a recorder turns a client's events into history and feeds its checker, fed by hand as a client would call it. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class RecorderTest {
    private final AtomicLong now = new AtomicLong(1_000);
    private final AtomicLong lastSeq = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final Checker checker = new Checker();
    private final Recorder<String> bob = recorder("bob", Keep.EVERYTHING);

    private Recorder<String> recorder(String name, Keep keep) {
        Recorder<String> recorder = new Recorder<>(name, "r", checker, now::get, keep);
        recorder.watch(lastSeq::get, duplicates::get);
        return recorder;
    }

    private static void message(Recorder<String> to, long seq, String id, long sentAt) {
        to.message("text of " + id, seq, "e1", id, "text of " + id, sentAt);
    }

    @Test
    void before_its_first_join_a_client_is_no_member_and_expects_nothing() {
        bob.disconnected(-1, "refused", false);
        assertThat(bob.history().members()).isEmpty();
        assertThat(bob.joined()).isFalse();
        assertThat(bob.reconnects()).as("an attempt that never got in is no outage").isEmpty();
        assertThat(checker.verdict().receivers()).isEmpty();
    }

    @Test
    void the_first_join_fixes_the_seq_it_expects_everything_after() {
        lastSeq.set(41);
        bob.connected("node-1");
        lastSeq.set(57);
        duplicates.set(3);
        bob.connected("node-2");
        assertThat(bob.history().members()).containsExactly(new Member("bob", "r", 41, 3));
        assertThat(bob.inRoom()).isTrue();
        assertThat(bob.node()).isEqualTo("node-2");
        assertThat(checker.verdict().rawDuplicates()).isEqualTo(3);
    }

    @Test
    void an_outage_runs_from_the_first_disconnect_to_the_next_join_through_failed_attempts() {
        bob.connected("node-1");
        now.set(2_000);
        bob.disconnected(1006, "gone", true);
        now.set(2_500);
        bob.disconnected(-1, "refused", false);
        bob.disconnected(-1, "refused", false);
        assertThat(bob.inRoom()).isFalse();
        assertThat(bob.downSince()).isEqualTo(2_000);
        now.set(3_200);
        bob.connected("node-2");
        assertThat(bob.reconnects()).containsExactly(new Reconnect("bob", 2_000, 3_200));
        assertThat(bob.downSince()).isEqualTo(-1);
        assertThat(bob.joins()).extracting(Recorder.Joined::node).containsExactly("node-1", "node-2");
        assertThat(bob.connected).containsExactly("node-1", "node-2");
        assertThat(bob.closes()).extracting(Recorder.Closed::code).containsExactly(1006, -1, -1);
        assertThat(bob.disconnects).first().isEqualTo(new Recorder.Disconnect(1006, "gone", true));
        assertThat(checker.verdict().reconnectMillis()).containsExactly(1_200L);
    }

    @Test
    void closing_on_purpose_is_not_an_outage() {
        bob.connected("node-1");
        bob.leaving();
        bob.disconnected(1001, "closed by the application", false);
        assertThat(bob.closes()).isEmpty();
        assertThat(bob.inRoom()).isTrue();
    }

    @Test
    void messages_are_kept_in_order_and_tell_whether_live_traffic_arrives() {
        bob.connected("node-1");
        message(bob, 1, "a-1", 1_000);
        now.set(1_500);
        message(bob, 2, "a-2", 5_000);
        assertThat(bob.seqs()).containsExactly(1L, 2L);
        assertThat(bob.messages).containsExactly("text of a-1", "text of a-2");
        assertThat(bob.texts()).containsExactly("text of a-1", "text of a-2");
        assertThat(bob.history().receives()).extracting(History.Receive::clientMsgId, History.Receive::at)
                .containsExactly(tuple("a-1", 1_000L), tuple("a-2", 1_500L));
        assertThat(bob.delivered()).isEqualTo(2);
        assertThat(bob.receivingSince(5_000)).isTrue();
        assertThat(bob.receivingSince(5_001)).isFalse();
        assertThat(bob.firstReceivedOfSince(2_000)).contains(1_500L);
        assertThat(bob.firstReceivedOfSince(9_000)).isEmpty();
    }

    @Test
    void gaps_the_client_caught_and_recoveries_it_was_told_of_are_kept_with_when() {
        bob.connected("node-1");
        now.set(1_100);
        bob.gapDetected(5, 9);
        now.set(1_200);
        bob.recovery(false, "e1", "e1");
        assertThat(bob.gaps).containsExactly(new Recorder.Gap(5, 9));
        assertThat(bob.recoveries).containsExactly(new Recorder.Recovery(false, "e1", "e1"));
        assertThat(bob.history().gaps()).containsExactly(new History.Gap("bob", "r", 5, 9, 1_100));
        assertThat(bob.history().recoveries()).containsExactly(new History.Recovery("bob", "r", 1_200));
    }

    @Test
    void sends_take_their_fate_from_the_client_whichever_comes_first() {
        bob.connected("node-1");
        bob.acked("b-1", 1);
        bob.sent("b-1");
        bob.sent("b-2");
        bob.sent("b-3");
        bob.sendFailed("b-2", "too_long: no");
        assertThat(bob.sends()).extracting(History.Send::clientMsgId, History.Send::outcome, History.Send::seq)
                .containsExactly(tuple("b-1", Outcome.ACKED, 1L), tuple("b-2", Outcome.FAILED, null),
                        tuple("b-3", Outcome.UNKNOWN, null));
        assertThat(bob.acks).containsExactly(new Recorder.Ack("b-1", 1));
        assertThat(bob.failed).containsExactly("b-2");
        Verdict verdict = checker.verdict();
        assertThat(verdict.sends()).isEqualTo(3);
        assertThat(verdict.lost()).as("bob was never handed b-1").isEqualTo(1);
    }

    @Test
    void every_event_is_logged_in_order() {
        bob.connecting(URI.create("ws://127.0.0.1:1/"), 0, Duration.ofMillis(5));
        bob.connected("node-1");
        message(bob, 1, "a-1", 1_000);
        bob.error("unavailable", "try later");
        bob.fatal("banned");
        assertThat(bob.log).containsExactly("connecting ws://127.0.0.1:1/ #0 in 5 ms", "connected node-1",
                "message 1 text of a-1", "error unavailable: try later", "fatal banned");
        assertThat(bob.attempts).extracting(Recorder.Attempt::attempt).containsExactly(0);
        assertThat(bob.errors).containsExactly("unavailable");
        assertThat(bob.errorCount()).isEqualTo(1);
        assertThat(bob.toString()).startsWith("bob in r:\nconnecting");
    }

    @Test
    void counting_only_feeds_the_checker_and_keeps_nothing_per_message() {
        Recorder<String> carol = recorder("carol", Keep.COUNTS);
        carol.connected("node-1");
        carol.sent("c-1");
        carol.acked("c-1", 1);
        message(carol, 1, "c-1", 1_000);
        message(carol, 1, "c-1", 1_000);
        carol.error("unavailable", "try later");
        assertThat(carol.delivered()).isEqualTo(2);
        assertThat(carol.errorCount()).isEqualTo(1);
        assertThat(carol.messages).isEmpty();
        assertThat(carol.log).isEmpty();
        assertThat(carol.errors).isEmpty();
        assertThat(carol.history().receives()).isEmpty();
        assertThat(carol.connected).as("the connection's events are kept").containsExactly("node-1");
        assertThat(checker.verdict().repeatedSeqs()).isEqualTo(1);
    }

    @Test
    void the_history_of_its_recorders_gives_the_verdict_its_checker_gave_as_the_events_arrived() {
        Recorder<String> carol = recorder("carol", Keep.EVERYTHING);
        bob.connected("node-1");
        carol.connected("node-2");
        for (long seq = 1; seq <= 6; seq++) {
            now.set(1_000 + seq * 10);
            String id = "a-" + seq;
            bob.sent(id);
            bob.acked(id, seq);
            if (seq != 3) {
                message(bob, seq, id, now.get());
            }
            if (seq == 4) {
                carol.disconnected(1006, "gone", false);
                carol.recovery(false, "e1", "e1");
                carol.connected("node-1");
            }
            message(carol, seq == 5 ? 4 : seq, id, now.get());
        }
        bob.gapDetected(3, 5);
        Verdict online = checker.verdict();
        Verdict whole = Checker.check(History.of(List.of(bob, carol)));
        assertThat(online.valid()).isFalse();
        assertThat(whole).isEqualTo(online);
    }
}
