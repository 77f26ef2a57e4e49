package dev.chatlab.chaos;

import java.util.List;

/**
 * What a chaos run recorded, as plain data for the {@link DeliveryChecker}: every send with its fate,
 * every message each receiver was handed, every reconnect, and every seq jump a client caught on the wire.
 * Times are milliseconds on one clock.
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

    /** One message handed to a receiver's application, in the order its client handed them over. */
    public record Receive(String receiver, String room, long seq, String epoch, String clientMsgId, long at) {
    }

    /**
     * A receiver's membership: the room, the last seq it had seen when it first joined (it expects everything
     * after), and how many messages its client dropped as duplicates on the wire over the run (normal after a
     * resume, and never handed to the application).
     */
    public record Member(String receiver, String room, long joinedAtSeq, long rawDuplicates) {
        public Member(String receiver, String room, long joinedAtSeq) {
            this(receiver, room, joinedAtSeq, 0);
        }
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

    /**
     * The server sent a receiver seq {@code got} when the next one was {@code expected}, without saying that
     * anything was missing: the client did not deliver past it and joined again to fill it. The application saw
     * no hole, but the node broke its promise to deliver every seq in order.
     */
    public record Gap(String receiver, String room, long expected, long got, long at) {
    }

    /** A whole run. */
    public record History(List<Send> sends, List<Member> members, List<Receive> receives, List<Recovery> recoveries,
                          List<Reconnect> reconnects, List<Gap> gaps) {
        public History(List<Send> sends, List<Member> members, List<Receive> receives, List<Recovery> recoveries,
                       List<Reconnect> reconnects) {
            this(sends, members, receives, recoveries, reconnects, List.of());
        }

        public static History empty() {
            return new History(List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
        }
    }
}
