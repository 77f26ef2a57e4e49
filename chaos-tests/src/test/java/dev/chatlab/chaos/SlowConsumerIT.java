package dev.chatlab.chaos;

import static dev.chatlab.chaos.ProcessFaultsIT.closedSince;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.chatlab.chaos.ChaosScenario.Setup;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A client that cannot keep up (its link throttled while its room is flooded) is closed by its node with 4008,
 * resumes without loss once its link recovers, and the rest of its room never notices; its nodes run with a small
 * queue limit, so it gets a swarm of its own. The bound is step 6's: on step 5 the same fault is run to show what
 * a node without it does (it keeps the backlog in memory and never closes the client).
 */
@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
@ExtendWith(ChaosReportExtension.class)
class SlowConsumerIT {
    private static final int QUEUE_LIMIT_BYTES = 64 * 1024;
    private static final long LINK_KILOBYTES_PER_SECOND = 16;
    /**
     * Up to 24 MB at 1.6 MB/s into the slow client's room. Between its node and the thin link about 9 MB fit
     * (the node's and HAProxy's socket send buffers grow to the kernel's 4 MB each, Toxiproxy queues 1 MiB), so
     * the node's own queue for it only starts to grow after some 6 s; the flood stops once the node has closed it.
     */
    private static final int FLOOD_MESSAGES = 6000;
    private static final int FLOOD_CHARS = 4000;
    private static final Duration FLOOD_WITHIN = Duration.ofSeconds(15);

    /** Whether the nodes bound what waits for a socket (step 6 on), i.e. whether there is a 4008 to see. */
    static boolean nodesBoundTheirQueues() {
        return ChaosSwarm.step() >= 6;
    }

    static boolean nodesDoNotBoundTheirQueues() {
        return !nodesBoundTheirQueues();
    }

    @Test
    @EnabledIf("nodesBoundTheirQueues")
    void slow_consumer_behind_a_thin_link__closed_with_4008_it_resumes_and_its_room_is_unaffected(ChaosScenario scenario) {
        Setup setup = Setup.standard()
                .withNodeArgs("--max-queued-bytes", String.valueOf(QUEUE_LIMIT_BYTES))
                // Client 0 alone comes in through the proxy whose link gets thin.
                .withEntries(i -> i == 0 ? ChaosSwarm.LB_SLOW : i % 2 == 0 ? ChaosSwarm.LB : ChaosSwarm.LB_HALF)
                .withBackWithin(Duration.ofSeconds(30));
        scenario.run("slow consumer: " + LINK_KILOBYTES_PER_SECOND + " KB/s link, its room flooded", "slow", setup, run -> {
            Recorder slow = run.workload().member(0);
            List<Recorder> roommates = run.workload().in(slow.room()).stream().filter(m -> m != slow).toList();
            int node = ChaosScenario.index(slow.node());
            double closedBefore = run.swarm().metric(node, "chat_connections_slow_closed_total");
            long at = run.clock().now();
            run.faults().during(run.faults().thinLink(ChaosSwarm.LB_SLOW, LINK_KILOBYTES_PER_SECOND), () -> {
                Workload.Flood flood = run.workload().flood(roommates.get(0), FLOOD_MESSAGES, FLOOD_CHARS, FLOOD_WITHIN);
                try {
                    await(slow.node() + " closes the slow consumer (4008) once its queue passes "
                            + QUEUE_LIMIT_BYTES + " bytes").atMost(FLOOD_WITHIN.plusSeconds(10))
                            .until(() -> run.swarm().metric(node, "chat_connections_slow_closed_total") > closedBefore);
                } finally {
                    flood.stop();
                }
                long late = run.clock().now() - 1500;
                await("the rest of its room keeps hearing live traffic").atMost(Duration.ofSeconds(5))
                        .until(() -> roommates.stream().allMatch(m -> m.receivingSince(late)));
                assertThat(roommates).as("the rest of its room kept their connections")
                        .allMatch(m -> closedSince(m, at) == 0);
            });
            await("the slow client finds its connection closed once its link recovers, and resumes").atMost(Duration.ofSeconds(30))
                    .until(() -> slow.inRoom() && !slow.reconnects().isEmpty());
        });
    }

    @Test
    @EnabledIf("nodesDoNotBoundTheirQueues")
    void slow_consumer_behind_a_thin_link_on_step_5__never_closed_its_backlog_waits_in_the_node_and_its_room_is_unaffected(
            ChaosScenario scenario) {
        Setup setup = Setup.standard()
                .withEntries(i -> i == 0 ? ChaosSwarm.LB_SLOW : i % 2 == 0 ? ChaosSwarm.LB : ChaosSwarm.LB_HALF)
                .withBackWithin(Duration.ofSeconds(60));
        scenario.run("slow consumer on step 5 (no bound on a socket's queue): " + LINK_KILOBYTES_PER_SECOND
                + " KB/s link, its room flooded", "slow5", setup, run -> {
            Recorder slow = run.workload().member(0);
            List<Recorder> roommates = run.workload().in(slow.room()).stream().filter(m -> m != slow).toList();
            long at = run.clock().now();
            run.faults().during(run.faults().thinLink(ChaosSwarm.LB_SLOW, LINK_KILOBYTES_PER_SECOND), () -> {
                Workload.Flood flood = run.workload().flood(roommates.get(0), FLOOD_MESSAGES, FLOOD_CHARS, FLOOD_WITHIN);
                try {
                    long late = run.clock().now() + FLOOD_WITHIN.toMillis();
                    await("the rest of its room keeps hearing live traffic through the whole flood")
                            .atMost(FLOOD_WITHIN.plusSeconds(10))
                            .until(() -> run.clock().now() > late && roommates.stream().allMatch(m -> m.receivingSince(late - 1500)));
                } finally {
                    flood.stop();
                }
                assertThat(roommates).as("the rest of its room kept their connections")
                        .allMatch(m -> closedSince(m, at) == 0);
            });
            // What the fault shows on step 5: nothing closes the slow client; its backlog waits in its node's memory
            // (Jetty's queue has no bound) and drains once the link recovers, or its own heartbeat gives up first.
        });
    }
}
