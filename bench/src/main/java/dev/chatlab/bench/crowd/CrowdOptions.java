package dev.chatlab.bench.crowd;

import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Option;

/** The crowd's size and pace, the same options for failover and storm. */
public final class CrowdOptions {
    @Option(names = "--clients", defaultValue = "300", description = "(default: ${DEFAULT-VALUE})")
    int clients;
    @Option(names = "--rooms", defaultValue = "30", description = "(default: ${DEFAULT-VALUE})")
    int rooms;
    @Option(names = "--every", defaultValue = "2000", description = "ms between one client's sends (default: ${DEFAULT-VALUE})")
    int everyMillis;

    public int clients() {
        return clients;
    }

    public int rooms() {
        return rooms;
    }

    public int everyMillis() {
        return everyMillis;
    }

    /** Whether they make sense: at least one client per room, a send at most every 10 ms. */
    public boolean valid() {
        return rooms >= 1 && clients >= rooms && everyMillis >= 10;
    }

    /** Starts the crowd on {@code swarm} (see {@link Crowd#join}) and has it chat at this pace. */
    public Crowd chatOn(dev.chatlab.testkit.swarm.Swarm swarm) {
        Crowd crowd = Crowd.join(swarm.wsUri(), clients, rooms);
        crowd.chat(Duration.ofMillis(everyMillis));
        return crowd;
    }

    public void putSettings(Map<String, Object> settings) {
        settings.put("clients", clients);
        settings.put("rooms", rooms);
        settings.put("everyMillis", everyMillis);
    }
}
