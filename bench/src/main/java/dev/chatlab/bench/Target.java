package dev.chatlab.bench;

import com.fasterxml.jackson.annotation.JsonValue;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A step whose chat nodes a scenario starts: its module, and whether its nodes are swarm nodes, behind HAProxy. It is
 * written {@code stepN}, as {@code --target} takes it and the results record it.
 */
public enum Target {
    /** One node holding every room in memory: no Redis. */
    STEP2(2, "step2-rooms", false),
    /** Nodes joined by Redis pub/sub, reached directly. */
    STEP4(4, "step4-pubsub", false),
    STEP5(5, "step5-loadbalancer", true),
    STEP6(6, "step6-hardening", true),
    STEP7(7, "step7-performance", true),
    /** Step 7's node with presence and typing: members kept in Redis under a refreshed TTL, typing relayed, never stored. */
    STEP8(8, "step8-presence", true);

    private final int number;
    private final String module;
    private final boolean swarm;

    Target(int number, String module, boolean swarm) {
        this.number = number;
        this.module = module;
        this.swarm = swarm;
    }

    /** The newest step: the default of the scenarios that run one swarm step. */
    public static Target newest() {
        return values()[values().length - 1];
    }

    /** The swarm steps, whose nodes run behind HAProxy, oldest first. */
    public static List<Target> swarmSteps() {
        return Arrays.stream(values()).filter(Target::swarm).toList();
    }

    /** The step numbered {@code number}; an error when the bench starts no nodes of that step. */
    public static Target of(int number) {
        return Arrays.stream(values()).filter(t -> t.number == number).findFirst()
                .orElseThrow(() -> new IllegalStateException("no step " + number + " nodes"));
    }

    /** The step written exactly {@code name} ({@code step7}), if any. */
    public static Optional<Target> named(String name) {
        return Arrays.stream(values()).filter(t -> t.toString().equals(name)).findFirst();
    }

    public int number() {
        return number;
    }

    /** Whether its nodes keep presence and relay typing signals (step 8 on). */
    public boolean presence() {
        return number >= 8;
    }

    /** Whether its nodes are swarm nodes (HAProxy's checks, drain, the resilient client's protocol). */
    public boolean swarm() {
        return swarm;
    }

    /** The node's jar, as {@code ./mvnw package} builds it. */
    public Path jar() {
        return Repository.root().resolve(module + "/target/" + module + ".jar");
    }

    /** {@code stepN}: how the command line, the pages and the JSON say it. */
    @JsonValue
    @Override
    public String toString() {
        return "step" + number;
    }
}
