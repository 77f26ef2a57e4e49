package dev.chatlab.toxiproxy;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/** Daemon thread pools whose threads say, while they work, which proxy and which connection they serve. */
final class Threads {
    /** Relay threads only copy bytes; a small stack keeps a few hundred connections (four threads each) cheap. */
    private static final long STACK_BYTES = 256 * 1024;

    private Threads() {
    }

    static ExecutorService daemonPool(String prefix) {
        AtomicLong count = new AtomicLong();
        return Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(null, task, prefix + "-" + count.incrementAndGet(), STACK_BYTES);
            thread.setDaemon(true);
            return thread;
        });
    }

    static Runnable named(String name, Runnable task) {
        return () -> {
            Thread thread = Thread.currentThread();
            String idleName = thread.getName();
            thread.setName(name);
            try {
                task.run();
            } finally {
                thread.setName(idleName);
            }
        };
    }
}
