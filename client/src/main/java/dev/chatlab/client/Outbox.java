package dev.chatlab.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The sends still waiting for their ack, in the order they were made, and what the server's
 * {@code ack} and {@code error} frames, a reconnect, the send timeout and closing mean for them.
 *
 * <p>It only decides: it transmits nothing, schedules nothing and reads no clock. It says which
 * sends go out on which connection, when a retry is due and after what delay, and how each send
 * ended; the client transmits, schedules the timers and hands the {@link Ending}s to its listener.
 * Times are {@link System#nanoTime()} readings passed in. Connections are numbered from 1; a send is
 * transmitted once per connection, and again on the next one until it is acked. Not thread-safe.
 */
final class Outbox {
    /** Not a connection: the client is not in its room. */
    static final long NOWHERE = 0;
    /** Sends given up on are remembered this long (in number) so a late ack can still be reported. */
    static final int GIVEN_UP_REMEMBERED = 10_000;

    /** How a send ended: what the listener hears, and how its {@link Sending} completes. */
    sealed interface Ending permits Acked, Failed, Unknown {
        /** The send; null for a late ack. */
        Sending sending();

        default String clientMsgId() {
            return sending().clientMsgId();
        }

        void report(ClientListener listener);

        void complete();
    }

    /** The server stored it as {@code seq}; {@code sending} is null for a late ack of a send given up on. */
    record Acked(String clientMsgId, long seq, Sending sending) implements Ending {
        boolean late() {
            return sending == null;
        }

        @Override
        public void report(ClientListener listener) {
            listener.acked(clientMsgId, seq);
        }

        @Override
        public void complete() {
            if (sending != null) {
                sending.complete(seq);
            }
        }
    }

    /** It was not stored: {@code code} and {@code message} go to the exception, {@code reason} to the listener. */
    record Failed(Sending sending, String code, String message, String reason) implements Ending {
        @Override
        public void report(ClientListener listener) {
            listener.sendFailed(clientMsgId(), reason);
        }

        @Override
        public void complete() {
            sending.completeExceptionally(new SendFailedException(clientMsgId(), code, message));
        }
    }

    /** The client stopped waiting after it went out: it may have been stored. */
    record Unknown(Sending sending, String reason) implements Ending {
        @Override
        public void report(ClientListener listener) {
            listener.sendUnknown(clientMsgId(), reason);
        }

        @Override
        public void complete() {
            sending.completeExceptionally(new SendUnknownException(clientMsgId(), reason));
        }
    }

    /** What an {@code error} frame about a send asks for. */
    enum Refusal {
        /** The send is no longer waiting (acked, failed or given up on already): nothing. */
        NOT_WAITING,
        /** The server is briefly unable (unavailable, rate limited): send it again after the retry delay. */
        RETRY,
        /** The server does not count the client as in the room: rejoin, and the send goes out after the joined. */
        REJOIN,
        /** Refused for good: the send failed. */
        FAILED
    }

    /**
     * The decision on an {@code error} about a send.
     *
     * @param retryIn with {@link Refusal#RETRY}, the delay of the retry to schedule; null when one is scheduled already
     * @param failed  with {@link Refusal#FAILED}, how the send ended
     */
    record Refused(Refusal refusal, Duration retryIn, Failed failed) {
    }

    /** A send waiting for its ack. */
    private static final class Pending {
        final Sending sending;
        final long deadline;
        /** The connection it was last sent on; {@link #NOWHERE} when it must go out again. */
        long sentOn = NOWHERE;
        int transmissions;

        Pending(Sending sending, long deadline) {
            this.sending = sending;
            this.deadline = deadline;
        }
    }

    private final Duration sendTimeout;
    private final Backoff retryBackoff;
    private final LinkedHashMap<String, Pending> unacked = new LinkedHashMap<>();
    private final Map<String, Boolean> givenUp = new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > GIVEN_UP_REMEMBERED;
        }
    };
    /** A retry is scheduled: newer sends wait behind it so they go out in order. */
    private boolean retryScheduled;

    /**
     * @param sendTimeout  how long a send may wait for its ack before it becomes unknown; zero waits for ever
     * @param retryBackoff the delays between retries of sends the server was briefly unable to take
     */
    Outbox(Duration sendTimeout, Backoff retryBackoff) {
        this.sendTimeout = sendTimeout;
        this.retryBackoff = retryBackoff;
    }

    /** Sends not yet acked, failed or given up on. */
    int size() {
        return unacked.size();
    }

    /**
     * Keeps {@code sending} until it ends, and returns what to transmit on {@code inRoomOn} (the
     * client's connection when it is in its room, else {@link #NOWHERE}) at {@code now}: the send
     * itself, unless the client is not in its room or a retry is scheduled, which it then waits behind.
     */
    List<Sending> add(Sending sending, long now, long inRoomOn) {
        Pending p = new Pending(sending, now + sendTimeout.toNanos());
        unacked.put(sending.clientMsgId(), p);
        if (inRoomOn == NOWHERE || retryScheduled) {
            return List.of();
        }
        return List.of(sent(p, inRoomOn));
    }

    /**
     * What to transmit on {@code connection}, which the client has just joined on or may send on again:
     * every send not yet sent on it, in the order they were made. A scheduled retry is no longer needed.
     */
    List<Sending> due(long connection) {
        retryScheduled = false;
        List<Sending> due = new ArrayList<>();
        for (Pending p : unacked.values()) {
            if (p.sentOn != connection) {
                due.add(sent(p, connection));
            }
        }
        return due;
    }

    /** The scheduled retry is here: what to transmit on {@code inRoomOn}, nothing when it is {@link #NOWHERE}. */
    List<Sending> retry(long inRoomOn) {
        retryScheduled = false;
        return inRoomOn == NOWHERE ? List.of() : due(inRoomOn);
    }

    private static Sending sent(Pending p, long connection) {
        p.sentOn = connection;
        p.transmissions++;
        return p.sending;
    }

    /** An {@code ack}: how the send it names ended, or empty when no send is waiting for it (a second ack, say). */
    Optional<Acked> ack(String clientMsgId, long seq) {
        if (clientMsgId == null) {
            return Optional.empty();
        }
        Pending p = unacked.remove(clientMsgId);
        if (p != null) {
            retryBackoff.reset();
            return Optional.of(new Acked(clientMsgId, seq, p.sending));
        }
        if (givenUp.remove(clientMsgId) != null) {
            return Optional.of(new Acked(clientMsgId, seq, null));
        }
        // Otherwise a second ack for a message acked already (it was resent before the first ack arrived).
        return Optional.empty();
    }

    /** An {@code error} with the {@code clientMsgId} of one of the client's sends. */
    Refused error(String clientMsgId, String code, String message) {
        Pending p = unacked.get(clientMsgId);
        if (p == null) {
            return new Refused(Refusal.NOT_WAITING, null, null);
        }
        switch (code) {
            case "unavailable", "rate_limited" -> {
                p.sentOn = NOWHERE;
                if (retryScheduled) {
                    return new Refused(Refusal.RETRY, null, null);
                }
                retryScheduled = true;
                return new Refused(Refusal.RETRY, retryBackoff.next(), null);
            }
            case "not_joined" -> {
                p.sentOn = NOWHERE;
                return new Refused(Refusal.REJOIN, null, null);
            }
            default -> {
                unacked.remove(clientMsgId);
                return new Refused(Refusal.FAILED, null, new Failed(p.sending, code, message, code + ": " + message));
            }
        }
    }

    /** When the oldest send waiting runs out of time; empty without a send timeout or with nothing waiting. */
    OptionalLong nextDeadline() {
        if (sendTimeout.isZero() || unacked.isEmpty()) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(unacked.values().iterator().next().deadline);
    }

    /**
     * Gives up on every send whose time ran out by {@code now}: each becomes unknown, and a late ack
     * for it is still reported. Deadlines follow the order of the sends, as {@code now} never goes back.
     */
    List<Unknown> expire(long now) {
        List<Unknown> expired = new ArrayList<>();
        if (sendTimeout.isZero()) {
            return expired;
        }
        String reason = "no ack within " + sendTimeout.toMillis() + " ms";
        for (Iterator<Pending> it = unacked.values().iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (now - p.deadline < 0) {
                break;
            }
            it.remove();
            givenUp.put(p.sending.clientMsgId(), Boolean.TRUE);
            expired.add(new Unknown(p.sending, reason));
        }
        return expired;
    }

    /** The client is closing: every send still waiting fails if it never went out, and is unknown otherwise. */
    List<Ending> close(String reason) {
        List<Ending> ended = new ArrayList<>();
        for (Pending p : unacked.values()) {
            if (p.transmissions == 0) {
                ended.add(new Failed(p.sending, "closed", "the client closed before sending it", "closed: never sent"));
            } else {
                ended.add(new Unknown(p.sending, reason));
            }
        }
        unacked.clear();
        return ended;
    }
}
