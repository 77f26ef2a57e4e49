package dev.chatlab.testkit.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatlab.testkit.history.History.Gap;
import dev.chatlab.testkit.history.History.Member;
import dev.chatlab.testkit.history.History.Outcome;
import dev.chatlab.testkit.history.History.Receive;
import dev.chatlab.testkit.history.History.Reconnect;
import dev.chatlab.testkit.history.History.Recovery;
import dev.chatlab.testkit.history.History.Send;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The checker, judged on hand-written histories before it judges anything real. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class CheckerTest {
    private static final String E = "e1";

    private static Send acked(String id, long seq) {
        return new Send("alice", "r", id, seq * 10, Outcome.ACKED, seq);
    }

    private static Receive got(String who, long seq, String id) {
        return new Receive(who, "r", seq, E, id, seq * 10 + 5);
    }

    private static History history(List<Send> sends, List<Receive> receives) {
        return new History(sends, List.of(new Member("bob", "r", 0)), receives, List.of(), List.of());
    }

    @Test
    void an_empty_history_is_valid() {
        Verdict verdict = Checker.check(History.empty());
        assertThat(verdict.valid()).isTrue();
        assertThat(verdict.sends()).isZero();
        assertThat(verdict.reconnectPercentile(99)).isZero();
    }

    @Test
    void a_sane_history_is_valid_and_counts_what_happened() {
        Verdict verdict = Checker.check(history(
                List.of(acked("a1", 1), acked("a2", 2), acked("a3", 3)),
                List.of(got("bob", 1, "a1"), got("bob", 2, "a2"), got("bob", 3, "a3"))));
        assertThat(verdict.valid()).as(verdict.describe()).isTrue();
        assertThat(verdict.acked()).isEqualTo(3);
        assertThat(verdict.delivered()).isEqualTo(3);
        assertThat(verdict.expected()).isEqualTo(3);
        assertThat(verdict.describe()).startsWith("VALID");
    }

    @Test
    void an_acked_message_never_delivered_is_lost_and_named() {
        Verdict verdict = Checker.check(history(
                List.of(acked("a1", 1), acked("a2", 2), acked("a3", 3)),
                List.of(got("bob", 1, "a1"), got("bob", 3, "a3"))));
        assertThat(verdict.valid()).isFalse();
        assertThat(verdict.lost()).isEqualTo(1);
        assertThat(verdict.receivers().get(0).lost().examples()).containsExactly("a2@2");
        assertThat(verdict.undetectedGaps()).as("and bob was never told").isEqualTo(1);
        assertThat(verdict.describe()).contains("INVALID", "lost 1: a2@2", "seq 1 then 3");
    }

    @Test
    void a_message_delivered_twice_to_the_application_is_duplicated() {
        Verdict verdict = Checker.check(history(
                List.of(acked("a1", 1), acked("a2", 2)),
                List.of(got("bob", 1, "a1"), got("bob", 2, "a2"), got("bob", 2, "a2"))));
        assertThat(verdict.valid()).isFalse();
        assertThat(verdict.duplicated()).isEqualTo(1);
        assertThat(verdict.repeatedSeqs()).isEqualTo(1);
        assertThat(verdict.reordered()).as("a duplicate is not also counted as reordered").isZero();
        assertThat(verdict.describe()).contains("duplicated 1: seq 2");
    }

    @Test
    void a_send_stored_twice_under_two_seqs_is_duplicated_and_named() {
        Verdict verdict = Checker.check(history(
                List.of(acked("a1", 1), acked("a2", 2)),
                List.of(got("bob", 1, "a1"), got("bob", 2, "a2"), got("bob", 3, "a2"))));
        assertThat(verdict.valid()).isFalse();
        assertThat(verdict.receivers().get(0).storedTwice().examples()).containsExactly("a2 as seq 2 and 3");
        assertThat(verdict.duplicated()).as("duplicated after dedupe counts it").isEqualTo(1);
        assertThat(verdict.repeatedSeqs()).as("no seq came twice").isZero();
        assertThat(verdict.messagesStoredTwice()).isEqualTo(1);
        assertThat(verdict.unexpected()).as("it was sent, once").isZero();
        assertThat(verdict.describe()).contains("duplicated 1: a2 as seq 2 and 3");
    }

    @Test
    void a_message_stored_twice_counts_once_for_the_run_however_many_members_saw_it() {
        History history = new History(
                List.of(acked("a1", 1)),
                List.of(new Member("bob", "r", 0), new Member("carol", "r", 0)),
                List.of(got("bob", 1, "a1"), got("bob", 2, "a1"), got("carol", 1, "a1"), got("carol", 2, "a1")),
                List.of(), List.of());
        Verdict verdict = Checker.check(history);
        assertThat(verdict.messagesStoredTwice()).isEqualTo(1);
        assertThat(verdict.duplicated()).as("each member was handed it twice").isEqualTo(2);
    }

    @Test
    void duplicates_on_the_wire_that_the_client_dropped_are_counted_but_allowed() {
        History history = new History(
                List.of(acked("a1", 1), acked("a2", 2)),
                List.of(new Member("bob", "r", 0, 1)),
                List.of(got("bob", 1, "a1"), got("bob", 2, "a2")),
                List.of(), List.of());
        Verdict verdict = Checker.check(history);
        assertThat(verdict.valid()).as(verdict.describe()).isTrue();
        assertThat(verdict.rawDuplicates()).isEqualTo(1);
        assertThat(verdict.describe()).contains("raw duplicates dropped by clients 1");
    }

    @Test
    void a_gap_a_node_left_on_the_wire_is_invalid_even_though_the_client_refilled_it_and_names_the_skipped_messages() {
        History history = new History(
                List.of(acked("a1", 1), acked("a2", 2), acked("a3", 3), acked("a4", 4)),
                List.of(new Member("bob", "r", 0)),
                List.of(got("bob", 1, "a1"), got("bob", 2, "a2"), got("bob", 3, "a3"), got("bob", 4, "a4")),
                List.of(), List.of(),
                List.of(new Gap("bob", "r", 2, 4, 35)));
        Verdict verdict = Checker.check(history);
        assertThat(verdict.valid()).isFalse();
        assertThat(verdict.lost()).as("the client refilled it").isZero();
        assertThat(verdict.undetectedGaps()).as("and never delivered past it").isZero();
        assertThat(verdict.nodeGaps()).isEqualTo(1);
        assertThat(verdict.receivers().get(0).nodeGaps().examples()).containsExactly("seq 1 then 4 (missing a2@2, a3@3)");
        assertThat(verdict.describe()).contains("INVALID", "gaps nodes left on the wire 1", "gaps the node left 1: seq 1 then 4");
    }

    @Test
    void a_long_gap_names_its_first_messages_and_how_many_there_were() {
        List<Send> sends = new ArrayList<>();
        List<Receive> receives = new ArrayList<>();
        for (long seq = 1; seq <= 10; seq++) {
            sends.add(acked("a" + seq, seq));
            receives.add(got("bob", seq, "a" + seq));
        }
        History history = new History(sends, List.of(new Member("bob", "r", 0)), receives, List.of(), List.of(),
                List.of(new Gap("bob", "r", 2, 10, 95), new Gap("carol", "r", 2, 10, 95)));
        Verdict verdict = Checker.check(history);
        assertThat(verdict.nodeGaps()).as("carol is not a member: her gap is not bob's").isEqualTo(1);
        assertThat(verdict.receivers().get(0).nodeGaps().examples())
                .containsExactly("seq 1 then 10 (missing a2@2, a3@3, a4@4, a5@5, … 8 in all)");
    }

    @Test
    void messages_out_of_seq_order_are_reordered() {
        Verdict verdict = Checker.check(history(
                List.of(acked("a1", 1), acked("a2", 2), acked("a3", 3)),
                List.of(got("bob", 1, "a1"), got("bob", 3, "a3"), got("bob", 2, "a2"))));
        assertThat(verdict.valid()).isFalse();
        assertThat(verdict.reordered()).isEqualTo(1);
        assertThat(verdict.receivers().get(0).reordered().examples()).containsExactly("seq 2 after 3");
        assertThat(verdict.lost()).as("it came, late").isZero();
    }

    @Test
    void every_message_that_arrives_after_a_later_one_is_reordered_and_a_repeat_of_one_is_a_duplicate() {
        Verdict verdict = Checker.check(history(
                List.of(acked("a1", 1), acked("a2", 2), acked("a3", 3), acked("a4", 4)),
                List.of(got("bob", 1, "a1"), got("bob", 4, "a4"), got("bob", 2, "a2"), got("bob", 3, "a3"),
                        got("bob", 2, "a2"))));
        assertThat(verdict.receivers().get(0).reordered().examples()).containsExactly("seq 2 after 4", "seq 3 after 4");
        assertThat(verdict.receivers().get(0).duplicated().examples()).containsExactly("seq 2");
        assertThat(verdict.lost()).isZero();
        assertThat(verdict.receivers().get(0).distinct()).isEqualTo(4);
    }

    @Test
    void a_message_nobody_sent_is_unexpected() {
        Verdict verdict = Checker.check(history(
                List.of(acked("a1", 1)),
                List.of(got("bob", 1, "a1"), got("bob", 2, "ghost"))));
        assertThat(verdict.valid()).isFalse();
        assertThat(verdict.unexpected()).isEqualTo(1);
        assertThat(verdict.receivers().get(0).unexpected().examples()).containsExactly("ghost@2");
    }

    @Test
    void a_seq_that_held_another_message_for_another_member_is_diverged() {
        History history = new History(
                List.of(acked("a1", 1), acked("a2", 2)),
                List.of(new Member("bob", "r", 0), new Member("carol", "r", 0)),
                List.of(got("bob", 1, "a1"), got("bob", 2, "a2"), got("carol", 1, "a2"), got("carol", 2, "a1")),
                List.of(), List.of());
        Verdict verdict = Checker.check(history);
        assertThat(verdict.valid()).isFalse();
        assertThat(verdict.receivers().get(1).diverged().examples())
                .containsExactly("seq 1 was a1 elsewhere, a2 here", "seq 2 was a2 elsewhere, a1 here");
        assertThat(verdict.describe()).contains("diverged 2: seq 1 was a1 elsewhere, a2 here");
    }

    @Test
    void an_unknown_send_that_was_stored_after_all_counts_as_recovered_and_is_not_required() {
        List<Send> sends = List.of(acked("a1", 1), new Send("alice", "r", "a2", 20, Outcome.UNKNOWN, null),
                new Send("alice", "r", "a3", 30, Outcome.UNKNOWN, null));
        Verdict verdict = Checker.check(history(sends, List.of(got("bob", 1, "a1"), got("bob", 2, "a2"))));
        assertThat(verdict.valid()).as(verdict.describe()).isTrue();
        assertThat(verdict.unknown()).isEqualTo(2);
        assertThat(verdict.unknownRecovered()).isEqualTo(1);
    }

    @Test
    void a_loss_the_receiver_was_told_about_is_announced_not_lost() {
        History history = new History(
                List.of(acked("a1", 1), acked("a2", 2), acked("a3", 3)),
                List.of(new Member("bob", "r", 0)),
                List.of(got("bob", 1, "a1"), got("bob", 3, "a3")),
                List.of(new Recovery("bob", "r", 30)),
                List.of());
        Verdict verdict = Checker.check(history);
        assertThat(verdict.valid()).as(verdict.describe()).isTrue();
        assertThat(verdict.announcedLosses()).isEqualTo(1);
        assertThat(verdict.undetectedGaps()).as("the jump came after it was told").isZero();
    }

    @Test
    void a_recovery_told_before_the_message_before_the_jump_does_not_announce_it() {
        History history = new History(
                List.of(acked("a1", 1), acked("a2", 2), acked("a3", 3)),
                List.of(new Member("bob", "r", 0)),
                List.of(got("bob", 1, "a1"), got("bob", 3, "a3")),
                List.of(new Recovery("bob", "r", 12)),
                List.of());
        Verdict verdict = Checker.check(history);
        assertThat(verdict.undetectedGaps()).isEqualTo(1);
        assertThat(verdict.lost()).as("the send came after the recovery").isEqualTo(1);
    }

    @Test
    void messages_before_a_receiver_joined_are_not_expected_of_it() {
        History history = new History(
                List.of(acked("a1", 1), acked("a2", 2)),
                List.of(new Member("bob", "r", 1)),
                List.of(got("bob", 2, "a2")),
                List.of(), List.of());
        Verdict verdict = Checker.check(history);
        assertThat(verdict.valid()).isTrue();
        assertThat(verdict.expected()).isEqualTo(1);
    }

    @Test
    void a_replaced_history_starts_its_seqs_again_without_a_jump_or_a_duplicate() {
        History history = new History(
                List.of(acked("a1", 1), acked("a2", 2), acked("b1", 1)),
                List.of(new Member("bob", "r", 0)),
                List.of(got("bob", 1, "a1"), got("bob", 2, "a2"), new Receive("bob", "r", 1, "e2", "b1", 40)),
                List.of(new Recovery("bob", "r", 35)),
                List.of());
        Verdict verdict = Checker.check(history);
        assertThat(verdict.valid()).as(verdict.describe()).isTrue();
        assertThat(verdict.receivers().get(0).distinct()).isEqualTo(3);
    }

    @Test
    void a_member_that_never_joined_is_not_judged() {
        Checker checker = new Checker();
        checker.receiver("ghost", "r").delivered(1, E, null, 1);
        Checker.Receiver bob = checker.receiver("bob", "r");
        bob.joined(0);
        assertThat(checker.verdict().receivers()).extracting(Verdict.ReceiverVerdict::receiver).containsExactly("bob");
    }

    @Test
    void reconnect_times_are_summarised_by_percentile() {
        List<Reconnect> reconnects = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            reconnects.add(new Reconnect("c" + i, 1000, 1000 + i * 10L));
        }
        Verdict verdict = Checker.check(new History(List.of(), List.of(), List.of(), List.of(), reconnects));
        assertThat(verdict.reconnectPercentile(50)).isEqualTo(500);
        assertThat(verdict.reconnectPercentile(99)).isEqualTo(990);
        assertThat(verdict.reconnectPercentile(100)).isEqualTo(1000);
    }

    // ---- the online form ----

    /** Feeds {@code history} to a new checker as recorders would, event by event, and returns its verdict. */
    private static Verdict online(History history) {
        Checker checker = new Checker();
        for (Send s : history.sends()) {
            checker.invoked(s.sender(), s.room(), s.clientMsgId(), s.invokedAt());
        }
        List<Checker.Receiver> receivers = new ArrayList<>();
        for (Member m : history.members()) {
            Checker.Receiver r = checker.receiver(m.receiver(), m.room());
            r.joined(m.joinedAtSeq());
            r.rawDuplicates(m::rawDuplicates);
            receivers.add(r);
        }
        for (Checker.Receiver r : receivers) {
            List<Recovery> told = history.recoveries().stream()
                    .filter(x -> x.receiver().equals(r.member()) && x.room().equals(r.room())).toList();
            int next = 0;
            for (Receive got : history.receives()) {
                if (got.receiver().equals(r.member()) && got.room().equals(r.room())) {
                    while (next < told.size() && told.get(next).at() <= got.at()) {
                        r.recovery(told.get(next++).at());
                    }
                    r.delivered(got.seq(), got.epoch(), got.clientMsgId(), got.at());
                }
            }
            told.subList(next, told.size()).forEach(x -> r.recovery(x.at()));
            history.gaps().stream().filter(g -> g.receiver().equals(r.member()) && g.room().equals(r.room()))
                    .forEach(g -> r.gap(g.expected(), g.got()));
        }
        for (Send s : history.sends()) {
            switch (s.outcome()) {
                case ACKED -> checker.acked(s.clientMsgId(), s.seq());
                case FAILED -> checker.failed(s.clientMsgId());
                case UNKNOWN -> checker.unknown(s.clientMsgId());
            }
        }
        history.reconnects().forEach(checker::reconnected);
        return checker.verdict();
    }

    @Test
    void fed_event_by_event_the_checker_gives_the_verdict_it_gives_on_the_whole_history() {
        List<Send> sends = new ArrayList<>();
        for (long seq = 1; seq <= 12; seq++) {
            sends.add(acked("a" + seq, seq));
        }
        sends.add(new Send("alice", "r", "u1", 130, Outcome.UNKNOWN, null));
        sends.add(new Send("alice", "r", "f1", 140, Outcome.FAILED, null));
        History history = new History(sends,
                List.of(new Member("bob", "r", 0, 2), new Member("carol", "r", 3)),
                List.of(got("bob", 1, "a1"), got("bob", 2, "a2"), got("bob", 4, "a4"), got("bob", 3, "a3"),
                        got("bob", 3, "a3"), got("bob", 7, "a7"), got("bob", 8, "a8"), got("bob", 9, "a2"),
                        got("bob", 10, "ghost"), got("bob", 12, "a12"),
                        got("carol", 4, "a4"), got("carol", 5, "a5"), got("carol", 6, "a6"), got("carol", 9, "a9"),
                        got("carol", 10, "a10"), got("carol", 11, "u1")),
                List.of(new Recovery("bob", "r", 60), new Recovery("carol", "r", 200)),
                List.of(new Reconnect("bob", 50, 70)),
                List.of(new Gap("carol", "r", 7, 9, 88)));
        Verdict whole = Checker.check(history);
        assertThat(whole.valid()).isFalse();
        assertThat(online(history)).isEqualTo(whole);
        assertThat(whole.describe()).contains("lost", "reordered", "duplicated", "unexpected", "gaps the node left");
    }

    @Test
    void a_load_that_only_counts_its_sends_is_owed_each_one_by_every_member_and_lacks_what_it_did_not_get() {
        Checker checker = new Checker();
        Checker.Receiver bob = checker.receiver("bob", "r");
        Checker.Receiver carol = checker.receiver("carol", "r");
        bob.joined(0);
        carol.joined(0);
        for (int i = 0; i < 5; i++) {
            checker.owe("r");
        }
        for (long seq = 1; seq <= 5; seq++) {
            bob.delivered(seq, null, null, seq);
        }
        carol.delivered(1, null, null, 1);
        carol.delivered(3, null, null, 3);
        carol.delivered(3, null, null, 4);
        Verdict verdict = checker.verdict();
        assertThat(verdict.expected()).isEqualTo(10);
        assertThat(verdict.delivered()).isEqualTo(8);
        assertThat(verdict.lost()).isEqualTo(3);
        assertThat(verdict.repeatedSeqs()).isEqualTo(1);
        assertThat(verdict.describe()).contains("lost 3\n");
    }

    @Test
    void messages_numbered_per_sender_are_in_order_per_sender_whatever_comes_between() {
        Checker checker = new Checker();
        Checker.Receiver bob = checker.receiver("bob", "r");
        bob.joined(0);
        for (int i = 0; i < 6; i++) {
            checker.owe("r");
        }
        bob.delivered(1, "s0", null, 1);
        bob.delivered(1, "s1", null, 2);
        bob.delivered(2, "s1", null, 3);
        bob.delivered(2, "s0", null, 4);
        bob.delivered(3, "s1", null, 5);
        bob.delivered(2, "s0", null, 6);
        Verdict verdict = checker.verdict();
        assertThat(verdict.reordered()).isZero();
        assertThat(verdict.repeatedSeqs()).isEqualTo(1);
        assertThat(verdict.lost()).as("s0's third never came").isEqualTo(1);
    }

    @Test
    void a_late_ack_settles_a_send_given_up_on_and_a_send_recorded_only_by_its_fate_is_no_send() {
        Checker checker = new Checker();
        checker.unknown("a1");
        checker.invoked("alice", "r", "a1", 10);
        checker.acked("a1", 1);
        checker.acked("x9", 9);
        Verdict verdict = checker.verdict();
        assertThat(verdict.sends()).isEqualTo(1);
        assertThat(verdict.acked()).isEqualTo(1);
        assertThat(verdict.unknown()).isZero();
    }
}
