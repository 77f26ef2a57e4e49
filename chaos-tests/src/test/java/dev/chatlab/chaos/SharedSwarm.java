package dev.chatlab.chaos;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The swarm the chaos scenarios of one run share while it is provably clean: the last one is handed on only when
 * it has the same node options and {@link ChaosSwarm#unclean} finds nothing (no proxy disabled or with a toxic,
 * every node alive, ready and in rotation, no connection left); otherwise a fresh one is started.
 */
final class SharedSwarm implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SharedSwarm.class);
    private static final Duration CONNECTIONS_GONE_WITHIN = Duration.ofSeconds(10);

    /** A swarm for one scenario, and how it came to be: fresh, or reused after the check. */
    record Lease(ChaosSwarm swarm, String how) {
    }

    private final ToxiproxyEndpoint toxiproxy;
    private ChaosSwarm swarm;
    private List<String> nodeArgs;

    SharedSwarm(ToxiproxyEndpoint toxiproxy) {
        this.toxiproxy = toxiproxy;
    }

    ToxiproxyEndpoint toxiproxy() {
        return toxiproxy;
    }

    synchronized Lease take(List<String> wantedNodeArgs) {
        String why = null;
        if (swarm != null) {
            if (!nodeArgs.equals(wantedNodeArgs)) {
                why = "the last swarm had other node options";
            } else {
                Optional<String> unclean = swarm.unclean(CONNECTIONS_GONE_WITHIN);
                if (unclean.isEmpty()) {
                    log.info("reusing the swarm: every proxy clean, every node ready and in rotation, no connections left");
                    return new Lease(swarm, "reused: proxies without toxics, nodes ready and in rotation, no connection left");
                }
                why = "the last swarm was not clean: " + unclean.get();
            }
            log.info("starting a fresh swarm: {}", why);
            discard();
        }
        swarm = ChaosSwarm.start(toxiproxy.client(), 3, wantedNodeArgs);
        nodeArgs = List.copyOf(wantedNodeArgs);
        return new Lease(swarm, why == null ? "fresh" : "fresh (" + why + ")");
    }

    /** Stops the current swarm: a scenario that failed leaves nothing to trust. */
    synchronized void discard() {
        if (swarm != null) {
            swarm.close();
            swarm = null;
            nodeArgs = null;
        }
    }

    @Override
    public synchronized void close() {
        discard();
        toxiproxy.close();
    }
}
