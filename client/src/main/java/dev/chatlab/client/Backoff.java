package dev.chatlab.client;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Reconnect delays: capped exponential backoff with full jitter, so a crowd of clients that lost the
 * same node spreads its reconnects out. Attempt {@code n} (from 0) waits a uniformly random time in
 * {@code [0, min(cap, base × 2^n)]}; {@link #reset()} after a successful join starts again at attempt 0.
 * Not thread-safe: the client uses it from its own thread only.
 */
public final class Backoff {
    private final long baseMillis;
    private final long capMillis;
    private final long soonMillis;
    private final RandomGenerator random;
    private int attempt;

    /**
     * @param base   the ceiling of the first attempt
     * @param cap    the largest ceiling, however many attempts failed
     * @param soon   the ceiling of a "reconnect soon" delay (close code 1012)
     * @param random where the jitter comes from; seed it to make delays reproducible
     */
    public Backoff(Duration base, Duration cap, Duration soon, RandomGenerator random) {
        this.baseMillis = base.toMillis();
        this.capMillis = cap.toMillis();
        this.soonMillis = soon.toMillis();
        this.random = Objects.requireNonNull(random, "random");
        if (baseMillis <= 0 || capMillis < baseMillis || soonMillis < 0) {
            throw new IllegalArgumentException("need 0 < base <= cap and soon >= 0, got base " + base + ", cap " + cap
                    + ", soon " + soon);
        }
    }

    /** {@code min(cap, base × 2^attempt)} in milliseconds, without overflowing for large attempts. */
    public static long ceilingMillis(long baseMillis, long capMillis, int attempt) {
        int shift = Math.max(attempt, 0);
        // From 2^63 on, base × 2^attempt is past any cap a long can hold.
        if (shift >= Long.SIZE - 1 || baseMillis > (capMillis >> shift)) {
            return capMillis;
        }
        return Math.min(capMillis, baseMillis << shift);
    }

    /** The delay before the next attempt; each call counts one more attempt. */
    public Duration next() {
        long ceiling = ceilingMillis(baseMillis, capMillis, attempt);
        if (attempt < Integer.MAX_VALUE) {
            attempt++;
        }
        return Duration.ofMillis(random.nextLong(ceiling + 1));
    }

    /** A "reconnect soon" delay: uniform in {@code [0, soon]}; it neither counts nor grows. */
    public Duration soon() {
        return Duration.ofMillis(random.nextLong(soonMillis + 1));
    }

    /** The delay {@code how} asks for; {@link Reconnect#NEVER} has none. */
    public Duration after(Reconnect how) {
        return switch (how) {
            case WITH_BACKOFF -> next();
            case SOON -> soon();
            case FIRST_STEP -> {
                reset();
                yield next();
            }
            case NEVER -> throw new IllegalArgumentException("no reconnect after a fatal close");
        };
    }

    /** Starts again from the first step, after the client has joined successfully. */
    public void reset() {
        attempt = 0;
    }

    /** How many delays were handed out since the last reset. */
    public int attempt() {
        return attempt;
    }

    /** The ceiling of the next delay: {@code min(cap, base × 2^attempt)}. */
    public Duration ceiling() {
        return Duration.ofMillis(ceilingMillis(baseMillis, capMillis, attempt));
    }
}
