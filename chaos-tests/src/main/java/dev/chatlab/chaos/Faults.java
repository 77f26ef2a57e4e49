package dev.chatlab.chaos;

import dev.chatlab.testkit.process.Signal;
import dev.chatlab.testkit.swarm.ChatNodeProcess;
import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.model.Toxic;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The faults a chaos scenario injects into a {@link ChaosSwarm}, each with its way back, scoped by {@link #during}
 * so that none outlives its scenario, and remembered with when they lasted for the report's timeline.
 */
public final class Faults {
    private static final Logger log = LoggerFactory.getLogger(Faults.class);
    /** How long a healed swarm may take to have every node ready and in rotation again. */
    private static final Duration HEALTHY_AGAIN = Duration.ofSeconds(45);

    /** A fault lasted from {@code from} to {@code to} (run clock, epoch milliseconds). */
    public record Window(String fault, long from, long to) {
    }

    /** Undoes a fault. */
    @FunctionalInterface
    public interface Heal {
        void heal() throws Exception;
    }

    /** Injects a fault and says how to heal it. */
    @FunctionalInterface
    public interface Inject {
        Heal inject() throws Exception;
    }

    /** What a scenario does while a fault lasts: usually waiting for the system to show it copes. */
    @FunctionalInterface
    public interface While {
        void run() throws Exception;
    }

    /** A named fault. */
    public record Fault(String name, Inject inject) {
    }

    private final ChaosSwarm swarm;
    private final RunClock clock;
    private final List<Window> windows = new CopyOnWriteArrayList<>();

    public Faults(ChaosSwarm swarm, RunClock clock) {
        this.swarm = swarm;
        this.clock = clock;
    }

    /** Every fault so far, in the order they were healed. */
    public List<Window> windows() {
        return List.copyOf(windows);
    }

    /**
     * Injects {@code fault}, runs {@code meanwhile}, then heals the fault, also when {@code meanwhile} (or the
     * injection itself) fails. Returns when the fault is healed.
     */
    public void during(Fault fault, While meanwhile) {
        long from = clock.now();
        log.info("fault: {}", fault.name());
        Heal heal = null;
        Throwable failure = null;
        try {
            heal = fault.inject().inject();
            meanwhile.run();
        } catch (Throwable t) {
            failure = t;
        } finally {
            // Whatever happened meanwhile: a fault never outlives its scope.
            try {
                if (heal != null) {
                    heal.heal();
                }
            } catch (Throwable t) {
                if (failure == null) {
                    failure = t;
                } else {
                    failure.addSuppressed(t);
                }
            }
            windows.add(new Window(fault.name(), from, clock.now()));
            log.info("healed: {} ({} ms)", fault.name(), clock.now() - from);
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure != null) {
            throw new IllegalStateException(fault.name() + ": " + failure.getMessage(), failure);
        }
    }

    // ---- processes ----

    /** SIGKILL node {@code n}; healed by starting it again. */
    public Fault kill9(int n) {
        return new Fault("kill -9 node-" + n, () -> {
            ChatNodeProcess node = swarm.node(n);
            node.kill();
            return () -> {
                node.restart();
                swarm.awaitHealthy(HEALTHY_AGAIN);
            };
        });
    }

    /** SIGSTOP node {@code n}: its sockets stay open and nothing answers; healed by SIGCONT. */
    public Fault freeze(int n) {
        return new Fault("SIGSTOP node-" + n, () -> {
            ChatNodeProcess node = swarm.node(n);
            node.signal(Signal.STOP);
            return () -> {
                node.signal(Signal.CONT);
                swarm.awaitHealthy(HEALTHY_AGAIN);
            };
        });
    }

    /** SIGTERM node {@code n}, which drains and exits; healed by starting it again once it has exited. */
    public Fault drain(int n) {
        return new Fault("SIGTERM node-" + n + " (drain)", () -> {
            ChatNodeProcess node = swarm.node(n);
            node.signal(Signal.TERM);
            return () -> {
                if (!node.awaitExit(Duration.ofSeconds(30))) {
                    throw new IllegalStateException("node-" + n + " still runs 30 s after SIGTERM: its drain never ended");
                }
                node.restart();
                swarm.awaitHealthy(HEALTHY_AGAIN);
            };
        });
    }

    /** Restarts Redis (a clean stop, then a start on the same port and data: the append-only file keeps the history). */
    public Fault restartRedis() {
        return new Fault("Redis restart", () -> {
            swarm.redis().restart();
            return () -> swarm.awaitHealthy(HEALTHY_AGAIN);
        });
    }

    /** Restarts HAProxy on the same ports: every client connection through it is cut. */
    public Fault restartHaproxy() {
        return new Fault("HAProxy restart", () -> {
            swarm.haproxy().restart();
            return () -> swarm.awaitHealthy(HEALTHY_AGAIN);
        });
    }

    // ---- the network, through Toxiproxy ----

    /** Node {@code n} loses Redis, both its commands and its subscription: the proxies refuse and drop everything. */
    public Fault cutRedis(int n) {
        return new Fault("node-" + n + " cut from Redis", () -> {
            List<Proxy> both = List.of(swarm.proxy(ChaosSwarm.commandProxy(n)), swarm.proxy(ChaosSwarm.subscriptionProxy(n)));
            for (Proxy proxy : both) {
                proxy.disable();
            }
            return () -> {
                for (Proxy proxy : both) {
                    proxy.enable();
                }
                swarm.awaitHealthy(HEALTHY_AGAIN);
            };
        });
    }

    /**
     * What Redis sends on node {@code n}'s subscription vanishes while the connection stays open: the half-open
     * subscription only the node's own heartbeat can find. Removing the toxic closes the connection it held.
     */
    public Fault blackHoleSubscription(int n) {
        return new Fault("node-" + n + " subscription black hole", () -> {
            Toxic toxic = swarm.proxy(ChaosSwarm.subscriptionProxy(n)).toxics()
                    .timeout("subscription-black-hole", ToxicDirection.DOWNSTREAM, 0);
            return () -> {
                toxic.remove();
                swarm.awaitHealthy(HEALTHY_AGAIN);
            };
        });
    }

    /** Everything Redis sends node {@code n}, on both its connections, arrives {@code millis} ± {@code jitter} late. */
    public Fault redisLatency(int n, long millis, long jitter) {
        return new Fault("node-" + n + " ↔ Redis latency " + millis + " ms ± " + jitter + " ms", () -> {
            List<Toxic> toxics = new ArrayList<>();
            for (String name : List.of(ChaosSwarm.commandProxy(n), ChaosSwarm.subscriptionProxy(n))) {
                toxics.add(swarm.proxy(name).toxics().latency("slow-redis", ToxicDirection.DOWNSTREAM, millis)
                        .setJitter(jitter));
            }
            return () -> {
                for (Toxic toxic : toxics) {
                    toxic.remove();
                }
            };
        });
    }

    /** The connections through client-side proxy {@code entry} are reset (TCP RST) as soon as data flows, new ones too. */
    public Fault resetPeer(String entry) {
        return new Fault("client ↔ " + entry + " reset_peer", () -> {
            Toxic toxic = swarm.proxy(entry).toxics().resetPeer("reset", ToxicDirection.DOWNSTREAM, 0);
            return toxic::remove;
        });
    }

    /**
     * Nothing passes through client-side proxy {@code entry} either way, and nothing is closed: only the clients'
     * heartbeats can tell. Removing the toxics closes the connections they held.
     */
    public Fault blackHole(String entry) {
        return new Fault("client ↔ " + entry + " black hole", () -> {
            Proxy proxy = swarm.proxy(entry);
            Toxic up = proxy.toxics().timeout("black-hole-up", ToxicDirection.UPSTREAM, 0);
            Toxic down = proxy.toxics().timeout("black-hole-down", ToxicDirection.DOWNSTREAM, 0);
            return () -> {
                up.remove();
                down.remove();
            };
        });
    }

    /** What reaches clients through {@code entry} is throttled to {@code kilobytesPerSecond}. */
    public Fault thinLink(String entry, long kilobytesPerSecond) {
        return new Fault("client ↔ " + entry + " bandwidth " + kilobytesPerSecond + " KB/s", () -> {
            Toxic toxic = swarm.proxy(entry).toxics().bandwidth("thin", ToxicDirection.DOWNSTREAM, kilobytesPerSecond);
            return toxic::remove;
        });
    }
}
