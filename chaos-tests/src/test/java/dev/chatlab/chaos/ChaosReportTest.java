package dev.chatlab.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chatlab.chaos.ChaosReport.Scenario;
import dev.chatlab.testkit.history.Checker;
import dev.chatlab.testkit.history.History;
import dev.chatlab.testkit.history.History.Member;
import dev.chatlab.testkit.history.History.Outcome;
import dev.chatlab.testkit.history.History.Receive;
import dev.chatlab.testkit.history.History.Send;
import dev.chatlab.testkit.history.PresenceChecker;
import dev.chatlab.testkit.history.PresenceHistory;
import dev.chatlab.testkit.history.PresenceHistory.Attendance;
import dev.chatlab.testkit.history.PresenceHistory.Away;
import dev.chatlab.testkit.history.PresenceHistory.Ghost;
import dev.chatlab.testkit.history.PresenceHistory.Settled;
import dev.chatlab.testkit.history.PresenceHistory.View;
import dev.chatlab.testkit.history.PresenceVerdict;
import dev.chatlab.testkit.history.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report, written from hand-made scenarios: a row each, a timeline each, failures whole, all escaped. */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ChaosReportTest {
    private static final long T0 = 1_700_000_000_000L;

    /** Ten seconds of one message a second to bob, with a fault from 3.5 s to 6.2 s and seq 5's delivery missing. */
    private static Scenario scenario(String name, boolean lose) {
        return scenario(name, lose, null);
    }

    private static Scenario scenario(String name, boolean lose, PresenceVerdict presence) {
        List<Send> sends = new ArrayList<>();
        List<Receive> receives = new ArrayList<>();
        for (long seq = 1; seq <= 10; seq++) {
            long at = T0 + (seq - 1) * 1000 + 100;
            sends.add(new Send("alice", "r", "a-" + seq, at, Outcome.ACKED, seq));
            if (!(lose && seq == 5)) {
                receives.add(new Receive("bob", "r", seq, "e1", "a-" + seq, at + 20));
            }
        }
        History history = new History(sends, List.of(new Member("bob", "r", 0)), receives, List.of(), List.of());
        Verdict verdict = Checker.check(history);
        List<Faults.Window> faults = List.of(new Faults.Window("kill -9 <node-2> & co", T0 + 3500, T0 + 6200));
        return Scenario.of(name, "a_test_" + name.length(), "swarm fresh", verdict.valid() ? null : "the verdict is INVALID", verdict,
                history, T0, T0 + 10_000, faults, 1234, 15_000, presence);
    }

    /**
     * Presence on nodes with a 3 s ttl and a 2 s leave delay: a ghost lost at 3.5 s and last listed by alice at 6.7 s
     * (or, when {@code bad}, never gone), and carol back within the leave delay but seen leaving (when {@code bad}).
     */
    private static PresenceVerdict presence(boolean bad) {
        List<View> views = new ArrayList<>(List.of(
                View.of("alice", "r", T0 + 1000, Set.of("alice", "carol", "ghost")),
                View.of("GET node-1", "r", T0 + 1000, Set.of("alice", "carol", "ghost"))));
        views.add(View.of("GET node-1", "r", T0 + 6500, Set.of("alice", "carol")));
        if (!bad) {
            views.add(View.of("alice", "r", T0 + 6700, Set.of("alice", "carol")));
        } else {
            views.add(View.of("alice", "r", T0 + 5000, Set.of("alice", "ghost")));
            views.add(View.of("alice", "r", T0 + 5200, Set.of("alice", "carol", "ghost")));
        }
        List<Attendance> attendances = List.of(new Attendance("alice", "r", T0 + 1000, List.of()),
                new Attendance("carol", "r", T0 + 1000, List.of(new Away(T0 + 4900, T0 + 5100))),
                new Attendance("ghost", "r", T0 + 1000, List.of(new Away(T0 + 3500, null))));
        List<Settled> settled = List.of(new Settled("r", T0 + 9000, Set.of("alice", "carol"),
                Map.of("GET node-1", Set.of("alice", "carol"))));
        PresenceHistory history = new PresenceHistory(T0, T0 + 10_000, views, attendances,
                List.of(new Ghost("ghost", "r", T0 + 3500, Long.MAX_VALUE, "the kill")), settled);
        return PresenceChecker.check(history, PresenceChecker.Rules.of(Duration.ofSeconds(3), Duration.ofSeconds(2)));
    }

    @Test
    void each_scenario_gets_a_row_with_its_counts_and_a_failing_one_keeps_its_whole_verdict() {
        ChaosReport report = new ChaosReport("Chaos report");
        report.add(scenario("fine", false));
        report.add(scenario("broken | piped", true));

        String md = report.markdown();
        assertThat(md).contains("1 of 2 scenarios passed");
        assertThat(md).contains("| fine | pass | 10 (10 / 0 / 0, 0) | 4 / 3 / 3 | 10 | 0 |");
        assertThat(md).contains("| broken \\| piped | **FAIL** |");
        assertThat(md).contains("## broken | piped — FAILED", "INVALID", "lost 1: a-5@5", "1.2 s (15.0 s)");

        String html = report.html();
        assertThat(html).contains("<td class=\"fail\">FAIL</td>", "lost 1: a-5@5", "<svg", "</svg>");
    }

    @Test
    void the_timeline_counts_deliveries_per_second_and_shades_the_fault() {
        Scenario s = scenario("fine", false);
        assertThat(s.deliveriesPerSecond()).containsExactly(1, 1, 1, 1, 1, 1, 1, 1, 1, 1);
        assertThat(ChaosReport.sparkline(s)).contains("deliveries/s ████████", "fault        ···━━━━···");
        String svg = ChaosReport.svg(s);
        assertThat(svg).contains("fill=\"#f8c9c4\"", "<title>kill -9 &lt;node-2&gt; &amp; co</title>");
        assertThat(svg.split("fill=\"#3b6ea8\"", -1)).as("one bar a second").hasSize(11);
    }

    @Test
    void everything_shown_is_escaped_and_nothing_is_fetched_from_elsewhere() {
        ChaosReport report = new ChaosReport("<b>report</b>");
        report.add(Scenario.broken("<script>alert('x')</script>", "t", "swarm <fresh>", "boom <img src=x onerror=alert(1)>",
                T0, T0 + 500, List.of()));
        String html = report.html();
        assertThat(html).doesNotContain("<script", "<img", "<b>report");
        assertThat(html).contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;", "boom &lt;img src=x onerror=alert(1)&gt;",
                "swarm &lt;fresh&gt;");
        assertThat(html).doesNotContain("http:", "https:", "src=\"", "<link");
    }

    @Test
    void both_files_are_written_side_by_side(@TempDir Path dir) throws Exception {
        ChaosReport report = new ChaosReport("Chaos report");
        report.add(scenario("fine", false));
        Path html = report.write(dir);
        assertThat(html).isEqualTo(dir.resolve(ChaosReport.HTML));
        assertThat(Files.readString(dir.resolve(ChaosReport.MARKDOWN))).startsWith("# Chaos report");
        assertThat(Files.readString(html)).startsWith("<!DOCTYPE html>");
    }

    @Test
    void presence_is_shown_beside_the_delivery_verdict_with_its_goals_and_a_dash_where_it_was_not_judged() {
        ChaosReport report = new ChaosReport("Chaos report");
        report.add(scenario("no presence", false));
        report.add(scenario("good presence", false, presence(false)));
        report.add(scenario("bad presence", false, presence(true)));

        String md = report.markdown();
        assertThat(md).contains("| ghost time, max (goal) | false leaves (expected leaves) | missing members / gone but listed | time |");
        assertThat(md).contains("| 1.2 s (15.0 s) | – | – | – | 10.0 s |");
        assertThat(md).contains("| 1.2 s (15.0 s) | 3.2 s (≤ 4.0 s) | 0 (1) | 0 / 0 | 10.0 s |");
        assertThat(md).contains("| 1.2 s (15.0 s) | > 6.5 s, over (≤ 4.0 s) | 1 (1) | 0 / 0 | 10.0 s |");
        assertThat(md).contains("Presence:", "presence MEETS ITS GOALS", "presence MISSES ITS GOALS",
                "carol left r at 5.0 s, while it was away for 200 ms");

        String html = report.html();
        assertThat(html).contains("<th>ghost time, max (goal)</th><th>false leaves (expected leaves)</th>"
                + "<th>missing members / gone but listed</th><th>time</th>");
        assertThat(html).contains("<td>3.2 s (≤ 4.0 s)</td><td>0 (1)</td><td>0 / 0</td>", "<td>–</td><td>–</td><td>–</td>",
                "<p>Presence:</p>", "presence MISSES ITS GOALS");
    }
}
