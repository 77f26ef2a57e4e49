package dev.chatlab.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatlab.chaos.DeliveryChecker.Verdict;
import dev.chatlab.chaos.Recorded.Gap;
import dev.chatlab.chaos.Recorded.History;
import dev.chatlab.chaos.Recorded.Member;
import dev.chatlab.chaos.Recorded.Outcome;
import dev.chatlab.chaos.Recorded.Receive;
import dev.chatlab.chaos.Recorded.Reconnect;
import dev.chatlab.chaos.Recorded.Recovery;
import dev.chatlab.chaos.Recorded.Send;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/** The checker, judged on hand-written histories before it judges anything real. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class DeliveryCheckerTest {
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
        Verdict verdict = DeliveryChecker.check(History.empty());
        assertThat(verdict.valid()).isTrue();
        assertThat(verdict.sends()).isZero();
        assertThat(verdict.reconnectPercentile(99)).isZero();
    }

    @Test
    void a_sane_history_is_valid_and_counts_what_happened() {
        Verdict verdict = DeliveryChecker.check(history(
                List.of(acked("a1", 1), acked("a2", 2), acked("a3", 3)),
                List.of(got("bob", 1, "a1"), got("bob", 2, "a2"), got("bob", 3, "a3"))));
        assertThat(verdict.valid()).as(verdict.describe()).isTrue();
        assertThat(verdict.acked()).isEqualTo(3);
        assertThat(verdict.delivered()).isEqualTo(3);
        assertThat(verdict.describe()).startsWith("VALID");
    }

    @Test
    void an_acked_message_never_delivered_is_lost_and_named() {
        Verdict verdict = DeliveryChecker.check(history(
                List.of(acked("a1", 1), acked("a2", 2), acked("a3", 3)),
                List.of(got("bob", 1, "a1"), got("bob", 3, "a3"))));
        assertThat(verdict.valid()).isFalse();
        assertThat(verdict.lost()).isEqualTo(1);
        assertThat(verdict.receivers().get(0).lost()).containsExactly("a2@2");
        assertThat(verdict.undetectedGaps()).as("and bob was never told").isEqualTo(1);
        assertThat(verdict.describe()).contains("INVALID", "lost 1: a2@2", "seq 1 then 3");
    }

    @Test
    void a_message_delivered_twice_to_the_application_is_duplicated() {
        Verdict verdict = DeliveryChecker.check(history(
                List.of(acked("a1", 1), acked("a2", 2)),
                List.of(got("bob", 1, "a1"), got("bob", 2, "a2"), got("bob", 2, "a2"))));
        assertThat(verdict.valid()).isFalse();
        assertThat(verdict.duplicated()).isEqualTo(1);
        assertThat(verdict.reordered()).as("a duplicate is not also counted as reordered").isZero();
    }

    @Test
    void a_send_stored_twice_under_two_seqs_is_duplicated_and_named() {
        Verdict verdict = DeliveryChecker.check(history(
                List.of(acked("a1", 1), acked("a2", 2)),
                List.of(got("bob", 1, "a1"), got("bob", 2, "a2"), got("bob", 3, "a2"))));
        assertThat(verdict.valid()).isFalse();
        assertThat(verdict.receivers().get(0).duplicated()).containsExactly("a2 as seq 2 and 3");
        assertThat(verdict.unexpected()).as("it was sent, once").isZero();
    }

    @Test
    void duplicates_on_the_wire_that_the_client_dropped_are_counted_but_allowed() {
        History history = new History(
                List.of(acked("a1", 1), acked("a2", 2)),
                List.of(new Member("bob", "r", 0, 1)),
                List.of(got("bob", 1, "a1"), got("bob", 2, "a2")),
                List.of(), List.of());
        Verdict verdict = DeliveryChecker.check(history);
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
        Verdict verdict = DeliveryChecker.check(history);
        assertThat(verdict.valid()).isFalse();
        assertThat(verdict.lost()).as("the client refilled it").isZero();
        assertThat(verdict.undetectedGaps()).as("and never delivered past it").isZero();
        assertThat(verdict.nodeGaps()).isEqualTo(1);
        assertThat(verdict.receivers().get(0).nodeGaps()).containsExactly("seq 1 then 4 (missing a2@2, a3@3)");
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
        Verdict verdict = DeliveryChecker.check(history);
        assertThat(verdict.nodeGaps()).as("carol is not a member: her gap is not bob's").isEqualTo(1);
        assertThat(verdict.receivers().get(0).nodeGaps())
                .containsExactly("seq 1 then 10 (missing a2@2, a3@3, a4@4, a5@5, … 8 in all)");
    }

    @Test
    void messages_out_of_seq_order_are_reordered() {
        Verdict verdict = DeliveryChecker.check(history(
                List.of(acked("a1", 1), acked("a2", 2), acked("a3", 3)),
                List.of(got("bob", 1, "a1"), got("bob", 3, "a3"), got("bob", 2, "a2"))));
        assertThat(verdict.valid()).isFalse();
        assertThat(verdict.reordered()).isEqualTo(1);
        assertThat(verdict.receivers().get(0).reordered()).containsExactly("seq 2 after 3");
    }

    @Test
    void a_message_nobody_sent_is_unexpected() {
        Verdict verdict = DeliveryChecker.check(history(
                List.of(acked("a1", 1)),
                List.of(got("bob", 1, "a1"), got("bob", 2, "ghost"))));
        assertThat(verdict.valid()).isFalse();
        assertThat(verdict.unexpected()).isEqualTo(1);
    }

    @Test
    void an_unknown_send_that_was_stored_after_all_counts_as_recovered_and_is_not_required() {
        List<Send> sends = List.of(acked("a1", 1), new Send("alice", "r", "a2", 20, Outcome.UNKNOWN, null),
                new Send("alice", "r", "a3", 30, Outcome.UNKNOWN, null));
        Verdict verdict = DeliveryChecker.check(history(sends, List.of(got("bob", 1, "a1"), got("bob", 2, "a2"))));
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
        Verdict verdict = DeliveryChecker.check(history);
        assertThat(verdict.valid()).as(verdict.describe()).isTrue();
        assertThat(verdict.announcedLosses()).isEqualTo(1);
    }

    @Test
    void messages_before_a_receiver_joined_are_not_expected_of_it() {
        History history = new History(
                List.of(acked("a1", 1), acked("a2", 2)),
                List.of(new Member("bob", "r", 1)),
                List.of(got("bob", 2, "a2")),
                List.of(), List.of());
        assertThat(DeliveryChecker.check(history).valid()).isTrue();
    }

    @Test
    void reconnect_times_are_summarised_by_percentile() {
        List<Reconnect> reconnects = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            reconnects.add(new Reconnect("c" + i, 1000, 1000 + i * 10L));
        }
        Verdict verdict = DeliveryChecker.check(new History(List.of(), List.of(), List.of(), List.of(), reconnects));
        assertThat(verdict.reconnectPercentile(50)).isEqualTo(500);
        assertThat(verdict.reconnectPercentile(99)).isEqualTo(990);
        assertThat(verdict.reconnectPercentile(100)).isEqualTo(1000);
    }
}
