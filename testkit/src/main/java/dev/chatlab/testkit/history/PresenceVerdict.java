package dev.chatlab.testkit.history;

import dev.chatlab.testkit.history.Verdict.Findings;
import java.util.List;
import java.util.Locale;

/**
 * The {@link PresenceChecker}'s verdict on a run's presence, against its goals: each ghost gone from every list
 * within the ttl and a second, no false leave, and nobody missing (nor anybody gone still listed) once things settled.
 *
 * @param rules          the node settings it was judged by, and the goals they give
 * @param ghosts         for each ghost, how long after it became unreachable somebody still listed it
 * @param falseLeaves    leaves seen for a name that was connected, or that was back within the leave delay
 * @param expectedLeaves leaves seen for a name that was gone longer than the leave delay, or for good (a ghost)
 * @param missing        after the settle: names connected and joined that some source did not list
 * @param lingering      after the settle: names some source listed that were no longer there
 * @param sources        watchers and nodes whose lists were recorded
 * @param views          lists recorded
 */
public record PresenceVerdict(PresenceChecker.Rules rules, List<GhostTime> ghosts, Findings falseLeaves,
                              long expectedLeaves, Findings missing, Findings lingering, int sources, int views) {

    public PresenceVerdict {
        ghosts = List.copyOf(ghosts);
    }

    /**
     * How long a ghost was still listed: from {@code lostAt} ({@code since} says what happened then) until
     * {@code millis} later, when the last source that listed it stopped ({@code lastListedBy}, or null when nobody
     * listed it after it was lost). {@code gone} is false when some source still listed it when the looking ended,
     * {@code millis} then being a lower bound.
     */
    public record GhostTime(String name, String room, String since, long lostAt, long millis, boolean gone,
                            String lastListedBy) {
        public boolean within(long goalMillis) {
            return gone && millis <= goalMillis;
        }
    }

    /** Whether every goal is met: each ghost gone within its goal, no false leave, nobody missing or lingering. */
    public boolean meetsGoals() {
        return ghostsWithinGoal() && falseLeaves.isEmpty() && missing.isEmpty() && lingering.isEmpty();
    }

    public boolean ghostsWithinGoal() {
        return ghosts.stream().allMatch(g -> g.within(rules.ghostGoalMillis()));
    }

    /** The longest ghost time, or -1 when there were no ghosts. */
    public long maxGhostMillis() {
        return ghosts.stream().mapToLong(GhostTime::millis).max().orElse(-1);
    }

    /** Whether some ghost was still listed when the looking ended. */
    public boolean someGhostStayed() {
        return ghosts.stream().anyMatch(g -> !g.gone());
    }

    /** The verdict in full, with its goals. */
    public String describe() {
        StringBuilder s = new StringBuilder();
        s.append(meetsGoals() ? "presence MEETS ITS GOALS" : "presence MISSES ITS GOALS").append('\n');
        s.append(String.format(Locale.ROOT, "judged with presence ttl %d ms, leave delay %d ms; %d sources, %d lists%n",
                rules.ttlMillis(), rules.leaveDelayMillis(), sources, views));
        s.append(String.format(Locale.ROOT, "ghost time (goal <= ttl + 1 s = %d ms): ", rules.ghostGoalMillis()));
        if (ghosts.isEmpty()) {
            s.append("no ghosts\n");
        } else {
            s.append(ghostsWithinGoal() ? "within" : "NOT within").append(" the goal, max ")
                    .append(someGhostStayed() ? "> " : "").append(maxGhostMillis()).append(" ms\n");
            for (GhostTime g : ghosts) {
                s.append(String.format(Locale.ROOT, "    %s in %s, from %s: %s%d ms%s%n", g.name(), g.room(), g.since(),
                        g.gone() ? "" : "still listed after ", g.millis(), g.lastListedBy() == null
                                ? ", nobody listed it after it was lost" : ", last listed by " + g.lastListedBy()));
            }
        }
        line(s, "false leaves (goal 0)", falseLeaves);
        s.append("leaves expected (gone longer than the leave delay, or for good) ").append(expectedLeaves).append('\n');
        line(s, "missing members after the settle (goal 0)", missing);
        line(s, "gone but still listed after the settle (goal 0)", lingering);
        return s.toString();
    }

    private static void line(StringBuilder s, String what, Findings findings) {
        s.append(what).append(' ').append(findings.count());
        if (!findings.examples().isEmpty()) {
            s.append(':');
            for (String example : findings.examples()) {
                s.append("\n    ").append(example);
            }
            if (findings.count() > findings.examples().size()) {
                s.append("\n    …");
            }
        }
        s.append('\n');
    }
}
