package dev.chatlab.chaos;

import static dev.chatlab.chaos.ProcessFaultsIT.clientsOf;
import static dev.chatlab.chaos.ProcessFaultsIT.closedSince;
import static dev.chatlab.chaos.ProcessFaultsIT.inRotation;
import static dev.chatlab.chaos.ProcessFaultsIT.others;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.chatlab.chaos.ChaosScenario.Run;
import dev.chatlab.chaos.ChaosScenario.Setup;
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
 * Network faults through Toxiproxy under a steady workload, each judged by the delivery checker: between half the
 * clients and the load balancer (connections reset, a black hole), and between node-2 and Redis (cut, a half-open
 * subscription, latency).
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(ChaosReportExtension.class)
class NetworkFaultsIT {
    private static final Duration RESET_FOR = Duration.ofSeconds(4);
    private static final Duration BLACK_HOLE_FOR = Duration.ofSeconds(6);
    private static final Duration CUT_FOR = Duration.ofSeconds(5);
    private static final Duration SUBSCRIPTION_BLACK_HOLE_FOR = Duration.ofSeconds(8);
    private static final Duration LATENCY_FOR = Duration.ofSeconds(10);

    @Test
    @Order(1)
    void reset_peer_between_half_the_clients_and_the_lb__they_reconnect_and_resume(ChaosScenario scenario) {
        scenario.run("client ↔ LB reset_peer (the half through lb-half)", "reset", Setup.standard(), run -> {
            List<Recorder> hit = run.workload().via(run.swarm().entry(ChaosSwarm.LB_HALF));
            List<Recorder> spared = others(run, hit);
            long at = run.clock().now();
            run.faults().during(run.faults().resetPeer(ChaosSwarm.LB_HALF), () -> {
                await("every client through lb-half has its connection reset").atMost(Duration.ofSeconds(10))
                        .until(() -> hit.stream().allMatch(m -> closedSince(m, at) > 0));
                holdWhileTheRestTalk(run, spared, at, RESET_FOR);
            });
        });
    }

    @Test
    @Order(2)
    void black_hole_between_half_the_clients_and_the_lb__heartbeats_find_it_and_they_resume(ChaosScenario scenario) {
        scenario.run("client ↔ LB black hole (the half through lb-half)", "hole", Setup.standard(), run -> {
            List<Recorder> hit = run.workload().via(run.swarm().entry(ChaosSwarm.LB_HALF));
            List<Recorder> spared = others(run, hit);
            long at = run.clock().now();
            run.faults().during(run.faults().blackHole(ChaosSwarm.LB_HALF), () -> {
                // Nothing closes a black-holed connection: only the client's own heartbeat can drop it.
                await("every client through lb-half drops its silent connection").atMost(Duration.ofSeconds(10))
                        .until(() -> hit.stream().allMatch(m -> m.closes().stream().anyMatch(c -> c.at() >= at && !c.remote())));
                holdWhileTheRestTalk(run, spared, at, BLACK_HOLE_FOR);
            });
        });
    }

    @Test
    @Order(3)
    void node_2_cut_from_redis_for_5_s__it_catches_up_from_history_and_nothing_is_lost(ChaosScenario scenario) {
        scenario.run("node-2 ↔ Redis cut for 5 s", "cut", Setup.standard(), run -> {
            List<Recorder> spared = others(run, clientsOf(run, "node-2"));
            long at = run.clock().now();
            run.faults().during(run.faults().cutRedis(2), () -> {
                await("HAProxy takes node-2 out of rotation").atMost(Duration.ofSeconds(10))
                        .until(() -> !inRotation(run, "node-2"));
                holdWhileTheRestTalk(run, spared, at, CUT_FOR);
            });
        });
    }

    @Test
    @Order(4)
    void node_2_subscription_black_hole__its_heartbeat_finds_it_it_resubscribes_and_backfills(ChaosScenario scenario) {
        scenario.run("node-2 ↔ Redis subscription black hole (half-open)", "subhole", Setup.standard(), run -> {
            List<Recorder> spared = others(run, clientsOf(run, "node-2"));
            double resubscribed = run.swarm().metric(2, "chat_redis_resubscriptions_total");
            long at = run.clock().now();
            run.faults().during(run.faults().blackHoleSubscription(2), () -> {
                // Only node-2's heartbeat through its own subscription tells it the subscription is dead; /ready follows.
                await("node-2 finds its subscription dead and HAProxy takes it out").atMost(Duration.ofSeconds(10))
                        .until(() -> !inRotation(run, "node-2"));
                holdWhileTheRestTalk(run, spared, at, SUBSCRIPTION_BLACK_HOLE_FOR);
            });
            assertThat(run.swarm().metric(2, "chat_redis_resubscriptions_total"))
                    .as("node-2 subscribed again once the subscription's route was healed").isGreaterThan(resubscribed);
        });
    }

    @Test
    @Order(5)
    void latency_200_ms_between_node_2_and_redis__nothing_is_lost_or_reordered(ChaosScenario scenario) {
        scenario.run("node-2 ↔ Redis latency 200 ms ± 50 ms", "latency", Setup.standard(), run -> {
            List<Recorder> slowed = clientsOf(run, "node-2");
            long at = run.clock().now();
            run.faults().during(run.faults().redisLatency(2, 200, 50), () -> {
                holdWhileTheRestTalk(run, run.workload().members(), at, LATENCY_FOR);
                assertThat(slowed).as("node-2's clients stayed on node-2").allMatch(m -> "node-2".equals(m.node()));
                assertThat(inRotation(run, "node-2")).as("node-2 is slow, not unready: it stays in rotation").isTrue();
            });
        });
    }

    /**
     * Keeps the fault until {@code lasting} has passed since {@code at}, while {@code talking} keep their
     * connections and hear live traffic throughout.
     */
    static void holdWhileTheRestTalk(Run run, List<Recorder> talking, long at, Duration lasting) {
        await("the other clients hear live traffic during the fault").atMost(Duration.ofSeconds(5))
                .until(() -> talking.stream().allMatch(m -> m.receivingSince(at)));
        Duration left = lasting.minusMillis(run.clock().now() - at);
        if (!left.isNegative() && !left.isZero()) {
            await("the other clients keep their rooms while the fault lasts").during(left).atMost(left.plusSeconds(2))
                    .until(() -> talking.stream().allMatch(Recorder::inRoom));
        }
        long late = run.clock().now() - 1500;
        await("the other clients still hear live traffic at the end of the fault").atMost(Duration.ofSeconds(5))
                .until(() -> talking.stream().allMatch(m -> m.receivingSince(late)));
        assertThat(talking).as("the other clients never lost their connections").allMatch(m -> closedSince(m, at) == 0);
    }
}
