package dev.chatlab.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.chatlab.client.ResilientClient;
import dev.chatlab.testkit.history.Checker;
import dev.chatlab.testkit.history.PresenceHistory.Attendance;
import dev.chatlab.testkit.history.PresenceHistory.Away;
import dev.chatlab.testkit.history.PresenceHistory.Ghost;
import dev.chatlab.testkit.history.PresenceHistory.Settled;
import dev.chatlab.testkit.history.PresenceHistory.View;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * What the presence watch makes of a client's recorder, without sockets: the recorder is told what its client went
 * through, as the client's callbacks would tell it.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class PresenceWatchTest {
    private final RunClock clock = new RunClock();

    private Recorder recorder() {
        return new Recorder("c01", "r", new Checker(), clock);
    }

    @Test
    void the_nodes_get_the_short_ttl_and_leave_delay_the_goals_follow_from() {
        assertThat(PresenceWatch.nodeArgs()).containsExactly("--presence-ttl", "3000ms", "--leave-delay", "2000ms");
        assertThat(PresenceWatch.rules().ghostGoalMillis()).isEqualTo(4000);
        assertThat(PresenceWatch.rules().leaveDelayMillis()).isEqualTo(2000);
    }

    @Test
    void a_recorder_keeps_each_list_its_client_showed_and_vouches_for_nothing_while_away() {
        Recorder r = recorder();
        assertThat(r.shown()).isNull();
        r.connected("node-1");
        r.members(Set.of("c01", "c02"));
        assertThat(r.shown()).containsExactly("c01", "c02");
        r.disconnected(1006, "gone", true);
        assertThat(r.shown()).isNull();
        r.connected("node-3");
        r.members(Set.of("c01"));

        assertThat(r.views()).extracting(View::source, View::room, View::members).containsExactly(
                tuple("c01", "r", Set.of("c01", "c02")),
                tuple("c01", "r", null),
                tuple("c01", "r", Set.of("c01")));
        assertThat(r.views()).extracting(View::at).isSorted();
    }

    @Test
    void at_each_join_a_recorder_takes_the_list_its_client_holds_then_each_change_it_reports() {
        Recorder r = recorder();
        // Never started: it holds no list yet, as before its first joined.
        r.attach(ResilientClient.builder("r", URI.create("ws://127.0.0.1:9/")).name("c01").listener(r).build());
        r.connected("node-1");
        r.members(Set.of("c01"));
        assertThat(r.views()).extracting(View::members).containsExactly(Set.of(), Set.of("c01"));
        assertThat(r.shown()).containsExactly("c01");
    }

    @Test
    void a_client_whose_connection_died_before_it_knew_vouches_for_nothing_from_then() {
        Recorder frozen = recorder();
        frozen.connected("node-2");
        frozen.members(Set.of("c01", "ghost"));
        Recorder other = new Recorder("c02", "r", new Checker(), clock);
        other.connected("node-1");
        other.members(Set.of("c02"));
        long froze = clock.now();

        List<View> views = PresenceWatch.views(List.of(frozen, other), Map.of("c01", froze));
        assertThat(views).hasSize(3);
        assertThat(views).filteredOn(v -> v.source().equals("c01")).extracting(View::members)
                .containsExactly(Set.of("c01", "ghost"), null);
        assertThat(views).filteredOn(v -> !v.known()).singleElement().extracting(View::at).isEqualTo(froze);
    }

    @Test
    void a_clients_attendance_runs_from_its_first_join_away_from_each_disconnect_to_the_next_join() {
        Recorder r = recorder();
        r.connected("node-1");
        r.disconnected(1012, "draining", true);
        r.disconnected(-1, "refused", false);
        r.connected("node-2");
        r.disconnected(1006, "gone", true);

        Attendance a = PresenceWatch.attendance(r, null);
        assertThat(a.name()).isEqualTo("c01");
        assertThat(a.room()).isEqualTo("r");
        assertThat(a.joinedAt()).isEqualTo(r.joins().get(0).at());
        assertThat(a.aways()).containsExactly(
                new Away(r.closes().get(0).at(), r.joins().get(1).at()),
                new Away(r.closes().get(2).at(), null));
    }

    @Test
    void a_connection_dead_before_its_client_knew_is_away_from_when_it_died() {
        List<Away> aways = List.of(new Away(1_000, 1_200L), new Away(13_000, 13_300L), new Away(20_000, null));
        assertThat(PresenceWatch.deadEarlier(aways, 10_000L))
                .containsExactly(new Away(1_000, 1_200L), new Away(10_000, 13_300L), new Away(20_000, null));
        assertThat(PresenceWatch.deadEarlier(aways, null)).isEqualTo(aways);
        assertThat(PresenceWatch.deadEarlier(aways, 30_000L)).isEqualTo(aways);
    }

    @Test
    void a_plain_member_is_gone_from_when_it_was_lost_or_closed_if_sooner_and_a_frozen_ones_is_back_at_the_thaw() {
        Ghost killed = new Ghost("g", "r", 10_000, Long.MAX_VALUE, "the kill");
        assertThat(PresenceWatch.attendance("g", "r", 1_000, 10_005, killed).aways())
                .containsExactly(new Away(10_000, null));
        Ghost drained = new Ghost("g", "r", 12_000, Long.MAX_VALUE, "the leave delay after its 1012");
        assertThat(PresenceWatch.attendance("g", "r", 1_000, 10_000, drained).aways())
                .containsExactly(new Away(10_000, null));
        Ghost frozen = new Ghost("g", "r", 10_000, 30_000, "the freeze");
        assertThat(PresenceWatch.attendance("g", "r", 1_000, -1, frozen).aways())
                .containsExactly(new Away(10_000, 30_000L));
        assertThat(PresenceWatch.attendance("g", "r", 1_000, 40_000, frozen).aways())
                .containsExactly(new Away(10_000, 30_000L), new Away(40_000, null));
        assertThat(PresenceWatch.attendance("p", "r", 1_000, 5_000, null).aways()).containsExactly(new Away(5_000, null));
        assertThat(PresenceWatch.attendance("p", "r", 1_000, -1, null).aways()).isEmpty();
    }

    @Test
    void sources_agree_when_each_lists_exactly_who_is_there() {
        Settled same = new Settled("r", 1, Set.of("a", "b"), Map.of("a", Set.of("a", "b"), "GET node-1", Set.of("a", "b")));
        Settled missing = new Settled("r", 1, Set.of("a", "b"), Map.of("a", Set.of("a")));
        Settled lingering = new Settled("r", 1, Set.of("a"), Map.of("a", Set.of("a", "ghost")));
        Settled nobody = new Settled("r", 1, Set.of("a"), Map.of());
        assertThat(PresenceWatch.agree(List.of(same))).isTrue();
        assertThat(PresenceWatch.agree(List.of(same, missing))).isFalse();
        assertThat(PresenceWatch.agree(List.of(lingering))).isFalse();
        assertThat(PresenceWatch.agree(List.of(nobody))).as("a room nobody lists is not known to agree").isFalse();
    }
}
