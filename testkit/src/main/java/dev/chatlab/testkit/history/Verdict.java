package dev.chatlab.testkit.history;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.ToLongFunction;
import java.util.stream.Stream;

/**
 * The {@link Checker}'s verdict on a run: what became of the sends, and for each member of each room what it was
 * handed against what it was owed.
 *
 * @param sends               sends recorded
 * @param acked               of them, acked with a seq
 * @param failed              refused for good (never stored)
 * @param unknown             without an answer (given up on, or still waiting)
 * @param unknownRecovered    of the unknown ones, those some member was handed anyway: they were stored
 * @param messagesStoredTwice messages handed to members under two positions (one {@code clientMsgId}, two seqs): a
 *                            resend the server did not recognise
 * @param receivers           each member's verdict, in the order the members were recorded
 * @param reconnectMillis     how long each reconnect took, on the recorders' clock (the chaos suite's is milliseconds)
 */
public record Verdict(int sends, int acked, int failed, int unknown, int unknownRecovered, long messagesStoredTwice,
                      List<ReceiverVerdict> receivers, List<Long> reconnectMillis) {

    /** How many examples a finding keeps and {@link #describe()} shows. */
    public static final int SHOWN = 20;

    public Verdict {
        receivers = List.copyOf(receivers);
        reconnectMillis = List.copyOf(reconnectMillis);
    }

    /** A kind of wrong: how many, and the first {@value #SHOWN} by name ({@code a2@2}, {@code seq 1 then 3}). */
    public record Findings(long count, List<String> examples) {
        public static final Findings NONE = new Findings(0, List.of());

        public Findings {
            examples = List.copyOf(examples);
        }

        public boolean isEmpty() {
            return count == 0;
        }

        /** Both kinds as one: the counts added, this one's examples first. */
        Findings and(Findings other) {
            return new Findings(count + other.count, Stream.concat(examples.stream(), other.examples.stream())
                    .limit(SHOWN).toList());
        }
    }

    /**
     * What one member saw in one room.
     *
     * @param expected        messages it was owed: acked sends of its room after the seq it joined at (or, for a room
     *                        whose sends are only counted, every one counted since it joined)
     * @param delivered       messages handed to it
     * @param distinct        of them, different positions (epoch, seq)
     * @param lost            owed and never handed to it, nor announced
     * @param announcedLosses owed, never handed to it, but it was told of a recovery after the send
     * @param unexpected      handed to it, and never sent
     * @param rawDuplicates   duplicates its client dropped on the wire (allowed)
     * @param duplicated      a seq handed to it again
     * @param storedTwice     one {@code clientMsgId} handed to it under two seqs
     * @param reordered       a seq handed to it after a later one
     * @param undetectedGaps  a seq jump handed to it with no recovery announced since the message before
     * @param nodeGaps        seq jumps a node sent on the wire, which the client caught and refilled
     * @param diverged        a seq that held another message for another member
     */
    public record ReceiverVerdict(String receiver, String room, long expected, long delivered, long distinct,
                                  Findings lost, Findings announcedLosses, Findings unexpected, long rawDuplicates,
                                  Findings duplicated, Findings storedTwice, Findings reordered,
                                  Findings undetectedGaps, Findings nodeGaps, Findings diverged) {
        public boolean valid() {
            return Stream.of(lost, unexpected, duplicated, storedTwice, reordered, undetectedGaps, nodeGaps, diverged)
                    .allMatch(Findings::isEmpty);
        }
    }

    public boolean valid() {
        return receivers.stream().allMatch(ReceiverVerdict::valid);
    }

    private long sum(ToLongFunction<ReceiverVerdict> of) {
        return receivers.stream().mapToLong(of).sum();
    }

    public long expected() {
        return sum(ReceiverVerdict::expected);
    }

    public long delivered() {
        return sum(ReceiverVerdict::delivered);
    }

    public long lost() {
        return sum(r -> r.lost().count());
    }

    public long announcedLosses() {
        return sum(r -> r.announcedLosses().count());
    }

    public long unexpected() {
        return sum(r -> r.unexpected().count());
    }

    /** Duplicated after the clients' dedupe: a seq handed over twice, or one message handed over under two seqs. */
    public long duplicated() {
        return repeatedSeqs() + sum(r -> r.storedTwice().count());
    }

    /** A seq handed to the same member twice. */
    public long repeatedSeqs() {
        return sum(r -> r.duplicated().count());
    }

    public long rawDuplicates() {
        return sum(ReceiverVerdict::rawDuplicates);
    }

    public long reordered() {
        return sum(r -> r.reordered().count());
    }

    public long undetectedGaps() {
        return sum(r -> r.undetectedGaps().count());
    }

    /** Seq jumps the nodes sent without announcing them; the clients caught and refilled each one. */
    public long nodeGaps() {
        return sum(r -> r.nodeGaps().count());
    }

    public long diverged() {
        return sum(r -> r.diverged().count());
    }

    /** The p-th percentile (0-100) of reconnect times, nearest rank; 0 when nobody reconnected. */
    public long reconnectPercentile(double p) {
        if (reconnectMillis.isEmpty()) {
            return 0;
        }
        List<Long> sorted = new ArrayList<>(reconnectMillis);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }

    /** The verdict in full, the way a failing test should print it. */
    public String describe() {
        StringBuilder s = new StringBuilder();
        s.append(valid() ? "VALID" : "INVALID").append('\n');
        s.append(String.format("sends %d: acked %d, failed %d, unknown %d (%d of them stored and delivered anyway)%n",
                sends, acked, failed, unknown, unknownRecovered));
        s.append(String.format("receivers %d, deliveries %d%n", receivers.size(), delivered()));
        s.append(String.format("lost %d, unexpected %d, duplicated after dedupe %d (raw duplicates dropped by clients %d),"
                        + " reordered %d, undetected gaps %d, gaps nodes left on the wire %d (refilled by clients),"
                        + " losses announced with recovered=false %d, seqs that held another message elsewhere %d%n",
                lost(), unexpected(), duplicated(), rawDuplicates(), reordered(), undetectedGaps(), nodeGaps(),
                announcedLosses(), diverged()));
        s.append(String.format("reconnects %d: p50 %d ms, p99 %d ms, max %d ms%n", reconnectMillis.size(),
                reconnectPercentile(50), reconnectPercentile(99), reconnectPercentile(100)));
        for (ReceiverVerdict r : receivers) {
            if (!r.valid()) {
                s.append(String.format("  %s in %s: expected %d, delivered %d%n", r.receiver(), r.room(), r.expected(),
                        r.delivered()));
                line(s, "lost", r.lost());
                line(s, "unexpected", r.unexpected());
                line(s, "duplicated", r.duplicated().and(r.storedTwice()));
                line(s, "reordered", r.reordered());
                line(s, "undetected gaps", r.undetectedGaps());
                line(s, "gaps the node left", r.nodeGaps());
                line(s, "diverged", r.diverged());
            }
        }
        return s.toString();
    }

    private static void line(StringBuilder s, String what, Findings findings) {
        if (findings.isEmpty()) {
            return;
        }
        s.append("    ").append(what).append(' ').append(findings.count());
        if (!findings.examples().isEmpty()) {
            s.append(": ").append(String.join(", ", findings.examples()))
                    .append(findings.count() > findings.examples().size() ? ", …" : "");
        }
        s.append('\n');
    }
}
