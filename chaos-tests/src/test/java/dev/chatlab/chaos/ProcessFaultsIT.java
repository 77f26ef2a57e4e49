package dev.chatlab.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.chatlab.chaos.ChaosScenario.Run;
import dev.chatlab.chaos.ChaosScenario.Setup;
import dev.chatlab.testkit.swarm.ChatNodeProcess;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Process faults on the swarm's real processes, each under a steady workload and judged by the delivery checker:
 * a node killed, frozen, drained; Redis and HAProxy restarted; every node restarted in turn. Where the nodes keep
 * presence, each is judged by the presence checker too; the faults on one node also leave ghosts behind: plain
 * members joined on that node, one per room, that never come back.
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(ChaosReportExtension.class)
class ProcessFaultsIT {
    /** How soon the clients of a dead, frozen or draining node must be back on another node. */
    private static final Duration MOVED_WITHIN = Duration.ofSeconds(20);
    private static final Duration FROZEN_FOR = Duration.ofSeconds(20);
    /** A ghost never comes back while it is looked for. */
    private static final long NEVER = Long.MAX_VALUE;

    @Test
    @Order(1)
    void kill_9_node_2__no_acked_message_is_lost(ChaosScenario scenario) {
        scenario.run("kill -9 node-2", "kill9", Setup.standard().withPresence(), run -> {
            List<PlainMember> ghosts = ghostsOn(run, 2);
            List<Recorder> victims = clientsOf(run, "node-2");
            List<Recorder> others = others(run, victims);
            long killed = run.clock().now();
            run.faults().during(run.faults().kill9(2), () -> {
                // Their node died with them: they are unreachable from the kill on.
                ghosts.forEach(g -> run.presence().lost(g, killed, NEVER, "the kill"));
                await("node-2's clients are back on other nodes, hearing live traffic").atMost(MOVED_WITHIN)
                        .until(() -> victims.stream().allMatch(m -> movedOff(m, "node-2") && m.receivingSince(killed)));
                await("the other clients keep hearing live traffic").atMost(Duration.ofSeconds(5))
                        .until(() -> others.stream().allMatch(m -> m.receivingSince(killed)));
                assertThat(others).as("the other clients kept their connections")
                        .allMatch(m -> closedSince(m, killed) == 0);
            });
        });
    }

    @Test
    @Order(2)
    void sigstop_node_2_for_20_s__its_clients_move_by_heartbeat_and_nothing_is_lost(ChaosScenario scenario) {
        scenario.run("SIGSTOP node-2 for 20 s, then SIGCONT", "stop", Setup.standard().withPresence(), run -> {
            List<PlainMember> ghosts = ghostsOn(run, 2);
            List<Recorder> victims = clientsOf(run, "node-2");
            long frozen = run.clock().now();
            if (run.judgesPresence()) {
                // Their connections died with the freeze, though the clients only find out by heartbeat, 3 s later.
                run.presence().deadFrom(victims, frozen);
            }
            run.faults().during(run.faults().freeze(2), () -> {
                await("node-2's clients find it silent by heartbeat and move to other nodes").atMost(MOVED_WITHIN)
                        .until(() -> victims.stream().allMatch(m -> movedOff(m, "node-2") && m.receivingSince(frozen)));
                await("HAProxy takes frozen node-2 out of rotation").atMost(Duration.ofSeconds(10))
                        .until(() -> !inRotation(run, "node-2"));
                Duration left = FROZEN_FOR.minusMillis(run.clock().now() - frozen);
                if (!left.isNegative() && !left.isZero()) {
                    await("every client stays in its room while node-2 is frozen").during(left)
                            .atMost(left.plusSeconds(2)).until(run.workload()::allInRoom);
                }
                // The ghosts' sockets stay open: node-2 has them back when it thaws, so they are only ghosts till then.
                long thaw = run.clock().now();
                ghosts.forEach(g -> run.presence().lost(g, frozen, thaw, "the freeze"));
            });
        });
    }

    @Test
    @Order(3)
    void sigterm_node_2__it_drains_its_clients_move_with_1012_and_nothing_is_lost(ChaosScenario scenario) {
        scenario.run("SIGTERM node-2 (drain)", "term", Setup.standard().withPresence(), run -> drainAndRestart(run, 2));
    }

    @Test
    @Order(4)
    void redis_restart_with_aof__history_and_seqs_survive_and_nothing_is_lost(ChaosScenario scenario) {
        scenario.run("Redis restart (append-only file)", "redis", Setup.standard().withPresence(), run -> {
            List<PlainMember> ghosts = ghostsOn(run, 2);
            double[] before = resubscriptions(run);
            // The ghosts leave as Redis goes: their leave falls due while the nodes are subscribing again.
            for (PlainMember ghost : ghosts) {
                long closing = run.clock().now();
                ghost.close();
                run.presence().lost(ghost, ghost.closedAt() >= 0 ? ghost.closedAt() : closing, NEVER, "its close");
            }
            run.faults().during(run.faults().restartRedis(), () ->
                    await("every node subscribes again").atMost(Duration.ofSeconds(15)).until(() -> {
                        double[] now = resubscriptions(run);
                        for (int i = 0; i < now.length; i++) {
                            if (now[i] <= before[i]) {
                                return false;
                            }
                        }
                        return true;
                    }));
        });
    }

    @Test
    @Order(5)
    void haproxy_restart__every_client_reconnects_and_resumes_and_nothing_is_lost(ChaosScenario scenario) {
        scenario.run("HAProxy restart", "haproxy", Setup.standard().withPresence(), run -> {
            long restarted = run.clock().now();
            run.faults().during(run.faults().restartHaproxy(), () ->
                    await("every client lost its connection and is back in its room").atMost(MOVED_WITHIN)
                            .until(() -> run.workload().members().stream()
                                    .allMatch(m -> closedSince(m, restarted) > 0 && m.inRoom() && joinedSince(m, restarted))));
        });
    }

    @Test
    @Order(6)
    void rolling_restart_of_every_node_under_traffic__nothing_is_lost(ChaosScenario scenario) {
        scenario.run("rolling restart of every node (drain, restart, next)", "rolling", Setup.standard().withPresence(), run -> {
            for (int n = 1; n <= run.swarm().nodes().size(); n++) {
                drainAndRestart(run, n);
            }
        });
    }

    /**
     * SIGTERM node n: out of rotation, its clients told 1012 and back elsewhere, its ghosts told 1012 too (they never
     * come back), the node gone; then started again. A drained ghost is held by its node for the leave delay after its
     * close (a client would be back by then), or until the node exits if that comes first (a stopping node leaves its
     * entries to expire, so that clients still reconnecting show no leave): it is a ghost from then on.
     */
    private static void drainAndRestart(Run run, int n) {
        String node = "node-" + n;
        ChatNodeProcess process = run.swarm().node(n);
        List<PlainMember> ghosts = ghostsOn(run, n);
        List<Recorder> movers = clientsOf(run, node);
        long drained = run.clock().now();
        run.faults().during(run.faults().drain(n), () -> {
            await("HAProxy takes draining " + node + " out of rotation").atMost(Duration.ofSeconds(10))
                    .until(() -> !inRotation(run, node));
            await(node + " closes its clients with 1012 and they are back on other nodes").atMost(MOVED_WITHIN)
                    .until(() -> movers.stream().allMatch(m -> movedOff(m, node) && m.receivingSince(drained)
                            && m.closes().stream().anyMatch(c -> c.code() == 1012 && c.remote() && c.at() >= drained)));
            await(node + " closes its plain members with 1012").atMost(MOVED_WITHIN)
                    .until(() -> ghosts.stream().allMatch(g -> g.closeCode() == 1012));
            await(node + " exits once its clients are gone").atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(20)).until(() -> !process.isAlive());
            long exited = run.clock().now();
            long delay = PresenceWatch.LEAVE_DELAY.toMillis();
            ghosts.forEach(g -> run.presence().lost(g, Math.min(g.closedAt() + delay, exited), NEVER,
                    g.closedAt() + delay <= exited ? "the leave delay after its 1012" : node + "'s exit"));
        });
    }

    /**
     * Where the scenario judges presence: one plain member joined in each room directly on node {@code n}, once every
     * client and node lists them; none otherwise.
     */
    static List<PlainMember> ghostsOn(Run run, int n) {
        if (!run.judgesPresence()) {
            return List.of();
        }
        List<PlainMember> ghosts = run.presence().ghostsOn(n);
        await("every client and node lists the plain members on node-" + n).atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100)).until(() -> run.presence().everyoneLists(ghosts));
        return ghosts;
    }

    // ---- shared by the scenarios ----

    /** The clients on {@code node} now; there must be some, or the fault would prove nothing. */
    static List<Recorder> clientsOf(Run run, String node) {
        List<Recorder> clients = run.workload().on(node);
        assertThat(clients).as(node + "'s clients (clients per node: " + run.workload().perNode() + ")").isNotEmpty();
        return clients;
    }

    static List<Recorder> others(Run run, List<Recorder> some) {
        return run.workload().members().stream().filter(m -> !some.contains(m)).toList();
    }

    static boolean movedOff(Recorder member, String node) {
        return member.inRoom() && !node.equals(member.node());
    }

    static long closedSince(Recorder member, long at) {
        return member.closes().stream().filter(c -> c.at() >= at).count();
    }

    static boolean joinedSince(Recorder member, long at) {
        return member.joins().stream().anyMatch(j -> j.at() >= at);
    }

    /** HAProxy has {@code node} up (not DOWN, not on its way down). */
    static boolean inRotation(Run run, String node) {
        return "UP".equals(run.swarm().haproxy().nodeStates().get(node));
    }

    private static double[] resubscriptions(Run run) {
        double[] counts = new double[run.swarm().nodes().size()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = run.swarm().metric(i + 1, "chat_redis_resubscriptions_total");
        }
        return counts;
    }
}
