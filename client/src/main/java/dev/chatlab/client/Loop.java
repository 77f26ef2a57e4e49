package dev.chatlab.client;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread a {@link ResilientClient}'s state lives on, with its timers. A task that throws is
 * logged and the loop goes on.
 */
final class Loop {
    private static final Logger log = LoggerFactory.getLogger(ResilientClient.class);

    private final String clientId;
    private final ScheduledThreadPoolExecutor executor;
    private volatile Thread thread;

    Loop(String clientId) {
        this.clientId = clientId;
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "chat-client-" + clientId);
            t.setDaemon(true);
            thread = t;
            return t;
        });
        this.executor.setRemoveOnCancelPolicy(true);
    }

    /** Runs {@code task} on the loop soon; false when the loop has stopped. */
    boolean post(Runnable task) {
        try {
            executor.execute(guarded(task));
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /**
     * Runs {@code task} on the loop and returns what it returns: at once when called from the loop, else
     * after waiting up to {@code timeout}; {@code otherwise} when the loop has stopped or did not answer in time.
     */
    <T> T call(Supplier<T> task, T otherwise, Duration timeout) {
        if (Thread.currentThread() == thread) {
            return task.get();
        }
        try {
            return executor.submit(task::get).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException | TimeoutException e) {
            return otherwise;
        } catch (ExecutionException e) {
            log.error("{}: unexpected failure", clientId, e.getCause());
            return otherwise;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return otherwise;
        }
    }

    ScheduledFuture<?> after(Duration delay, Runnable task) {
        return executor.schedule(guarded(task), delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Runs {@code task} every {@code period}, the first time one period from now. */
    ScheduledFuture<?> every(Duration period, Runnable task) {
        long nanos = period.toNanos();
        return executor.scheduleWithFixedDelay(guarded(task), nanos, nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Runs {@code last} on the loop (at once when called from the loop), waits up to {@code timeout}
     * for it, and stops taking tasks.
     */
    void close(Runnable last, Duration timeout) {
        if (Thread.currentThread() == thread) {
            last.run();
        } else {
            try {
                executor.submit(guarded(last)).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // Already stopped.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                log.warn("{}: close did not finish cleanly: {}", clientId, e.toString());
            }
        }
        shutdown();
    }

    /** Stops taking tasks; the periodic ones stop, one-shot timers already scheduled still run. */
    void shutdown() {
        executor.shutdown();
    }

    static void cancel(ScheduledFuture<?> task) {
        if (task != null) {
            task.cancel(false);
        }
    }

    private Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("{}: unexpected failure", clientId, e);
            }
        };
    }
}
