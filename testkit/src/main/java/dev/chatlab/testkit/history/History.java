package dev.chatlab.testkit.history;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * What a run recorded, as plain data for the {@link Checker}: every send with its fate, every member and the seq it
 * joined at, every message each member was handed (in the order it was handed them), every recovery it was told of,
 * every seq jump its client caught on the wire, and every reconnect. Times are on one clock, the recorders'.
 */
public record History(List<Send> sends, List<Member> members, List<Receive> receives, List<Recovery> recoveries,
                      List<Reconnect> reconnects, List<Gap> gaps) {

    public History {
        sends = List.copyOf(sends);
        members = List.copyOf(members);
        receives = List.copyOf(receives);
        recoveries = List.copyOf(recoveries);
        reconnects = List.copyOf(reconnects);
        gaps = List.copyOf(gaps);
    }

    public History(List<Send> sends, List<Member> members, List<Receive> receives, List<Recovery> recoveries,
                   List<Reconnect> reconnects) {
        this(sends, members, receives, recoveries, reconnects, List.of());
    }

    public static History empty() {
        return new History(List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
    }

    /** The whole run: what each recorder recorded, one after the other. */
    public static History of(Collection<? extends Recorder<?>> recorders) {
        List<Send> sends = new ArrayList<>();
        List<Member> members = new ArrayList<>();
        List<Receive> receives = new ArrayList<>();
        List<Recovery> recoveries = new ArrayList<>();
        List<Reconnect> reconnects = new ArrayList<>();
        List<Gap> gaps = new ArrayList<>();
        for (Recorder<?> recorder : recorders) {
            History part = recorder.history();
            sends.addAll(part.sends);
            members.addAll(part.members);
            receives.addAll(part.receives);
            recoveries.addAll(part.recoveries);
            reconnects.addAll(part.reconnects);
            gaps.addAll(part.gaps);
        }
        return new History(sends, members, receives, recoveries, reconnects, gaps);
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
     * A member of a room: the last seq it had seen when it first joined (it expects everything after), and how many
     * messages its client dropped as duplicates on the wire over the run (normal after a resume, and never handed to
     * the application).
     */
    public record Member(String receiver, String room, long joinedAtSeq, long rawDuplicates) {
        public Member(String receiver, String room, long joinedAtSeq) {
            this(receiver, room, joinedAtSeq, 0);
        }
    }

    /**
     * One message handed to a member's application. {@code epoch} names the history the seq counts in (null from a
     * server without epochs); with a server without seqs it names whatever numbers the messages (step 2's fan-out:
     * the sender, whose send numbers are the seqs).
     */
    public record Receive(String receiver, String room, long seq, String epoch, String clientMsgId, long at) {
    }

    /** A member was told the history it resumed is incomplete ({@code recovered: false}, or another epoch). */
    public record Recovery(String receiver, String room, long at) {
    }

    /** A client lost its connection at {@code disconnectedAt} and was back in its room at {@code resumedAt}. */
    public record Reconnect(String client, long disconnectedAt, long resumedAt) {
        /** How long it was away, on the recorders' clock. */
        public long took() {
            return resumedAt - disconnectedAt;
        }
    }

    /**
     * The server sent a member seq {@code got} when the next one was {@code expected}, without saying that anything was
     * missing: the client did not deliver past it and joined again to fill it. The application saw no hole, but the
     * node broke its promise to deliver every seq in order.
     */
    public record Gap(String receiver, String room, long expected, long got, long at) {
    }
}
