package dev.chatlab.client;

import java.net.URI;
import java.time.Duration;
import java.util.Set;

/**
 * What a {@link ResilientClient} tells its application. Every callback runs on the client's own
 * thread, one at a time and in the order things happened; a callback that blocks holds up the
 * client (delivery, heartbeats, reconnects), so hand slow work to another thread. Every method has
 * an empty default: implement the ones you need.
 */
public interface ClientListener {

    /** A connection attempt to {@code uri} starts after {@code delay}; {@code attempt} counts from 0 since the last join. */
    default void connecting(URI uri, int attempt, Duration delay) {
    }

    /** The server answered the (re)join: the client is in its room on {@code node}, resumed where it left off. */
    default void connected(String node) {
    }

    /** The next message of the room, in seq order, each seq once. */
    default void message(ChatMessage message) {
    }

    /** The server stored the message sent as {@code clientMsgId}, as {@code seq}; also for a late ack after {@link #sendUnknown}. */
    default void acked(String clientMsgId, long seq) {
    }

    /** The server refused the message for good (or it never left a closing client): it was not stored. */
    default void sendFailed(String clientMsgId, String reason) {
    }

    /** The client stopped waiting for the message's ack (send timeout, close): it may or may not have been stored. */
    default void sendUnknown(String clientMsgId, String reason) {
    }

    /**
     * The server could not resume the room without a hole: {@code recovered} is false when messages
     * after the last one delivered are gone, and the epochs differ when the whole history was replaced
     * (the room's seqs start again; the client accepts them).
     */
    default void recovery(boolean recovered, String oldEpoch, String newEpoch) {
    }

    /** The server skipped from {@code expected} to {@code got} without saying so; the client rejoins to fill it. */
    default void gapDetected(long expected, long got) {
    }

    /**
     * A connection ended: closed by the server ({@code remote}), dropped by the client as dead, or an
     * attempt that never connected (code -1). The client reconnects unless the code was 1008.
     */
    default void disconnected(int code, String reason, boolean remote) {
    }

    /**
     * The room's members changed: {@code members} is the whole new view, sorted and immutable (the
     * client's own name included). It comes from a {@code joined} that lists the members and from the
     * server's {@code presence} events ({@code join}, {@code leave}, {@code sync}); only a change is reported.
     */
    default void members(Set<String> members) {
    }

    /**
     * A typing signal arrived from {@code name}: that member is typing now. The signal counts for 3 s, or until
     * a message from {@code name} arrives; {@link ResilientClient#typingNow()} keeps that account.
     */
    default void typing(String name) {
    }

    /** An {@code error} frame not tied to one of this client's sends. */
    default void error(String code, String message) {
    }

    /** The client gave up for good (close code 1008, an invalid room); it is closed. */
    default void fatal(String reason) {
    }
}
