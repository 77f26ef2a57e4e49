package dev.chatlab.testkit.history;

import dev.chatlab.testkit.history.PresenceHistory.Attendance;
import dev.chatlab.testkit.history.PresenceHistory.Away;
import dev.chatlab.testkit.history.PresenceHistory.Ghost;
import dev.chatlab.testkit.history.PresenceHistory.Settled;
import dev.chatlab.testkit.history.PresenceHistory.View;
import dev.chatlab.testkit.history.PresenceVerdict.GhostTime;
import dev.chatlab.testkit.history.Verdict.Findings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Judges a run's presence from its {@link PresenceHistory}, knowing nothing of servers or faults:
 * <ul>
 *   <li><b>ghost time</b>: for each ghost, from when it became unreachable until no source lists it any more (a
 *       source's list stands from when it was shown until its next one); goal: within the ttl and a second;</li>
 *   <li><b>false leaves</b>: a name that drops out of a source's list (from one list it showed to the next, also
 *       across the source's own reconnect) while the name was connected, or while it was away for no longer than the
 *       leave delay (or just after such an absence); sightings of one name less than {@link Rules#graceMillis} apart
 *       are one leave; goal 0;</li>
 *   <li><b>missing members</b>: once things settled, a name connected and joined that some source did not list;
 *       and, the other way round, a name that was gone and still listed; goal 0.</li>
 * </ul>
 * A leave seen while a name was away longer than the leave delay (or for good), or within the grace after such an
 * absence ended (the event was on its way), is expected, and only counted.
 */
public final class PresenceChecker {

    /**
     * What the nodes were told and what is allowed.
     *
     * @param ttlMillis        how long a presence entry lives without a refresh
     * @param leaveDelayMillis how long a node waits after a name's last connection closed before it removes it
     * @param ghostGoalMillis  how long a ghost may still be listed after it became unreachable
     * @param graceMillis      how long an event may take to reach every source: leaves of one name seen less than
     *                         this apart are one, and a leave seen this soon after an absence ended belongs to it
     */
    public record Rules(long ttlMillis, long leaveDelayMillis, long ghostGoalMillis, long graceMillis) {
        /** The goal of the chaos suite: ghosts gone within ttl + 1 s; a second of grace for events on their way. */
        public static Rules of(Duration ttl, Duration leaveDelay) {
            return new Rules(ttl.toMillis(), leaveDelay.toMillis(), ttl.toMillis() + 1000, 1000);
        }
    }

    /** A name dropped out of {@code source}'s list of {@code room} at {@code at}. */
    private record Sighting(String room, String name, String source, long at) {
    }

    /** What a leave seen at some moment says about the name, worst last. */
    private enum Kind {
        /** Nobody of that name had joined yet, or it was no member the run knew: not judged. */
        UNKNOWN,
        /** Away longer than the leave delay, or for good. */
        EXPECTED,
        /** Away, and back within the leave delay. */
        BACK_SOON,
        /** Connected and in the room. */
        CONNECTED
    }

    private PresenceChecker() {
    }

    public static PresenceVerdict check(PresenceHistory history, Rules rules) {
        Map<String, List<View>> bySource = bySourceAndRoom(history.views());
        List<GhostTime> ghosts = history.ghosts().stream().map(g -> ghostTime(g, bySource, history.until())).toList();
        Tally falseLeaves = new Tally();
        long expected = leaves(history, bySource, rules, falseLeaves);
        Tally missing = new Tally();
        Tally lingering = new Tally();
        for (Settled s : history.settled()) {
            settled(s, missing, lingering);
        }
        int sources = (int) history.views().stream().map(View::source).distinct().count();
        return new PresenceVerdict(rules, ghosts, falseLeaves.findings(), expected, missing.findings(),
                lingering.findings(), sources, history.views().size());
    }

    /** Each source's views of each room, in time order (a source's equal times keep the order they were recorded in). */
    private static Map<String, List<View>> bySourceAndRoom(List<View> views) {
        Map<String, List<View>> by = new LinkedHashMap<>();
        for (View v : views) {
            by.computeIfAbsent(v.source() + "\n" + v.room(), k -> new ArrayList<>()).add(v);
        }
        by.values().forEach(list -> list.sort(Comparator.comparingLong(View::at)));
        return by;
    }

    // ---- ghost time ----

    private static GhostTime ghostTime(Ghost ghost, Map<String, List<View>> bySource, long until) {
        long end = Math.min(until, ghost.lookedForUntil());
        long lastListed = ghost.lostAt();
        String lastBy = null;
        boolean stayed = false;
        for (List<View> views : bySource.values()) {
            if (!views.get(0).room().equals(ghost.room())) {
                continue;
            }
            for (int i = 0; i < views.size(); i++) {
                View v = views.get(i);
                if (!v.known() || !v.members().contains(ghost.name())) {
                    continue;
                }
                long from = v.at();
                long to = i + 1 < views.size() ? views.get(i + 1).at() : until;
                if (to <= ghost.lostAt() || from >= end) {
                    continue;
                }
                if (to >= end) {
                    stayed = true;
                }
                long listedUntil = Math.min(to, end);
                if (listedUntil > lastListed) {
                    lastListed = listedUntil;
                    lastBy = v.source();
                }
            }
        }
        return new GhostTime(ghost.name(), ghost.room(), ghost.since(), ghost.lostAt(), lastListed - ghost.lostAt(), !stayed,
                lastBy);
    }

    // ---- leaves ----

    /** Feeds the false leaves into {@code falseLeaves}; returns how many expected leaves were seen. */
    private static long leaves(PresenceHistory history, Map<String, List<View>> bySource, Rules rules, Tally falseLeaves) {
        TreeMap<String, List<Sighting>> byName = new TreeMap<>();
        for (List<View> views : bySource.values()) {
            Set<String> before = null;
            for (View v : views) {
                if (!v.known()) {
                    continue;
                }
                if (before != null) {
                    for (String name : before) {
                        if (!v.members().contains(name)) {
                            byName.computeIfAbsent(v.room() + "\n" + name, k -> new ArrayList<>())
                                    .add(new Sighting(v.room(), name, v.source(), v.at()));
                        }
                    }
                }
                before = v.members();
            }
        }
        Map<String, List<Attendance>> attendances = new LinkedHashMap<>();
        for (Attendance a : history.attendances()) {
            attendances.computeIfAbsent(a.room() + "\n" + a.name(), k -> new ArrayList<>()).add(a);
        }
        long expected = 0;
        for (Map.Entry<String, List<Sighting>> entry : byName.entrySet()) {
            List<Sighting> sightings = entry.getValue();
            sightings.sort(Comparator.comparingLong(Sighting::at));
            List<Attendance> of = attendances.getOrDefault(entry.getKey(), List.of());
            int start = 0;
            for (int i = 1; i <= sightings.size(); i++) {
                if (i == sightings.size() || sightings.get(i).at() - sightings.get(i - 1).at() >= rules.graceMillis()) {
                    List<Sighting> one = sightings.subList(start, i);
                    Kind worst = Kind.UNKNOWN;
                    String why = null;
                    for (Sighting s : one) {
                        Kind kind = kind(s.at(), of, rules);
                        if (kind.compareTo(worst) > 0) {
                            worst = kind;
                            why = kind == Kind.EXPECTED ? null : why(s.at(), of, kind, rules, history.from());
                        }
                    }
                    if (worst == Kind.EXPECTED) {
                        expected++;
                    } else if (worst == Kind.BACK_SOON || worst == Kind.CONNECTED) {
                        Sighting first = one.get(0);
                        Set<String> seenBy = new LinkedHashSet<>();
                        one.forEach(s -> seenBy.add(s.source()));
                        falseLeaves.add(String.format(Locale.ROOT, "%s left %s at %s, %s; seen by %d: %s", first.name(),
                                first.room(), seconds(first.at() - history.from()), why, seenBy.size(), shortList(seenBy)));
                    }
                    start = i;
                }
            }
        }
        return expected;
    }

    /** What a leave of a name seen at {@code at} says, given the name's connections: the worst any of them says. */
    private static Kind kind(long at, List<Attendance> attendances, Rules rules) {
        Kind worst = Kind.UNKNOWN;
        for (Attendance a : attendances) {
            Kind kind = kind(at, a, rules);
            if (kind.compareTo(worst) > 0) {
                worst = kind;
            }
        }
        return worst;
    }

    private static Kind kind(long at, Attendance a, Rules rules) {
        if (at < a.joinedAt()) {
            return Kind.UNKNOWN;
        }
        Away away = awayAt(at, a, rules);
        if (away == null) {
            return Kind.CONNECTED;
        }
        return away.millis() <= rules.leaveDelayMillis() ? Kind.BACK_SOON : Kind.EXPECTED;
    }

    /** The absence a leave seen at {@code at} belongs to: during it, or within the grace after it ended; else null. */
    private static Away awayAt(long at, Attendance a, Rules rules) {
        for (Away away : a.aways()) {
            if (at >= away.from() && (away.to() == null || at <= away.to() + rules.graceMillis())) {
                return away;
            }
        }
        return null;
    }

    private static String why(long at, List<Attendance> attendances, Kind kind, Rules rules, long from) {
        for (Attendance a : attendances) {
            if (kind(at, a, rules) != kind) {
                continue;
            }
            if (kind == Kind.CONNECTED) {
                return "while it was connected and in the room";
            }
            Away away = awayAt(at, a, rules);
            return String.format(Locale.ROOT, "while it was away for %d ms (from %s to %s), within the %d ms leave delay",
                    away.millis(), seconds(away.from() - from), seconds(away.to() - from), rules.leaveDelayMillis());
        }
        return "";
    }

    // ---- once settled ----

    private static void settled(Settled s, Tally missing, Tally lingering) {
        for (String name : s.present()) {
            List<String> without = new ArrayList<>();
            s.listed().forEach((source, names) -> {
                if (!names.contains(name)) {
                    without.add(source);
                }
            });
            if (s.listed().isEmpty()) {
                missing.add(name + " in " + s.room() + ": no source listed the room at all");
            } else if (!without.isEmpty()) {
                missing.add(name + " in " + s.room() + " not listed by " + without.size() + ": " + shortList(without));
            }
        }
        Set<String> stale = new TreeSet<>();
        s.listed().values().forEach(names -> names.stream().filter(n -> !s.present().contains(n)).forEach(stale::add));
        for (String name : stale) {
            List<String> by = new ArrayList<>();
            s.listed().forEach((source, names) -> {
                if (names.contains(name)) {
                    by.add(source);
                }
            });
            lingering.add(name + " in " + s.room() + " still listed by " + by.size() + ": " + shortList(by));
        }
    }

    // ---- shared ----

    private static String shortList(Collection<String> names) {
        List<String> all = new ArrayList<>(names);
        return all.size() <= 6 ? String.join(", ", all) : String.join(", ", all.subList(0, 6)) + ", …";
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
}
