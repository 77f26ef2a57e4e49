package dev.chatlab.client;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Outbox} wired to the connection and the timers, on a {@link ResilientClient}'s thread: a send goes out on
 * the connection the client is in its room on, goes out again after a refusal that asks for it, times out, and ends by
 * telling the listener and completing its {@link Sending}.
 */
final class Sends {
    private static final Logger log = LoggerFactory.getLogger(ResilientClient.class);

    private final String clientId;
    private final Outbox outbox;
    private final Loop loop;
    private final Emitter emitter;
    /** The client's current connection, or null. */
    private final Supplier<Connection> current;
    private ScheduledFuture<?> retryTask;
    private ScheduledFuture<?> timeoutTask;
    /** Published for {@link ResilientClient#unacked()}. */
    private volatile int unacked;

    Sends(ClientSettings settings, Loop loop, Emitter emitter, Supplier<Connection> current) {
        this.clientId = settings.clientId();
        this.outbox = new Outbox(settings.sendTimeout(), settings.backoff());
        this.loop = loop;
        this.emitter = emitter;
        this.current = current;
    }

    /** Sends not yet acked, failed or given up on. */
    int unacked() {
        return unacked;
    }

    /** Keeps {@code sending} until it is acked, and sends it now if the client is in its room. */
    void add(Sending sending) {
        Connection c = current.get();
        transmit(c, outbox.add(sending, System.nanoTime(), inRoomOn(c)));
        unacked = outbox.size();
        watchTimeouts();
    }

    /** Sends, in original order, every unacked message not yet sent on {@code c}, the connection the client just joined on. */
    void due(Connection c) {
        Loop.cancel(retryTask);
        retryTask = null;
        transmit(c, outbox.due(c.number));
    }

    /** An {@code ack}: the send it names is stored with {@code seq}. */
    void ack(String id, long seq) {
        outbox.ack(id, seq).ifPresent(acked -> {
            if (acked.late()) {
                log.debug("{}: late ack for {} (seq {}) after it was given up on", clientId, id, seq);
            }
            end(acked);
        });
    }

    /**
     * An {@code error} for the send {@code id}: it goes out again after the backoff, or fails. True when the server
     * wants the client to join again first; the send goes out again once the join is answered.
     */
    boolean refused(String id, String code, String message) {
        Outbox.Refused refused = outbox.error(id, code, message);
        switch (refused.refusal()) {
            case NOT_WAITING -> log.debug("{}: error {} for {}, which is no longer waiting", clientId, code, id);
            case RETRY -> {
                if (refused.retryIn() != null) {
                    scheduleRetry(refused.retryIn());
                }
            }
            case REJOIN -> {
                return true;
            }
            case FAILED -> end(refused.failed());
        }
        return false;
    }

    /** Stops the timers and ends every send still waiting: failed if it never went out, unknown otherwise. */
    void close(String reason) {
        Loop.cancel(retryTask);
        Loop.cancel(timeoutTask);
        outbox.close(reason).forEach(this::end);
    }

    private void scheduleRetry(Duration delay) {
        retryTask = loop.after(delay, () -> {
            retryTask = null;
            Connection c = current.get();
            transmit(c, outbox.retry(inRoomOn(c)));
        });
    }

    /** Keeps a timer on the deadline of the oldest send waiting, while there is one. */
    private void watchTimeouts() {
        if (timeoutTask != null) {
            return;
        }
        outbox.nextDeadline().ifPresent(deadline -> timeoutTask = loop.after(
                Duration.ofNanos(Math.max(0, deadline - System.nanoTime())), () -> {
                    timeoutTask = null;
                    outbox.expire(System.nanoTime()).forEach(this::end);
                    watchTimeouts();
                }));
    }

    /** The number of the connection the client is in its room on, or {@link Outbox#NOWHERE}. */
    private static long inRoomOn(Connection c) {
        return c != null && c.inRoom() ? c.number : Outbox.NOWHERE;
    }

    private static void transmit(Connection c, List<Sending> sends) {
        for (Sending s : sends) {
            c.transmit(Protocol.message(s.text(), s.clientMsgId()));
        }
    }

    /** Tells the listener how a send ended, then completes its {@link Sending}. */
    private void end(Outbox.Ending ending) {
        unacked = outbox.size();
        emitter.emit(ending::report);
        ending.complete();
    }
}
