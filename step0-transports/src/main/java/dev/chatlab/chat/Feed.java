package dev.chatlab.chat;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connected client's view of the room (an event stream or a WebSocket): every message after its
 * cursor, once each, in seq order, handed to the client's sink on a fan-out thread.
 */
final class Feed {
    private static final Logger log = LoggerFactory.getLogger(Feed.class);

    private final Room room;
    private final Consumer<Message> sink;
    private final Executor executor;
    private final Runnable listener = this::signal;
    private final AtomicInteger signals = new AtomicInteger();
    private volatile boolean closed;
    // Read and written only by drain(), which the signal counter never lets run twice at once.
    private long cursor;

    Feed(Room room, long after, Consumer<Message> sink, Executor executor) {
        this.room = room;
        this.sink = sink;
        this.executor = executor;
        this.cursor = after;
    }

    /** Starts delivering: first what came after the cursor, then each new message. */
    void start() {
        // Listen before the first drain: a message posted in between is then found by the drain or signalled after it.
        room.listen(listener);
        signal();
    }

    void close() {
        closed = true;
        room.unlisten(listener);
    }

    boolean isClosed() {
        return closed;
    }

    private void signal() {
        if (signals.getAndIncrement() == 0) {
            try {
                executor.execute(this::drain);
            } catch (RejectedExecutionException stopping) {
                close();
            }
        }
    }

    private void drain() {
        int seen;
        do {
            seen = signals.get();
            for (Message message : room.after(cursor)) {
                if (closed) {
                    return;
                }
                try {
                    sink.accept(message);
                } catch (RuntimeException failed) {
                    log.warn("delivery of seq {} failed; this client's feed stops: {}", message.seq(), failed.toString());
                    close();
                    return;
                }
                cursor = message.seq();
            }
            // Signals that came in while sending are not lost: the loop runs again until none are left.
        } while (signals.addAndGet(-seen) != 0);
    }
}
