package dev.chatlab.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

/**
 * This JVM's garbage-collection pauses, as the collectors announce them: while the load generator is paused, every
 * message in flight looks late by the pause, so a window's pauses say how much of its tail latency is the generator's.
 */
public final class GcPauses {

    /** A window's pauses: how many, their sum and the longest, in milliseconds. */
    public record Summary(int count, long totalMillis, long longestMillis) {
        public String describe() {
            return Report.f("the generator's own GC paused it %d times in the window, %,d ms in all, the longest %,d ms "
                    + "(every delivery it was waiting for then looks that much later)", count, totalMillis, longestMillis);
        }
    }

    private record Pause(long endNanos, long millis) {
    }

    private final List<Pause> pauses = new ArrayList<>();

    private GcPauses() {
    }

    /** Starts listening to this JVM's collectors; concurrent cycles, which do not stop the application, are left out. */
    public static GcPauses listen() {
        GcPauses listener = new GcPauses();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener((notification, handback) -> {
                    if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
                        if (!info.getGcName().contains("Concurrent") && !info.getGcName().contains("Cycles")) {
                            listener.add(System.nanoTime(), info.getGcInfo().getDuration());
                        }
                    }
                }, null, null);
            }
        }
        return listener;
    }

    synchronized void add(long endNanos, long millis) {
        pauses.add(new Pause(endNanos, millis));
    }

    /** The pauses that ended within {@code [fromNanos, toNanos]} (System.nanoTime). */
    public synchronized Summary between(long fromNanos, long toNanos) {
        int count = 0;
        long total = 0;
        long longest = 0;
        for (Pause p : pauses) {
            if (p.endNanos() >= fromNanos && p.endNanos() <= toNanos) {
                count++;
                total += p.millis();
                longest = Math.max(longest, p.millis());
            }
        }
        return new Summary(count, total, longest);
    }
}
