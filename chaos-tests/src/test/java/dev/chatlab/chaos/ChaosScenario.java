package dev.chatlab.chaos;

import static org.awaitility.Awaitility.await;

import dev.chatlab.testkit.history.Checker;
import dev.chatlab.testkit.history.History;
import dev.chatlab.testkit.history.PresenceChecker;
import dev.chatlab.testkit.history.PresenceHistory.Settled;
import dev.chatlab.testkit.history.PresenceVerdict;
import dev.chatlab.testkit.history.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one chaos scenario the same way every time, workload, fault and checker apart: before, during and after the
 * faults it checks the system, then hands the recorded history to the {@link Checker} (and, where the scenario judges
 * presence, what was seen of presence to the {@link PresenceChecker}) and the result to the report, passed or not
 * (see {@link #run}).
 */
public final class ChaosScenario {
    private static final Logger log = LoggerFactory.getLogger(ChaosScenario.class);
    /** Every node's drain: 2 s for HAProxy to take it out, its clients' 1012s spread over 3 s. */
    static final List<String> DRAIN_ARGS = List.of("--drain-grace", "2s", "--drain-window", "3s", "--drain-deadline", "15s");
    /** How long after the last heal presence may take to settle: an entry's ttl, and some slack. */
    private static final Duration PRESENCE_SETTLES_WITHIN = PresenceWatch.TTL.plusSeconds(2);
    private static final Duration JOINED_WITHIN = Duration.ofSeconds(30);
    private static final Duration STEADY_BEFORE = Duration.ofSeconds(3);
    private static final Duration STEADY_AFTER = Duration.ofSeconds(3);
    private static final Duration SETTLE_SLACK = Duration.ofSeconds(10);

    /**
     * How a scenario's swarm and workload are set up.
     *
     * @param nodeArgs   options for every node (before {@value ChaosSwarm#NODE_ARGS_PROPERTY}'s)
     * @param settings   the workload
     * @param entryOf    which client-side proxy client i connects through
     * @param backWithin how soon after the last heal every client must be hearing live traffic again
     * @param presence   whether the scenario judges presence too (on nodes that keep it: step 8 on)
     */
    public record Setup(List<String> nodeArgs, Workload.Settings settings, IntFunction<String> entryOf, Duration backWithin,
                        boolean presence) {

        /**
         * Even clients through {@value ChaosSwarm#LB}, odd ones through {@value ChaosSwarm#LB_HALF}; back within 15 s;
         * every node drains as {@link #DRAIN_ARGS} says and, where it keeps presence, with a short ttl and leave delay
         * ({@link PresenceWatch#nodeArgs()}), for every scenario, so that they can share a swarm; presence not judged.
         */
        public static Setup standard() {
            List<String> args = new ArrayList<>(DRAIN_ARGS);
            if (ChaosSwarm.hasPresence(ChaosSwarm.step())) {
                args.addAll(PresenceWatch.nodeArgs());
            }
            return new Setup(List.copyOf(args), Workload.Settings.standard(),
                    i -> i % 2 == 0 ? ChaosSwarm.LB : ChaosSwarm.LB_HALF, Duration.ofSeconds(15), false);
        }

        public Setup withNodeArgs(String... more) {
            List<String> args = new ArrayList<>(nodeArgs);
            args.addAll(List.of(more));
            return new Setup(args, settings, entryOf, backWithin, presence);
        }

        public Setup withEntries(IntFunction<String> newEntryOf) {
            return new Setup(nodeArgs, settings, newEntryOf, backWithin, presence);
        }

        public Setup withBackWithin(Duration newBackWithin) {
            return new Setup(nodeArgs, settings, entryOf, newBackWithin, presence);
        }

        /** The scenario judges presence too, where the nodes keep it (step 8 on); elsewhere this changes nothing. */
        public Setup withPresence() {
            return new Setup(nodeArgs, settings, entryOf, backWithin, true);
        }

        /** Whether presence is judged: asked for, and kept by the nodes that run. */
        boolean judgesPresence() {
            return presence && ChaosSwarm.hasPresence(ChaosSwarm.step());
        }

        String describe() {
            Workload.Settings s = settings;
            return s.clients() + " resilient clients in " + s.rooms() + " rooms, each sending every "
                    + s.minPause().toMillis() + "-" + s.maxPause().toMillis() + " ms; heartbeat "
                    + s.heartbeat().toMillis() + " ms, dead after " + s.deadAfter().toMillis() + " ms, backoff "
                    + s.backoffBase().toMillis() + " ms-" + s.backoffCap().toMillis() + " ms (after a 1012, within "
                    + s.soonWithin().toMillis() + " ms), sends unknown after "
                    + s.sendTimeout().toSeconds() + " s; every client back within " + backWithin.toSeconds()
                    + " s of the last heal unless a scenario says otherwise";
        }
    }

    /** What a scenario works with while it runs; {@code presence} is null when the scenario does not judge presence. */
    public record Run(ChaosSwarm swarm, Workload workload, Faults faults, RunClock clock, PresenceWatch presence) {
        public boolean judgesPresence() {
            return presence != null;
        }
    }

    /** The scenario's own part: its faults, and what it expects while they last. */
    @FunctionalInterface
    public interface Body {
        void run(Run run) throws Exception;
    }

    private final ChaosReport report;
    private final SharedSwarm swarms;
    private final String test;

    ChaosScenario(ChaosReport report, SharedSwarm swarms, String test) {
        this.report = report;
        this.swarms = swarms;
        this.test = test;
    }

    /**
     * Runs the scenario {@code name} on a clean swarm (see {@link SharedSwarm}) with a fresh workload in rooms of
     * its own, named after {@code tag} (letters, digits and dashes, at most 20): <em>before</em>, every client in
     * its room and hearing live traffic, steadily; <em>during</em>, the body's faults and what it expects
     * meanwhile; <em>after</em>, every client back and hearing traffic sent after the last heal within the setup's
     * bound, and still so a while later; then the sends stop, every send's fate settles, and the history is judged.
     * Where the setup judges presence, a {@link PresenceWatch} records it from before the faults (once every client
     * and node lists its room's members) until presence settled after the heal, and the presence checker judges that.
     * Fails with the whole verdict when the history breaks the delivery contract or presence misses its goals, and
     * with what went wrong (and the verdicts) when the system misbehaved before, during or after the faults.
     */
    public void run(String name, String tag, Setup setup, Body body) {
        log.info("=== scenario: {} ({})", name, test);
        RunClock clock = new RunClock();
        String how = "not started";
        Workload workload = null;
        Faults faults = null;
        PresenceWatch presence = null;
        Throwable thrown = null;
        long startedAt = clock.now();
        long backWithin = -1;
        try {
            SharedSwarm.Lease lease = swarms.take(setup.nodeArgs());
            ChaosSwarm swarm = lease.swarm();
            how = lease.how();
            startedAt = clock.now();
            workload = Workload.start(tag, setup.settings(), i -> swarm.entry(setup.entryOf().apply(i)), clock);
            faults = new Faults(swarm, clock);
            before(workload, clock);
            if (setup.judgesPresence()) {
                presence = PresenceWatch.start(swarm, workload, clock, startedAt);
                presenceBefore(presence);
            }
            body.run(new Run(swarm, workload, faults, clock, presence));
            backWithin = after(workload, faults, clock, setup.backWithin());
            if (presence != null) {
                presenceSettles(presence);
            }
        } catch (Throwable t) {
            thrown = t;
        }
        PresenceVerdict presenceVerdict = null;
        if (presence != null) {
            try (PresenceWatch watch = presence) {
                presenceVerdict = PresenceChecker.check(watch.history(), PresenceWatch.rules());
            } catch (Throwable t) {
                if (thrown == null) {
                    thrown = t;
                } else {
                    thrown.addSuppressed(t);
                }
            }
        }
        Verdict verdict = null;
        History history = null;
        long endedAt = clock.now();
        try {
            if (workload != null) {
                history = settle(workload, setup.settings());
                verdict = Checker.check(history);
                endedAt = clock.now();
            }
        } catch (Throwable t) {
            if (thrown == null) {
                thrown = t;
            } else {
                thrown.addSuppressed(t);
            }
        }
        List<Faults.Window> windows = faults == null ? List.of() : faults.windows();
        String failure = failure(thrown, verdict, presenceVerdict);
        if (failure != null) {
            swarms.discard();
        }
        List<String> options = ChaosSwarm.withExtra(setup.nodeArgs(),
                ChaosSwarm.extraNodeArgs(System.getProperty(ChaosSwarm.NODE_ARGS_PROPERTY)));
        String setupLine = "swarm " + how + "; node options: " + String.join(" ", options);
        report.add(history == null
                ? ChaosReport.Scenario.broken(name, test, setupLine, failure, startedAt, endedAt, windows)
                : ChaosReport.Scenario.of(name, test, setupLine, failure, verdict, history, startedAt, endedAt, windows,
                        backWithin, setup.backWithin().toMillis(), presenceVerdict));
        log.info("=== {}: {}", name, verdict == null ? "no verdict" : verdict.describe().lines().limit(5).toList());
        if (presenceVerdict != null) {
            log.info("=== {}: {}", name, presenceVerdict.describe().lines().limit(4).toList());
        }
        String presenceText = presenceVerdict == null ? "" : "\n" + presenceVerdict.describe();
        if (thrown != null) {
            throw new AssertionError(name + ": " + failure
                    + (verdict == null ? "" : "\n\nThe verdict on what was recorded:\n" + verdict.describe()) + presenceText,
                    thrown);
        }
        if (failure != null) {
            throw new AssertionError(name + ": " + failure + "\n" + verdict.describe() + presenceText);
        }
    }

    /** Why the scenario failed, in one line, or null when it passed. */
    private static String failure(Throwable thrown, Verdict verdict, PresenceVerdict presence) {
        if (thrown != null) {
            String message = String.valueOf(thrown.getMessage());
            return thrown.getClass().getSimpleName() + ": " + message.lines().findFirst().orElse("");
        }
        if (verdict != null && !verdict.valid()) {
            return "the history breaks the delivery contract (the verdict is INVALID)";
        }
        if (verdict != null && verdict.announcedLosses() > 0) {
            return "clients were told history was lost (recovered=false), which no fault here may cause";
        }
        if (presence != null && !presence.meetsGoals()) {
            return "presence misses its goals (ghost time " + (presence.ghostsWithinGoal() ? "within" : "NOT within")
                    + " ttl + 1 s, false leaves " + presence.falseLeaves().count() + ", missing members "
                    + presence.missing().count() + ", gone but still listed " + presence.lingering().count() + ")";
        }
        return null;
    }

    /** Before the faults: every client and every node lists exactly who is in each room. */
    private static void presenceBefore(PresenceWatch presence) {
        await("every client and every node lists its room's members").atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(250)).until(() -> PresenceWatch.agree(presence.snapshot()));
    }

    /**
     * After the heal: presence settles (every client in its room and every node list exactly who is there) within
     * {@link #PRESENCE_SETTLES_WITHIN}; whether or not it did, the last look is what the presence checker judges.
     */
    private static void presenceSettles(PresenceWatch presence) {
        List<List<Settled>> last = new ArrayList<>(List.of(List.of()));
        try {
            await("presence settles: every client and every node lists who is in each room")
                    .atMost(PRESENCE_SETTLES_WITHIN).pollInterval(Duration.ofMillis(250))
                    .until(() -> {
                        last.set(0, presence.snapshot());
                        return PresenceWatch.agree(last.get(0));
                    });
        } catch (ConditionTimeoutException e) {
            // Not a failure of its own: the presence checker names who is missing, or still listed.
            log.warn("presence did not settle within {} ms", PRESENCE_SETTLES_WITHIN.toMillis());
        }
        presence.settled(last.get(0));
    }

    /** Before the faults: everyone joined, talking, and hearing each other for a while. */
    private static void before(Workload workload, RunClock clock) {
        await("every client in its room").atMost(JOINED_WITHIN).pollInterval(Duration.ofMillis(100))
                .until(workload::allInRoom);
        // Nobody talks until everyone is in: every member then expects every message of the run.
        long talking = clock.now();
        workload.startSending();
        await("every client hears live traffic").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> workload.allReceivingSince(talking));
        await("everyone stays in their room before the fault").during(STEADY_BEFORE)
                .atMost(STEADY_BEFORE.plusSeconds(2)).until(workload::allInRoom);
        log.info("before the fault: {} sends, clients per node {}", workload.sends(), workload.perNode());
    }

    /**
     * After the faults: every client hears traffic sent after the last heal within {@code bound}, and keeps
     * its room for a while longer. Returns how long after the heal the last client heard it.
     */
    private static long after(Workload workload, Faults faults, RunClock clock, Duration bound) {
        long healed = faults.windows().stream().mapToLong(Faults.Window::to).max().orElse(clock.now());
        await("every client back in its room and hearing traffic sent after the heal").atMost(bound)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> workload.allInRoom() && workload.allReceivingSince(healed));
        long back = workload.members().stream()
                .map(m -> m.firstReceivedOfSince(healed))
                .mapToLong(at -> at.map(t -> t - healed).orElse(Long.MAX_VALUE))
                .max().orElse(0);
        await("everyone stays in their room after the heal").during(STEADY_AFTER)
                .atMost(STEADY_AFTER.plusSeconds(2)).until(workload::allInRoom);
        log.info("after the heal: every client back within {} ms; clients per node {}", back, workload.perNode());
        return back;
    }

    /** Stops the sends, waits until every send's fate is known and every member has caught up, and takes the history. */
    private static History settle(Workload workload, Workload.Settings settings) {
        workload.stopSending();
        try {
            await("every send acked, failed or given up on, and every member caught up")
                    .atMost(settings.sendTimeout().plus(SETTLE_SLACK)).pollInterval(Duration.ofMillis(100))
                    .until(() -> workload.everySendDecided() && workload.everyoneCaughtUp());
        } catch (ConditionTimeoutException e) {
            // Not a failure of its own: the checker names exactly what never arrived.
            log.warn("the run did not settle: {}", e.getMessage());
        }
        workload.close();
        return workload.history();
    }

    /** The 1-based index of node {@code nodeId} ("node-2" → 2). */
    static int index(String nodeId) {
        return Integer.parseInt(Optional.ofNullable(nodeId).orElseThrow().substring("node-".length()));
    }
}
