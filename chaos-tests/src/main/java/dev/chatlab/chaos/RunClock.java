package dev.chatlab.chaos;

/**
 * The one clock of a chaos run: epoch milliseconds, so they line up with the {@code sentAt} the nodes stamp,
 * but read from {@link System#nanoTime()} after the start, so they never step back while the run lasts.
 */
public final class RunClock {
    private final long startNanos = System.nanoTime();
    private final long startMillis = System.currentTimeMillis();

    /** Now, in epoch milliseconds. */
    public long now() {
        return startMillis + (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** When the run started, in epoch milliseconds. */
    public long start() {
        return startMillis;
    }
}
