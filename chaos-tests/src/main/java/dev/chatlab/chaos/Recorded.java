package dev.chatlab.chaos;

import java.util.List;

/**
 * What a chaos run recorded, as plain data for the {@link DeliveryChecker}: every send with its fate,
 * every message each receiver was handed, and every reconnect. Times are milliseconds on one clock.
 */
public final class Recorded {
    private Recorded() {
    }

    /** How a send ended, as far as its client could tell. */
    public enum Outcome {
        /** The server acknowledged it with a seq: it is stored. */
        ACKED,
        /** The server refused it for good (a validation error): it is not stored. */
        FAILED,
        /** No answer before the run ended: it may or may not be stored. */
        UNKNOWN
    }

    /** One send: who sent what to which room, and its fate. {@code seq} is set when acked. */
    public record Send(String sender, String room, String clientMsgId, long invokedAt, Outcome outcome, Long seq) {
    }

    /**
     * One delivery to a receiver, in the order its client handed them to the application; {@code raw}
     * marks frames as they came off the wire (before the client dropped duplicates), false for what
     * the application saw.
     */
    public record Receive(String receiver, String room, long seq, String epoch, String clientMsgId, long at, boolean raw) {
    }

    /** A receiver's membership: the room, and the last seq it had seen when it first joined (it expects everything after). */
    public record Member(String receiver, String room, long joinedAtSeq) {
    }

    /** A receiver was told the history it resumed is incomplete ({@code recovered: false}) at this time. */
    public record Recovery(String receiver, String room, long at) {
    }

    /** A client lost its connection at {@code disconnectedAt} and was back in its room at {@code resumedAt}. */
    public record Reconnect(String client, long disconnectedAt, long resumedAt) {
        public long millis() {
            return resumedAt - disconnectedAt;
        }
    }

    /** A whole run. */
    public record History(List<Send> sends, List<Member> members, List<Receive> receives, List<Recovery> recoveries,
                          List<Reconnect> reconnects) {
        public static History empty() {
            return new History(List.of(), List.of(), List.of(), List.of(), List.of());
        }
    }
}
