package dev.chatlab.client;

import java.time.Duration;
import java.time.Instant;

/**
 * The counts and times a {@link ResilientClient} reports (its accessors say what each one means): changed on the
 * client's thread only, read from any.
 */
final class Stats {
    private volatile long reconnects;
    private volatile long gapsDetected;
    private volatile long duplicatesDropped;
    private volatile long delivered;
    private volatile Instant lastDisconnectAt;
    private volatile Instant lastResumeAt;
    private volatile Duration lastReconnectTime;
    // The client's thread only: when the joined connection was lost, while the client is out of its room.
    private long disconnectedAtNanos = -1;

    void messageDelivered() {
        delivered++;
    }

    void duplicateDropped() {
        duplicatesDropped++;
    }

    void gapDetected() {
        gapsDetected++;
    }

    /** A connection the client had joined on is lost. */
    void lost() {
        lastDisconnectAt = Instant.now();
        disconnectedAtNanos = System.nanoTime();
    }

    /**
     * The client is in its room again: how long it was out since {@link #lost()}, counted as a reconnect; null when
     * nothing was lost before (the first join).
     */
    Duration backInRoom() {
        if (disconnectedAtNanos < 0) {
            return null;
        }
        Duration took = Duration.ofNanos(System.nanoTime() - disconnectedAtNanos);
        disconnectedAtNanos = -1;
        lastReconnectTime = took;
        lastResumeAt = Instant.now();
        reconnects++;
        return took;
    }

    long reconnects() {
        return reconnects;
    }

    long gapsDetected() {
        return gapsDetected;
    }

    long duplicatesDropped() {
        return duplicatesDropped;
    }

    long delivered() {
        return delivered;
    }

    Instant lastDisconnectAt() {
        return lastDisconnectAt;
    }

    Instant lastResumeAt() {
        return lastResumeAt;
    }

    Duration lastReconnectTime() {
        return lastReconnectTime;
    }
}
