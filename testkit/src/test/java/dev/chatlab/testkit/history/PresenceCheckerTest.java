package dev.chatlab.testkit.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatlab.testkit.history.PresenceChecker.Rules;
import dev.chatlab.testkit.history.PresenceHistory.Attendance;
import dev.chatlab.testkit.history.PresenceHistory.Away;
import dev.chatlab.testkit.history.PresenceHistory.Ghost;
import dev.chatlab.testkit.history.PresenceHistory.Settled;
import dev.chatlab.testkit.history.PresenceHistory.View;
import dev.chatlab.testkit.history.PresenceVerdict.GhostTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

/**
 * The presence checker, judged on hand-written histories: room "r", watchers alice and bob, a node's answers as
 * "GET node-1", nodes with a ttl of 3 s and a leave delay of 2 s (so a ghost may be listed for 4 s).
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class PresenceCheckerTest {
    private static final Rules RULES = Rules.of(Duration.ofSeconds(3), Duration.ofSeconds(2));
    private static final long END = 60_000;

    private final List<View> views = new ArrayList<>();
    private final List<Attendance> attendances = new ArrayList<>();
    private final List<Ghost> ghosts = new ArrayList<>();
    private final List<Settled> settled = new ArrayList<>();

    private void shows(String source, long at, String... members) {
        views.add(View.of(source, "r", at, Set.of(members)));
    }

    private void blind(String source, long at) {
        views.add(View.unknown(source, "r", at));
    }

    private void attends(String name, Away... aways) {
        attendances.add(new Attendance(name, "r", 1_000, List.of(aways)));
    }

    private PresenceVerdict verdict() {
        return PresenceChecker.check(new PresenceHistory(0, END, views, attendances, ghosts, settled), RULES);
    }

    /** alice, bob and carol in the room from 1 s, each seen by both watchers and the node. */
    private void everyoneThere() {
        for (String name : List.of("alice", "bob", "carol")) {
            attends(name);
        }
        for (String source : List.of("alice", "bob", "GET node-1")) {
            shows(source, 1_000, "alice", "bob", "carol");
        }
    }

    @Test
    void the_goals_follow_from_the_node_settings() {
        assertThat(RULES.ghostGoalMillis()).isEqualTo(4_000);
        assertThat(RULES.leaveDelayMillis()).isEqualTo(2_000);
        assertThat(RULES.graceMillis()).isEqualTo(1_000);
    }

    @Test
    void a_quiet_run_meets_every_goal() {
        everyoneThere();
        settled.add(new Settled("r", 50_000, Set.of("alice", "bob", "carol"), Map.of(
                "alice", Set.of("alice", "bob", "carol"), "GET node-1", Set.of("alice", "bob", "carol"))));
        PresenceVerdict verdict = verdict();
        assertThat(verdict.meetsGoals()).as(verdict.describe()).isTrue();
        assertThat(verdict.ghosts()).isEmpty();
        assertThat(verdict.maxGhostMillis()).isEqualTo(-1);
        assertThat(verdict.falseLeaves().count()).isZero();
        assertThat(verdict.expectedLeaves()).isZero();
        assertThat(verdict.missing().count()).isZero();
        assertThat(verdict.sources()).isEqualTo(3);
        assertThat(verdict.views()).isEqualTo(3);
        assertThat(verdict.describe()).startsWith("presence MEETS ITS GOALS")
                .contains("ghost time (goal <= ttl + 1 s = 4000 ms): no ghosts", "false leaves (goal 0) 0",
                        "missing members after the settle (goal 0) 0");
    }

    @Test
    void a_ghost_lasts_until_the_last_source_stops_listing_it() {
        everyoneThere();
        shows("alice", 2_000, "alice", "bob", "carol", "ghost");
        shows("GET node-1", 2_000, "alice", "bob", "carol", "ghost");
        ghosts.add(new Ghost("ghost", "r", 10_000, END, "the kill"));
        // Nodes answer from Redis a little before the sweep's leave reaches the watchers.
        shows("GET node-1", 12_800, "alice", "bob", "carol");
        shows("alice", 13_200, "alice", "bob", "carol");

        PresenceVerdict verdict = verdict();
        assertThat(verdict.ghosts()).containsExactly(new GhostTime("ghost", "r", "the kill", 10_000, 3_200, true, "alice"));
        assertThat(verdict.ghostsWithinGoal()).isTrue();
        assertThat(verdict.meetsGoals()).as(verdict.describe()).isTrue();
        assertThat(verdict.describe()).contains("ghost in r, from the kill: 3200 ms, last listed by alice");
    }

    @Test
    void a_ghost_listed_longer_than_the_ttl_and_a_second_misses_the_goal() {
        everyoneThere();
        shows("bob", 2_000, "alice", "bob", "carol", "ghost");
        ghosts.add(new Ghost("ghost", "r", 10_000, END, "the kill"));
        shows("bob", 14_001, "alice", "bob", "carol");

        PresenceVerdict verdict = verdict();
        assertThat(verdict.maxGhostMillis()).isEqualTo(4_001);
        assertThat(verdict.ghostsWithinGoal()).isFalse();
        assertThat(verdict.meetsGoals()).isFalse();
        assertThat(verdict.describe()).startsWith("presence MISSES ITS GOALS").contains("NOT within the goal, max 4001 ms");
    }

    @Test
    void a_ghost_still_listed_when_the_looking_ends_never_went() {
        everyoneThere();
        shows("bob", 2_000, "alice", "bob", "carol", "ghost");
        ghosts.add(new Ghost("ghost", "r", 10_000, END, "the kill"));

        PresenceVerdict verdict = verdict();
        GhostTime ghost = verdict.ghosts().get(0);
        assertThat(ghost.gone()).isFalse();
        assertThat(ghost.millis()).isEqualTo(END - 10_000);
        assertThat(verdict.someGhostStayed()).isTrue();
        assertThat(verdict.meetsGoals()).isFalse();
        assertThat(verdict.describe()).contains("ghost in r, from the kill: still listed after 50000 ms, last listed by bob");
    }

    @Test
    void a_watcher_that_lost_its_connection_vouches_for_nothing_until_it_is_back() {
        everyoneThere();
        shows("alice", 2_000, "alice", "bob", "carol", "ghost");
        shows("bob", 2_000, "alice", "bob", "carol", "ghost");
        ghosts.add(new Ghost("ghost", "r", 10_000, END, "the kill"));
        // bob was on the ghost's node: it loses its connection with it and comes back elsewhere without it.
        blind("bob", 10_050);
        shows("bob", 10_400, "alice", "bob", "carol");
        shows("alice", 12_500, "alice", "bob", "carol");
        attendances.set(1, new Attendance("bob", "r", 1_000, List.of(new Away(10_050, 10_400L))));

        PresenceVerdict verdict = verdict();
        assertThat(verdict.ghosts()).containsExactly(new GhostTime("ghost", "r", "the kill", 10_000, 2_500, true, "alice"));
    }

    @Test
    void a_ghost_listed_again_after_the_looking_ended_is_not_held_against_it() {
        everyoneThere();
        shows("alice", 2_000, "alice", "bob", "carol", "ghost");
        // Its node froze at 10 s and thawed at 30 s: from then on the ghost's socket is back, and rightly listed.
        ghosts.add(new Ghost("ghost", "r", 10_000, 30_000, "the freeze"));
        shows("alice", 12_600, "alice", "bob", "carol");
        shows("alice", 30_300, "alice", "bob", "carol", "ghost");

        PresenceVerdict verdict = verdict();
        assertThat(verdict.ghosts()).containsExactly(new GhostTime("ghost", "r", "the freeze", 10_000, 2_600, true, "alice"));
    }

    @Test
    void nobody_listing_a_ghost_after_it_was_lost_is_a_ghost_time_of_zero() {
        everyoneThere();
        ghosts.add(new Ghost("ghost", "r", 10_000, END, "the kill"));
        PresenceVerdict verdict = verdict();
        assertThat(verdict.ghosts()).containsExactly(new GhostTime("ghost", "r", "the kill", 10_000, 0, true, null));
        assertThat(verdict.describe()).contains("nobody listed it after it was lost");
    }

    @Test
    void a_leave_of_a_name_back_within_the_leave_delay_is_false_once_however_many_saw_it() {
        everyoneThere();
        attendances.set(2, new Attendance("carol", "r", 1_000, List.of(new Away(10_000, 10_400L))));
        shows("alice", 10_300, "alice", "bob");
        shows("bob", 10_310, "alice", "bob");
        shows("alice", 10_450, "alice", "bob", "carol");
        shows("bob", 10_460, "alice", "bob", "carol");

        PresenceVerdict verdict = verdict();
        assertThat(verdict.falseLeaves().count()).isEqualTo(1);
        assertThat(verdict.falseLeaves().examples()).singleElement().asString()
                .contains("carol left r at 10.3 s", "away for 400 ms (from 10.0 s to 10.4 s), within the 2000 ms leave delay",
                        "seen by 2: alice, bob");
        assertThat(verdict.expectedLeaves()).isZero();
        assertThat(verdict.meetsGoals()).isFalse();
    }

    @Test
    void a_leave_of_a_name_that_never_lost_its_connection_is_false() {
        everyoneThere();
        shows("GET node-1", 20_000, "alice", "bob");
        shows("GET node-1", 20_250, "alice", "bob", "carol");

        PresenceVerdict verdict = verdict();
        assertThat(verdict.falseLeaves().count()).isEqualTo(1);
        assertThat(verdict.falseLeaves().examples().get(0)).contains("carol left r at 20.0 s, while it was connected",
                "seen by 1: GET node-1");
    }

    @Test
    void a_name_dropped_across_the_watchers_own_reconnect_is_a_leave_it_saw() {
        everyoneThere();
        attendances.set(0, new Attendance("alice", "r", 1_000, List.of(new Away(10_000, 10_300L))));
        blind("alice", 10_000);
        shows("alice", 10_300, "alice", "bob");

        PresenceVerdict verdict = verdict();
        assertThat(verdict.falseLeaves().count()).isEqualTo(1);
        assertThat(verdict.falseLeaves().examples().get(0)).contains("carol left r at 10.3 s, while it was connected");
    }

    @Test
    void leaves_of_a_name_gone_longer_than_the_leave_delay_are_expected_even_on_their_way_after_it_came_back() {
        everyoneThere();
        attendances.set(2, new Attendance("carol", "r", 1_000,
                List.of(new Away(10_000, 14_000L), new Away(30_000, null))));
        shows("alice", 13_000, "alice", "bob");
        shows("alice", 14_100, "alice", "bob", "carol");
        // The node published the leave before carol's join elsewhere; it reached bob just after she was back.
        shows("bob", 14_050, "alice", "bob");
        shows("bob", 14_200, "alice", "bob", "carol");
        // And gone for good later.
        shows("alice", 33_000, "alice", "bob");

        PresenceVerdict verdict = verdict();
        assertThat(verdict.falseLeaves().count()).as(verdict.describe()).isZero();
        assertThat(verdict.expectedLeaves()).isEqualTo(3);
        assertThat(verdict.meetsGoals()).isTrue();
    }

    @Test
    void leaves_of_names_nobody_knows_or_not_yet_joined_are_not_judged() {
        everyoneThere();
        attendances.add(new Attendance("dave", "r", 20_000, List.of()));
        shows("alice", 5_000, "alice", "bob", "carol", "dave", "stranger");
        shows("alice", 6_000, "alice", "bob", "carol");

        PresenceVerdict verdict = verdict();
        assertThat(verdict.falseLeaves().count()).isZero();
        assertThat(verdict.expectedLeaves()).isZero();
    }

    @Test
    void once_settled_a_present_name_some_source_lacks_is_missing_and_a_gone_one_still_listed_lingers() {
        everyoneThere();
        settled.add(new Settled("r", 50_000, Set.of("alice", "bob", "carol"), Map.of(
                "alice", Set.of("alice", "bob", "carol", "ghost"),
                "bob", Set.of("alice", "bob"),
                "GET node-1", Set.of("alice", "bob"))));

        PresenceVerdict verdict = verdict();
        assertThat(verdict.missing().count()).isEqualTo(1);
        assertThat(verdict.missing().examples()).containsExactly("carol in r not listed by 2: GET node-1, bob");
        assertThat(verdict.lingering().count()).isEqualTo(1);
        assertThat(verdict.lingering().examples()).containsExactly("ghost in r still listed by 1: alice");
        assertThat(verdict.meetsGoals()).isFalse();
        assertThat(verdict.describe()).contains("missing members after the settle (goal 0) 1:\n    carol in r not listed by 2");
    }

    @Test
    void a_settled_room_no_source_listed_has_every_present_name_missing() {
        settled.add(new Settled("r", 50_000, Set.of("alice"), Map.of()));
        PresenceVerdict verdict = verdict();
        assertThat(verdict.missing().examples()).containsExactly("alice in r: no source listed the room at all");
    }

    @Test
    void views_are_judged_in_time_order_per_source_and_room() {
        everyoneThere();
        views.add(View.of("alice", "other", 2_000, Set.of("zed")));
        // Recorded out of order: the later list first.
        shows("bob", 9_000, "alice", "bob", "carol");
        shows("bob", 8_000, "alice", "bob");

        PresenceVerdict verdict = verdict();
        // bob's lists by time: all three, carol gone at 8 s, back at 9 s: one false leave; "other" is another room.
        assertThat(verdict.falseLeaves().count()).isEqualTo(1);
        assertThat(verdict.falseLeaves().examples().get(0)).contains("carol left r at 8.0 s");
        assertThat(verdict.sources()).isEqualTo(3);
    }
}
