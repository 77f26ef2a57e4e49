package dev.chatlab.chaos;

import dev.chatlab.chaos.Recorded.Gap;
import dev.chatlab.chaos.Recorded.History;
import dev.chatlab.chaos.Recorded.Member;
import dev.chatlab.chaos.Recorded.Outcome;
import dev.chatlab.chaos.Recorded.Receive;
import dev.chatlab.chaos.Recorded.Recovery;
import dev.chatlab.chaos.Recorded.Send;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Judges a recorded run against the delivery contract: for each member of each room, every acked
 * message arrives (not lost), nothing arrives that nobody sent (not unexpected), once (not duplicated
 * after the client's dedupe), in seq order (not reordered), with no gap it was not told about, neither
 * in what the application was handed (undetected) nor on the wire (a gap a node left, which the client
 * caught and refilled). A pure function of the history: it knows nothing of servers, faults or time.
 */
public final class DeliveryChecker {
    private static final int SHOWN = 20;

    private DeliveryChecker() {
    }

    /** What one receiver saw in one room. */
    public record ReceiverVerdict(String receiver, String room, int expected, int delivered, List<String> lost,
                                  List<String> announcedLosses, List<String> unexpected, long rawDuplicates,
                                  List<String> duplicated, List<String> reordered, List<String> undetectedGaps,
                                  List<String> nodeGaps) {
        public boolean valid() {
            return lost.isEmpty() && unexpected.isEmpty() && duplicated.isEmpty() && reordered.isEmpty()
                    && undetectedGaps.isEmpty() && nodeGaps.isEmpty();
        }
    }

    /** The whole run's verdict. */
    public record Verdict(int sends, int acked, int failed, int unknown, int unknownRecovered,
                          List<ReceiverVerdict> receivers, List<Long> reconnectMillis) {

        public boolean valid() {
            return receivers.stream().allMatch(ReceiverVerdict::valid);
        }

        public int lost() {
            return receivers.stream().mapToInt(r -> r.lost().size()).sum();
        }

        public int announcedLosses() {
            return receivers.stream().mapToInt(r -> r.announcedLosses().size()).sum();
        }

        public int unexpected() {
            return receivers.stream().mapToInt(r -> r.unexpected().size()).sum();
        }

        public int duplicated() {
            return receivers.stream().mapToInt(r -> r.duplicated().size()).sum();
        }

        public long rawDuplicates() {
            return receivers.stream().mapToLong(ReceiverVerdict::rawDuplicates).sum();
        }

        public int reordered() {
            return receivers.stream().mapToInt(r -> r.reordered().size()).sum();
        }

        public int undetectedGaps() {
            return receivers.stream().mapToInt(r -> r.undetectedGaps().size()).sum();
        }

        /** Seq jumps the nodes sent without announcing them; the clients caught and refilled each one. */
        public int nodeGaps() {
            return receivers.stream().mapToInt(r -> r.nodeGaps().size()).sum();
        }

        public int delivered() {
            return receivers.stream().mapToInt(ReceiverVerdict::delivered).sum();
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
                            + " losses announced with recovered=false %d%n",
                    lost(), unexpected(), duplicated(), rawDuplicates(), reordered(), undetectedGaps(), nodeGaps(),
                    announcedLosses()));
            s.append(String.format("reconnects %d: p50 %d ms, p99 %d ms, max %d ms%n", reconnectMillis.size(),
                    reconnectPercentile(50), reconnectPercentile(99), reconnectPercentile(100)));
            for (ReceiverVerdict r : receivers) {
                if (!r.valid()) {
                    s.append(String.format("  %s in %s: expected %d, delivered %d%n", r.receiver(), r.room(), r.expected(),
                            r.delivered()));
                    line(s, "lost", r.lost());
                    line(s, "unexpected", r.unexpected());
                    line(s, "duplicated", r.duplicated());
                    line(s, "reordered", r.reordered());
                    line(s, "undetected gaps", r.undetectedGaps());
                    line(s, "gaps the node left", r.nodeGaps());
                }
            }
            return s.toString();
        }

        private static void line(StringBuilder s, String what, List<String> items) {
            if (!items.isEmpty()) {
                s.append("    ").append(what).append(' ').append(items.size()).append(": ")
                        .append(items.stream().limit(SHOWN).collect(Collectors.joining(", ")))
                        .append(items.size() > SHOWN ? ", …" : "").append('\n');
            }
        }
    }

    public static Verdict check(History history) {
        Set<String> invoked = history.sends().stream().map(Send::clientMsgId).collect(Collectors.toSet());
        Set<String> deliveredAnywhere = history.receives().stream().map(Receive::clientMsgId)
                .filter(id -> id != null).collect(Collectors.toSet());
        int acked = 0;
        int failed = 0;
        int unknown = 0;
        int unknownRecovered = 0;
        for (Send send : history.sends()) {
            switch (send.outcome()) {
                case ACKED -> acked++;
                case FAILED -> failed++;
                case UNKNOWN -> {
                    unknown++;
                    if (deliveredAnywhere.contains(send.clientMsgId())) {
                        unknownRecovered++;
                    }
                }
            }
        }
        Map<String, Map<Long, String>> ackedBySeq = new HashMap<>();
        for (Send send : history.sends()) {
            if (send.outcome() == Outcome.ACKED && send.seq() != null) {
                ackedBySeq.computeIfAbsent(send.room(), r -> new HashMap<>()).put(send.seq(), send.clientMsgId());
            }
        }
        List<ReceiverVerdict> verdicts = new ArrayList<>();
        for (Member member : history.members()) {
            verdicts.add(judge(member, history, invoked, ackedBySeq.getOrDefault(member.room(), Map.of())));
        }
        List<Long> reconnects = history.reconnects().stream().map(Recorded.Reconnect::millis).toList();
        return new Verdict(history.sends().size(), acked, failed, unknown, unknownRecovered, verdicts, reconnects);
    }

    private static ReceiverVerdict judge(Member member, History history, Set<String> invoked, Map<Long, String> ackedBySeq) {
        List<Receive> seen = new ArrayList<>();
        for (Receive r : history.receives()) {
            if (r.receiver().equals(member.receiver()) && r.room().equals(member.room())) {
                seen.add(r);
            }
        }
        List<String> nodeGaps = new ArrayList<>();
        for (Gap gap : history.gaps()) {
            if (gap.receiver().equals(member.receiver()) && gap.room().equals(member.room())) {
                nodeGaps.add(describe(gap, ackedBySeq));
            }
        }
        List<Long> recoveryTimes = history.recoveries().stream()
                .filter(x -> x.receiver().equals(member.receiver()) && x.room().equals(member.room()))
                .map(Recovery::at).sorted().toList();

        Map<String, Receive> byClientMsgId = new HashMap<>();
        List<String> duplicated = new ArrayList<>();
        List<String> reordered = new ArrayList<>();
        List<String> gaps = new ArrayList<>();
        List<String> unexpected = new ArrayList<>();
        Set<String> distinctSeqs = new HashSet<>();
        Receive previous = null;
        for (Receive r : seen) {
            if (!distinctSeqs.add(r.epoch() + "/" + r.seq())) {
                duplicated.add("seq " + r.seq());
            }
            if (r.clientMsgId() != null) {
                Receive first = byClientMsgId.putIfAbsent(r.clientMsgId(), r);
                if (first != null && first.seq() != r.seq()) {
                    // One send stored twice: the retry was not recognised, and the application sees it twice.
                    duplicated.add(r.clientMsgId() + " as seq " + first.seq() + " and " + r.seq());
                }
                if (!invoked.contains(r.clientMsgId())) {
                    unexpected.add(r.clientMsgId() + "@" + r.seq());
                }
            }
            if (previous != null && previous.epoch().equals(r.epoch())) {
                if (r.seq() <= previous.seq() && !duplicated.contains("seq " + r.seq())) {
                    reordered.add("seq " + r.seq() + " after " + previous.seq());
                } else if (r.seq() > previous.seq() + 1 && !announcedBetween(recoveryTimes, previous.at(), r.at())) {
                    gaps.add("seq " + previous.seq() + " then " + r.seq());
                }
            }
            previous = r;
        }

        List<String> lost = new ArrayList<>();
        List<String> announced = new ArrayList<>();
        int expected = 0;
        List<Send> bySeq = history.sends().stream()
                .filter(send -> send.room().equals(member.room()) && send.outcome() == Outcome.ACKED && send.seq() != null
                        && send.seq() > member.joinedAtSeq())
                .sorted(Comparator.comparingLong(Send::seq))
                .toList();
        for (Send send : bySeq) {
            expected++;
            if (!byClientMsgId.containsKey(send.clientMsgId())) {
                String id = send.clientMsgId() + "@" + send.seq();
                if (recoveryTimes.stream().anyMatch(t -> t >= send.invokedAt())) {
                    announced.add(id);
                } else {
                    lost.add(id);
                }
            }
        }
        return new ReceiverVerdict(member.receiver(), member.room(), expected, seen.size(), lost, announced, unexpected,
                member.rawDuplicates(), duplicated, reordered, gaps, nodeGaps);
    }

    /** {@code seq 40 then 45 (missing a1@41, a2@42, …)}: the messages the node skipped, by name where they were acked. */
    private static String describe(Gap gap, Map<Long, String> ackedBySeq) {
        List<String> missing = new ArrayList<>();
        for (long seq = gap.expected(); seq < gap.got() && missing.size() < 4; seq++) {
            String id = ackedBySeq.get(seq);
            missing.add(id == null ? "seq " + seq : id + "@" + seq);
        }
        long count = gap.got() - gap.expected();
        return "seq " + (gap.expected() - 1) + " then " + gap.got() + " (missing " + String.join(", ", missing)
                + (count > missing.size() ? ", … " + count + " in all" : "") + ")";
    }

    private static boolean announcedBetween(List<Long> recoveries, long from, long to) {
        return recoveries.stream().anyMatch(t -> t >= from && t <= to);
    }
}
