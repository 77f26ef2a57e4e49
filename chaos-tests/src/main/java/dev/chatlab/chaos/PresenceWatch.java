package dev.chatlab.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chatlab.testkit.Frames;
import dev.chatlab.testkit.history.PresenceChecker;
import dev.chatlab.testkit.history.PresenceHistory;
import dev.chatlab.testkit.history.PresenceHistory.Attendance;
import dev.chatlab.testkit.history.PresenceHistory.Away;
import dev.chatlab.testkit.history.PresenceHistory.Ghost;
import dev.chatlab.testkit.history.PresenceHistory.Settled;
import dev.chatlab.testkit.history.PresenceHistory.View;
import dev.chatlab.testkit.history.Recorder.Joined;
import dev.chatlab.testkit.swarm.ChatNodeProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

/**
 * Watches presence during a chaos scenario, for the {@link PresenceChecker}: the lists of members every client of the
 * workload shows (its {@link Recorder}), and what {@code GET /rooms/R/presence} answers on every node, polled all along
 * (a node that does not answer, dead or frozen, vouches for nothing meanwhile); the ghosts, plain members on the
 * node a fault hits that never come back; and, once the faults healed and things settled, who is in each room
 * against what each source lists.
 */
public final class PresenceWatch implements AutoCloseable {
    /** How long the chaos nodes keep a presence entry without a refresh: short, so that ghosts go soon. */
    public static final Duration TTL = Duration.ofSeconds(3);
    /** How long the chaos nodes wait after a name's last connection closed before it leaves. */
    public static final Duration LEAVE_DELAY = Duration.ofSeconds(2);
    /** How often every node is asked for the presence of every room. */
    static final Duration POLL_EVERY = Duration.ofMillis(250);
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(1);

    private final ChaosSwarm swarm;
    private final Workload workload;
    private final RunClock clock;
    private final long from;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).build();
    private final List<View> answers = new CopyOnWriteArrayList<>();
    private final List<Thread> pollers = new ArrayList<>();
    private final List<PlainMember> plain = new CopyOnWriteArrayList<>();
    private final Map<PlainMember, Ghost> ghosts = new ConcurrentHashMap<>();
    private final Map<String, Long> deadFrom = new ConcurrentHashMap<>();
    private volatile List<Settled> settled = List.of();
    private volatile boolean closed;

    private PresenceWatch(ChaosSwarm swarm, Workload workload, RunClock clock, long from) {
        this.swarm = swarm;
        this.workload = workload;
        this.clock = clock;
        this.from = from;
    }

    /** The node options that give the chaos nodes {@link #TTL} and {@link #LEAVE_DELAY}. */
    public static List<String> nodeArgs() {
        return List.of("--presence-ttl", TTL.toMillis() + "ms", "--leave-delay", LEAVE_DELAY.toMillis() + "ms");
    }

    /** What the checker judges by: the chaos nodes' ttl and leave delay. */
    public static PresenceChecker.Rules rules() {
        return PresenceChecker.Rules.of(TTL, LEAVE_DELAY);
    }

    /**
     * Starts polling every node of {@code swarm} for the presence of every room of {@code workload}; the findings give
     * their times from {@code from} on (the scenario's start, as the report's timeline does).
     */
    public static PresenceWatch start(ChaosSwarm swarm, Workload workload, RunClock clock, long from) {
        PresenceWatch watch = new PresenceWatch(swarm, workload, clock, from);
        for (ChatNodeProcess node : swarm.nodes()) {
            Thread poller = new Thread(() -> watch.poll(node), "presence-poll-" + node.nodeId());
            poller.setDaemon(true);
            watch.pollers.add(poller);
            poller.start();
        }
        return watch;
    }

    /**
     * Asks {@code node} for every room at once, each round; an answer's list stands from when it came, and a node that
     * does not answer vouches for nothing from when it was asked (a frozen node's last answers do not linger).
     */
    private void poll(ChatNodeProcess node) {
        while (!closed) {
            long round = System.nanoTime();
            long asked = clock.now();
            Map<String, CompletableFuture<Set<String>>> pending = new LinkedHashMap<>();
            for (String room : workload.rooms()) {
                pending.put(room, askAsync(node, room));
            }
            pending.forEach((room, answer) -> {
                Set<String> members = answer.join();
                answers.add(members == null ? View.unknown(source(node), room, asked)
                        : View.of(source(node), room, clock.now(), members));
            });
            long left = POLL_EVERY.toNanos() - (System.nanoTime() - round);
            if (left > 0 && !closed) {
                LockSupport.parkNanos(left);
            }
        }
    }

    private static String source(ChatNodeProcess node) {
        return "GET " + node.nodeId();
    }

    /** The members {@code node} lists for {@code room}, or null when it does not answer 200 in time. */
    private Set<String> ask(ChatNodeProcess node, String room) {
        return askAsync(node, room).join();
    }

    /** The members {@code node} lists for {@code room} once it answers; null when it does not answer 200 in time. */
    private CompletableFuture<Set<String>> askAsync(ChatNodeProcess node, String room) {
        URI uri = node.httpUri().resolve("rooms/" + room + "/presence");
        return http.sendAsync(HttpRequest.newBuilder(uri).timeout(HTTP_TIMEOUT).GET().build(),
                        HttpResponse.BodyHandlers.ofString())
                .handle((response, failure) -> failure != null || response.statusCode() != 200 ? null : names(response.body()))
                .exceptionally(failure -> null);
    }

    /** The names of a presence answer's {@code members}, or null when it has none. */
    private static Set<String> names(String body) {
        JsonNode members = Frames.parse(body).path("members");
        if (!members.isArray()) {
            return null;
        }
        Set<String> names = new TreeSet<>();
        members.forEach(m -> names.add(m.asText()));
        return names;
    }

    // ---- ghosts ----

    /**
     * Joins one plain member to each room of the workload directly on node {@code n} (not through HAProxy), named
     * {@code ghost-<n>-<k>} for the k-th room; they only join, see {@link #everyoneLists}.
     */
    public List<PlainMember> ghostsOn(int n) {
        ChatNodeProcess node = swarm.node(n);
        List<PlainMember> joined = new ArrayList<>();
        List<String> rooms = workload.rooms();
        for (int k = 0; k < rooms.size(); k++) {
            PlainMember member = PlainMember.join(node.wsUri(), node.nodeId(), rooms.get(k), "ghost-" + n + "-" + (k + 1), clock);
            plain.add(member);
            joined.add(member);
        }
        return joined;
    }

    /**
     * {@code ghost} became unreachable at {@code lostAt} ({@code since} says what happened then) and does not come back
     * before {@code lookedForUntil} (a frozen node's sockets come back with it; {@link Long#MAX_VALUE}: never).
     */
    public void lost(PlainMember ghost, long lostAt, long lookedForUntil, String since) {
        ghosts.put(ghost, new Ghost(ghost.name(), ghost.room(), lostAt, lookedForUntil, since));
    }

    /**
     * The connections of {@code members} were dead from {@code at}, though each client only finds out later (a frozen
     * node: its heartbeat tells it): each one's next absence counts from {@code at}, and what it shows from then until
     * it is back is what it last heard, nothing it can vouch for.
     */
    public void deadFrom(Collection<Recorder> members, long at) {
        members.forEach(m -> deadFrom.put(m.name(), at));
    }

    /** Whether every client in its room and every node list each of {@code names} in its room right now. */
    public boolean everyoneLists(Collection<PlainMember> names) {
        for (PlainMember member : names) {
            if (!member.joined()) {
                return false;
            }
            for (Recorder watcher : workload.in(member.room())) {
                Set<String> shown = watcher.shown();
                if (watcher.inRoom() && (shown == null || !shown.contains(member.name()))) {
                    return false;
                }
            }
        }
        return snapshot().stream().allMatch(s -> s.listed().entrySet().stream()
                .filter(e -> e.getKey().startsWith("GET "))
                .allMatch(e -> names.stream().filter(m -> m.room().equals(s.room())).allMatch(m -> e.getValue().contains(m.name()))));
    }

    // ---- once settled ----

    /**
     * Who is in each room now (clients in their room, plain members connected and joined) and what lists it: every
     * client of the room that is in it, and every node that answers.
     */
    public List<Settled> snapshot() {
        long at = clock.now();
        List<Settled> rooms = new ArrayList<>();
        for (String room : workload.rooms()) {
            Set<String> present = new TreeSet<>();
            Map<String, Set<String>> listed = new LinkedHashMap<>();
            for (Recorder member : workload.in(room)) {
                Set<String> shown = member.shown();
                if (member.inRoom()) {
                    present.add(member.name());
                    if (shown != null) {
                        listed.put(member.name(), shown);
                    }
                }
            }
            plain.stream().filter(p -> p.room().equals(room) && p.present()).forEach(p -> present.add(p.name()));
            for (ChatNodeProcess node : swarm.nodes()) {
                Set<String> answer = ask(node, room);
                if (answer != null) {
                    listed.put(source(node), answer);
                }
            }
            rooms.add(new Settled(room, at, present, listed));
        }
        return rooms;
    }

    /** The rooms as they were once things settled (a {@link #snapshot()}), for the history. */
    public void settled(List<Settled> rooms) {
        settled = List.copyOf(rooms);
    }

    /** Whether every source of every room lists exactly who is in it. */
    public static boolean agree(List<Settled> rooms) {
        return rooms.stream().allMatch(s -> !s.listed().isEmpty()
                && s.listed().values().stream().allMatch(names -> names.equals(s.present())));
    }

    // ---- the history ----

    /** Stops polling, and returns what was recorded, for the checker. */
    public PresenceHistory history() {
        stopPolling();
        long until = clock.now();
        List<View> views = views(workload.members(), deadFrom);
        views.addAll(answers);
        List<Attendance> attendances = new ArrayList<>();
        for (Recorder m : workload.members()) {
            if (!m.joins().isEmpty()) {
                attendances.add(attendance(m, deadFrom.get(m.name())));
            }
        }
        for (PlainMember p : plain) {
            if (p.joined()) {
                attendances.add(attendance(p, ghosts.get(p)));
            }
        }
        return new PresenceHistory(from, until, views, attendances, List.copyOf(ghosts.values()), settled);
    }

    /**
     * What the clients showed, each from when it showed it; a client whose connection was dead from some moment
     * ({@code deadFrom}, by name) vouches for nothing from then on, until it shows a list again.
     */
    static List<View> views(List<Recorder> members, Map<String, Long> deadFrom) {
        List<View> views = new ArrayList<>();
        for (Recorder m : members) {
            views.addAll(m.views());
            Long dead = deadFrom.get(m.name());
            if (dead != null) {
                views.add(View.unknown(m.name(), m.room(), dead));
            }
        }
        return views;
    }

    /** A client's time in its room: from its first join, away from each disconnect to the next join. */
    static Attendance attendance(Recorder m, Long dead) {
        List<Away> aways = new ArrayList<>();
        m.reconnects().forEach(r -> aways.add(new Away(r.disconnectedAt(), r.resumedAt())));
        if (m.downSince() >= 0) {
            aways.add(new Away(m.downSince(), null));
        }
        List<Joined> joins = m.joins();
        return new Attendance(m.name(), m.room(), joins.get(0).at(), deadEarlier(aways, dead));
    }

    /** The first absence that began at or after {@code dead} begins at {@code dead} instead (null: none changes). */
    static List<Away> deadEarlier(List<Away> aways, Long dead) {
        if (dead == null) {
            return aways;
        }
        List<Away> moved = new ArrayList<>(aways);
        for (int i = 0; i < moved.size(); i++) {
            Away away = moved.get(i);
            if (away.from() >= dead) {
                moved.set(i, new Away(dead, away.to()));
                break;
            }
        }
        return moved;
    }

    /**
     * A plain member's time in its room: from its join until it was lost (or its connection closed, if that came
     * first: a drained one is gone at its 1012, though it counts as a ghost only once its node let go of it); a frozen
     * node's is back at the thaw, and gone for good if its connection closes after.
     */
    static Attendance attendance(PlainMember p, Ghost ghost) {
        return attendance(p.name(), p.room(), p.joinedAt(), p.closedAt(), ghost);
    }

    static Attendance attendance(String name, String room, long joinedAt, long closedAt, Ghost ghost) {
        List<Away> aways = new ArrayList<>();
        if (ghost != null) {
            boolean back = ghost.lookedForUntil() != Long.MAX_VALUE;
            long gone = closedAt >= 0 && closedAt < ghost.lostAt() ? closedAt : ghost.lostAt();
            aways.add(new Away(gone, back ? ghost.lookedForUntil() : null));
            if (back && closedAt >= ghost.lookedForUntil()) {
                aways.add(new Away(closedAt, null));
            }
        } else if (closedAt >= 0) {
            aways.add(new Away(closedAt, null));
        }
        return new Attendance(name, room, joinedAt, aways);
    }

    private void stopPolling() {
        closed = true;
        for (Thread poller : pollers) {
            try {
                poller.join(HTTP_TIMEOUT.multipliedBy(3).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stops polling and closes the plain members still open. */
    @Override
    public void close() {
        stopPolling();
        plain.parallelStream().filter(p -> p.closedAt() < 0).forEach(PlainMember::close);
    }
}
