package dev.chatlab.testkit.history;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a run recorded of presence (who is in a room), as plain data for the {@link PresenceChecker}: every list of
 * members some source showed and when, who really was in each room and when they were away, the members that a fault
 * made unreachable for good, and what every source listed once things had settled. Times are on one clock, the
 * recorders'.
 *
 * @param from        when the recording began
 * @param until       when it ended: the last list each source showed stands until then
 * @param views       every list of members each source showed, each source's in the order it showed them
 * @param attendances who was in the rooms: one per connection of a name that joined
 * @param ghosts      members a fault made unreachable, never to come back while they are looked for
 * @param settled     per room, after the faults healed and things settled: who was there, and what each source listed
 */
public record PresenceHistory(long from, long until, List<View> views, List<Attendance> attendances, List<Ghost> ghosts,
                              List<Settled> settled) {

    public PresenceHistory {
        views = List.copyOf(views);
        attendances = List.copyOf(attendances);
        ghosts = List.copyOf(ghosts);
        settled = List.copyOf(settled);
    }

    /**
     * What {@code source} showed of {@code room}'s members from {@code at} on, until its next view: a client's list
     * (after its {@code joined}, each presence event), or one answer of {@code GET /rooms/R/presence}. {@code members}
     * is null when, from {@code at}, the source showed nothing it could vouch for: a client that lost its connection,
     * a node that did not answer.
     */
    public record View(String source, String room, long at, Set<String> members) {
        public View {
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(room, "room");
            members = members == null ? null : sorted(members);
        }

        /** A source's list of {@code room}'s members at {@code at}. */
        public static View of(String source, String room, long at, Set<String> members) {
            return new View(source, room, at, Objects.requireNonNull(members, "members"));
        }

        /** From {@code at}, the source shows nothing it can vouch for (it lost its connection, or got no answer). */
        public static View unknown(String source, String room, long at) {
            return new View(source, room, at, null);
        }

        public boolean known() {
            return members != null;
        }
    }

    /** {@code name}'s connection was gone from {@code from} until it was back in the room at {@code to} (null: never). */
    public record Away(long from, Long to) {
        public Away {
            if (to != null && to < from) {
                throw new IllegalArgumentException("back at " + to + " before gone at " + from);
            }
        }

        /** How long it lasted, or {@link Long#MAX_VALUE} when it never ended. */
        public long millis() {
            return to == null ? Long.MAX_VALUE : to - from;
        }
    }

    /**
     * One connection's worth of a name in a room: it joined at {@code joinedAt} and was there from then on, but for
     * its {@code aways} (in order, not overlapping), until the recording ended.
     */
    public record Attendance(String name, String room, long joinedAt, List<Away> aways) {
        public Attendance {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(room, "room");
            aways = List.copyOf(aways);
        }
    }

    /**
     * A member of {@code room} that a fault made unreachable at {@code lostAt} ({@code since} says what happened then,
     * e.g. "the kill") and that never comes back while it is looked for, up to {@code lookedForUntil}: from then on,
     * nobody should list it once the entries it left expired.
     */
    public record Ghost(String name, String room, long lostAt, long lookedForUntil, String since) {
        public Ghost {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(room, "room");
            Objects.requireNonNull(since, "since");
        }
    }

    /**
     * A room once the faults healed and things settled, at {@code at}: the names connected and joined in it
     * ({@code present}), and the list each source showed ({@code listed}, by source).
     */
    public record Settled(String room, long at, Set<String> present, Map<String, Set<String>> listed) {
        public Settled {
            Objects.requireNonNull(room, "room");
            present = sorted(present);
            TreeMap<String, Set<String>> copy = new TreeMap<>();
            listed.forEach((source, names) -> copy.put(source, sorted(names)));
            listed = Collections.unmodifiableSortedMap(copy);
        }
    }

    /** A read-only copy of {@code names} that iterates in order. */
    private static SortedSet<String> sorted(Set<String> names) {
        return Collections.unmodifiableSortedSet(new TreeSet<>(names));
    }
}
