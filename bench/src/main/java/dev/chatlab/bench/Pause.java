package dev.chatlab.bench;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** The bench's waits: a load generator paces itself by the clock, and every wait has an end. */
public final class Pause {
    private Pause() {
    }

    public static void of(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** Checks {@code condition} every 50 ms until it holds or {@code atMost} has passed; says which. */
    public static boolean until(BooleanSupplier condition, Duration atMost) {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() >= deadline) {
                return false;
            }
            of(Duration.ofMillis(50));
        }
        return true;
    }
}
