package dev.chatlab.testkit.history;

import dev.chatlab.testkit.history.History.Gap;
import dev.chatlab.testkit.history.History.Member;
import dev.chatlab.testkit.history.History.Outcome;
import dev.chatlab.testkit.history.History.Receive;
import dev.chatlab.testkit.history.History.Reconnect;
import dev.chatlab.testkit.history.History.Recovery;
import dev.chatlab.testkit.history.History.Send;
import dev.chatlab.testkit.history.Verdict.Findings;
import dev.chatlab.testkit.history.Verdict.ReceiverVerdict;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Judges a run against the delivery contract: every member of every room is handed every message owed to it (not
 * lost), nothing nobody sent (not unexpected), once (not duplicated, nor one send under two seqs), in seq order (not
 * reordered), with no seq jump it was not told about (no undetected gap), and no node skipped a seq on the wire (a
 * node gap, which the client caught and refilled). It knows nothing of servers, faults or time beyond the order of
 * the events it is fed.
 *
 * <p>It is fed as the events happen ({@link #receiver} for each member of each room, {@link #invoked} and the fates
 * for each send, or {@link #owe} for sends that are only counted) and gives its {@link #verdict()} at any moment; or
 * {@link #check(History)} feeds the same state from a whole history, one member after the other, and asks the same
 * verdict. A member's state does not grow with what it is handed: per epoch the seq it started after, the highest seq
 * and the seqs it skipped and still lacks (none while nothing is missing), counters, and the first few findings by
 * name. A room keeps where each message with a {@code clientMsgId} was handed over (once per message, not per
 * delivery), or, when its sends are only counted, a counter.
 */
public final class Checker {
    private final Map<String, Room> rooms = new ConcurrentHashMap<>();
    private final List<Receiver> receivers = new CopyOnWriteArrayList<>();
    private final Map<String, SendState> sends = new ConcurrentHashMap<>();
    private final AtomicLong invocations = new AtomicLong();
    private final Queue<Reconnect> reconnects = new ConcurrentLinkedQueue<>();

    /** A message's place: the history its seq counts in, and the seq. */
    private record Position(String epoch, long seq) {
    }

    /** What is known of one send: its invocation (order null until it is recorded) and its fate (null while waiting). */
    private record SendState(String sender, String room, long invokedAt, Long order, Outcome fate, Long seq) {
        static final SendState NOTHING = new SendState(null, null, 0, null, null, null);

        SendState invoked(String bySender, String inRoom, long at, long n) {
            return new SendState(bySender, inRoom, at, n, fate, seq);
        }

        /** An ack is final: a late one overrides a send given up on, and nothing overrides it. */
        SendState settled(Outcome outcome, Long ackedSeq) {
            return fate == Outcome.ACKED ? this : new SendState(sender, room, invokedAt, order, outcome, ackedSeq);
        }

        Send send(String clientMsgId) {
            Outcome outcome = fate == null ? Outcome.UNKNOWN : fate;
            return new Send(sender, room, clientMsgId, invokedAt, outcome, outcome == Outcome.ACKED ? seq : null);
        }
    }

    /** A room: where each message with a clientMsgId was handed over, and how many sends are owed by count. */
    private static final class Room {
        final AtomicLong owed = new AtomicLong();
        final Map<Position, String> messageAt = new ConcurrentHashMap<>();
        final Map<String, List<Position>> positions = new ConcurrentHashMap<>();

        /** {@code id} was handed over at {@code p}: every place it has been handed over at, {@code p} among them. */
        List<Position> seen(String id, Position p) {
            return positions.compute(id, (k, known) -> known == null ? List.of(p)
                    : known.contains(p) ? known : append(known, p));
        }

        private static List<Position> append(List<Position> list, Position p) {
            List<Position> longer = new ArrayList<>(list);
            longer.add(p);
            return List.copyOf(longer);
        }
    }


    /** The seqs of one epoch a member has had: those after {@code base} up to {@code highest}, but for the holes. */
    private static final class Segment {
        final String epoch;
        final long base;
        long highest;
        /** Seqs skipped and not had since, first to last (inclusive); null while there are none. */
        TreeMap<Long, Long> holes;

        Segment(String epoch, long base) {
            this.epoch = epoch;
            this.base = base;
            this.highest = base;
        }

        void skip(long first, long last) {
            if (holes == null) {
                holes = new TreeMap<>();
            }
            holes.put(first, last);
        }

        /** Takes {@code seq} out of its hole; false when it was in none. */
        boolean fill(long seq) {
            Map.Entry<Long, Long> hole = holes == null ? null : holes.floorEntry(seq);
            if (hole == null || hole.getValue() < seq) {
                return false;
            }
            holes.remove(hole.getKey());
            if (hole.getKey() < seq) {
                holes.put(hole.getKey(), seq - 1);
            }
            if (seq < hole.getValue()) {
                holes.put(seq + 1, hole.getValue());
            }
            return true;
        }

        boolean has(long seq) {
            if (seq <= base || seq > highest) {
                return false;
            }
            Map.Entry<Long, Long> hole = holes == null ? null : holes.floorEntry(seq);
            return hole == null || hole.getValue() < seq;
        }
    }

    /**
     * One member of one room, fed by the one thread its events come on (its methods are synchronized, so the verdict
     * can be read meanwhile).
     */
    public static final class Receiver {
        private final String member;
        private final String roomName;
        private final Room room;
        private Long joinedAtSeq;
        private long owedAtJoin;
        private final Map<String, Segment> segments = new HashMap<>(2);
        private Segment current;
        private long delivered;
        private long distinct;
        private long lastRecoveryAt = Long.MIN_VALUE;
        private long previousAt = Long.MIN_VALUE;
        private final Tally duplicated = new Tally();
        private final Tally storedTwice = new Tally();
        private final Tally reordered = new Tally();
        private final Tally undetectedGaps = new Tally();
        private final Tally diverged = new Tally();
        private final List<long[]> nodeGaps = new ArrayList<>();
        private volatile LongSupplier rawDuplicates = () -> 0;

        private Receiver(String member, String roomName, Room room) {
            this.member = member;
            this.roomName = roomName;
            this.room = room;
        }

        public String member() {
            return member;
        }

        public String room() {
            return roomName;
        }

        /** Its first join, at the room's head {@code lastSeq}: it is owed everything after. Later joins change nothing. */
        public synchronized void joined(long lastSeq) {
            if (joinedAtSeq == null) {
                joinedAtSeq = lastSeq;
                owedAtJoin = room.owed.get();
            }
        }

        /** The seq it joined at; null before its first join. */
        public synchronized Long joinedAtSeq() {
            return joinedAtSeq;
        }

        /** Where the count of duplicates its client dropped on the wire is read from. */
        public void rawDuplicates(LongSupplier count) {
            this.rawDuplicates = count;
        }

        /**
         * It was handed seq {@code seq} of {@code epoch} (see {@link Receive#epoch()}), sent as {@code clientMsgId} (or
         * null), at {@code at}.
         */
        public synchronized void delivered(long seq, String epoch, String clientMsgId, long at) {
            delivered++;
            Segment s = segment(epoch, seq);
            boolean isNew = true;
            if (seq > s.highest) {
                if (seq > s.highest + 1) {
                    s.skip(s.highest + 1, seq - 1);
                    // Announced when it was told of a recovery since the message before. Before its first message
                    // (previousAt is MIN) there is nothing to jump from: what it lacks since its join counts as lost.
                    if (lastRecoveryAt < previousAt) {
                        undetectedGaps.add("seq " + s.highest + " then " + seq);
                    }
                }
                s.highest = seq;
            } else if (seq > s.base && s.fill(seq)) {
                reordered.add("seq " + seq + " after " + s.highest);
            } else {
                duplicated.add("seq " + seq);
                isNew = false;
            }
            previousAt = at;
            if (isNew) {
                distinct++;
                if (clientMsgId != null) {
                    seen(clientMsgId, new Position(s.epoch, seq));
                }
            }
        }

        private Segment segment(String epoch, long seq) {
            if (current != null && Objects.equals(current.epoch, epoch)) {
                return current;
            }
            Segment s = segments.get(epoch);
            if (s == null) {
                // The first history starts where it joined; a later one (a replaced history) where it was first handed one.
                long base = segments.isEmpty() && joinedAtSeq != null ? joinedAtSeq : seq - 1;
                s = new Segment(epoch, base);
                segments.put(epoch, s);
            }
            current = s;
            return s;
        }

        private void seen(String id, Position p) {
            String before = room.messageAt.putIfAbsent(p, id);
            if (before != null && !before.equals(id)) {
                diverged.add("seq " + p.seq() + " was " + before + " elsewhere, " + id + " here");
            }
            for (Position other : room.seen(id, p)) {
                if (!other.equals(p) && has(other)) {
                    // One send stored twice: the retry was not recognised, and the application sees it twice.
                    storedTwice.add(id + " as seq " + other.seq() + " and " + p.seq());
                }
            }
        }

        private boolean has(Position p) {
            Segment s = segments.get(p.epoch());
            return s != null && s.has(p.seq());
        }

        private boolean hasAny(List<Position> positions) {
            return positions != null && positions.stream().anyMatch(this::has);
        }

        /** It was told, at {@code at}, that the history it resumed is incomplete. */
        public synchronized void recovery(long at) {
            lastRecoveryAt = Math.max(lastRecoveryAt, at);
        }

        /** Its client caught the node sending seq {@code got} when {@code expected} was next, and refilled the gap. */
        public synchronized void gap(long expected, long got) {
            nodeGaps.add(new long[] {expected, got});
        }

        /** Messages handed to it so far. */
        public synchronized long delivered() {
            return delivered;
        }

        private synchronized ReceiverVerdict verdict(List<Send> ackedHere, Map<Long, String> names, Predicate<String> sent) {
            Tally lost = new Tally();
            Tally announced = new Tally();
            long expected = 0;
            long owed = room.owed.get();
            if (owed > 0) {
                // Sends only counted: it is owed each one since it joined, and lacks what it did not have.
                expected = owed - owedAtJoin;
                lost.count = Math.max(0, expected - distinct);
            } else {
                for (Send send : ackedHere) {
                    if (send.seq() > joinedAtSeq) {
                        expected++;
                        if (!hasAny(room.positions.get(send.clientMsgId()))) {
                            (lastRecoveryAt >= send.invokedAt() ? announced : lost).add(send.clientMsgId() + "@" + send.seq());
                        }
                    }
                }
            }
            Tally unexpected = new Tally();
            room.positions.entrySet().stream()
                    .filter(e -> !sent.test(e.getKey()))
                    .map(e -> Map.entry(e.getKey(), e.getValue().stream().filter(this::has).findFirst()))
                    .filter(e -> e.getValue().isPresent())
                    .sorted(Comparator.comparingLong(e -> e.getValue().orElseThrow().seq()))
                    .forEach(e -> unexpected.add(e.getKey() + "@" + e.getValue().orElseThrow().seq()));
            Tally gaps = new Tally();
            nodeGaps.forEach(g -> gaps.add(describe(g[0], g[1], names)));
            return new ReceiverVerdict(member, roomName, expected, delivered, distinct, lost.findings(),
                    announced.findings(), unexpected.findings(), rawDuplicates.getAsLong(), duplicated.findings(),
                    storedTwice.findings(), reordered.findings(), undetectedGaps.findings(), gaps.findings(),
                    diverged.findings());
        }

        /** {@code seq 40 then 45 (missing a1@41, a2@42, …)}: the messages the node skipped, by name where they were acked. */
        private static String describe(long expected, long got, Map<Long, String> names) {
            List<String> missing = new ArrayList<>();
            for (long seq = expected; seq < got && missing.size() < 4; seq++) {
                String id = names.get(seq);
                missing.add(id == null ? "seq " + seq : id + "@" + seq);
            }
            long count = got - expected;
            return "seq " + (expected - 1) + " then " + got + " (missing " + String.join(", ", missing)
                    + (count > missing.size() ? ", … " + count + " in all" : "") + ")";
        }
    }

    private Room roomOf(String name) {
        return rooms.computeIfAbsent(name, n -> new Room());
    }

    /** A new member of {@code room}, judged once it has {@link Receiver#joined joined}. */
    public Receiver receiver(String member, String room) {
        Receiver receiver = new Receiver(member, room, roomOf(room));
        receivers.add(receiver);
        return receiver;
    }

    /** {@code sender} in {@code room} sent {@code clientMsgId} at {@code at}. */
    public void invoked(String sender, String room, String clientMsgId, long at) {
        long n = invocations.incrementAndGet();
        sends.compute(clientMsgId, (id, s) -> (s == null ? SendState.NOTHING : s).invoked(sender, room, at, n));
    }

    /** The send {@code clientMsgId} was acked as {@code seq}: it is stored, and owed to every member after its join. */
    public void acked(String clientMsgId, long seq) {
        settle(clientMsgId, Outcome.ACKED, seq);
    }

    /** The send {@code clientMsgId} was refused for good: it is not stored. */
    public void failed(String clientMsgId) {
        settle(clientMsgId, Outcome.FAILED, null);
    }

    /** The send {@code clientMsgId} was given up on: it may or may not be stored. */
    public void unknown(String clientMsgId) {
        settle(clientMsgId, Outcome.UNKNOWN, null);
    }

    private void settle(String clientMsgId, Outcome outcome, Long seq) {
        sends.compute(clientMsgId, (id, s) -> (s == null ? SendState.NOTHING : s).settled(outcome, seq));
    }

    /** A message sent to {@code room} and owed to each of its members, counted only (no clientMsgId, no ack awaited). */
    public void owe(String room) {
        roomOf(room).owed.incrementAndGet();
    }

    public void reconnected(Reconnect reconnect) {
        reconnects.add(reconnect);
    }

    /** The send {@code clientMsgId} as far as it is known now, or null when it was never recorded as sent. */
    Send send(String clientMsgId) {
        SendState s = sends.get(clientMsgId);
        return s == null || s.order() == null ? null : s.send(clientMsgId);
    }

    /** The verdict on everything fed so far; sends still waiting count as unknown. */
    public Verdict verdict() {
        List<Send> sent = sends.entrySet().stream()
                .filter(e -> e.getValue().order() != null)
                .sorted(Comparator.comparingLong(e -> e.getValue().order()))
                .map(e -> e.getValue().send(e.getKey()))
                .toList();
        int acked = 0;
        int failed = 0;
        int unknown = 0;
        int unknownRecovered = 0;
        Map<String, List<Send>> ackedByRoom = new HashMap<>();
        for (Send send : sent) {
            switch (send.outcome()) {
                case ACKED -> {
                    acked++;
                    if (send.seq() != null) {
                        ackedByRoom.computeIfAbsent(send.room(), r -> new ArrayList<>()).add(send);
                    }
                }
                case FAILED -> failed++;
                case UNKNOWN -> {
                    unknown++;
                    if (roomOf(send.room()).positions.containsKey(send.clientMsgId())) {
                        unknownRecovered++;
                    }
                }
            }
        }
        ackedByRoom.values().forEach(list -> list.sort(Comparator.comparingLong(Send::seq)));
        Map<String, Map<Long, String>> names = new HashMap<>();
        ackedByRoom.forEach((room, list) -> names.put(room, list.stream()
                .collect(Collectors.toMap(Send::seq, Send::clientMsgId, (a, b) -> a))));
        Predicate<String> wasSent = id -> {
            SendState s = sends.get(id);
            return s != null && s.order() != null;
        };
        List<ReceiverVerdict> verdicts = new ArrayList<>();
        for (Receiver r : receivers) {
            if (r.joinedAtSeq() != null) {
                verdicts.add(r.verdict(ackedByRoom.getOrDefault(r.room(), List.of()), names.getOrDefault(r.room(), Map.of()),
                        wasSent));
            }
        }
        long storedTwice = rooms.values().stream()
                .flatMap(room -> room.positions.values().stream())
                .filter(positions -> positions.size() > 1)
                .count();
        return new Verdict(sent.size(), acked, failed, unknown, unknownRecovered, storedTwice, verdicts,
                reconnects.stream().map(Reconnect::took).toList());
    }

    /**
     * Judges a whole history: feeds a new checker its sends, its members, then each member's events in the order
     * they happened (its receives in the order it was handed them, each recovery before the first receive recorded
     * at or after it), its node gaps and the reconnects, and returns the verdict.
     */
    public static Verdict check(History history) {
        Checker checker = new Checker();
        for (Send send : history.sends()) {
            checker.invoked(send.sender(), send.room(), send.clientMsgId(), send.invokedAt());
            checker.settle(send.clientMsgId(), send.outcome(), send.seq());
        }
        Map<List<String>, Receiver> members = new LinkedHashMap<>();
        for (Member m : history.members()) {
            Receiver receiver = checker.receiver(m.receiver(), m.room());
            receiver.joined(m.joinedAtSeq());
            long raw = m.rawDuplicates();
            receiver.rawDuplicates(() -> raw);
            members.put(List.of(m.receiver(), m.room()), receiver);
        }
        Map<List<String>, List<Receive>> receives = history.receives().stream()
                .collect(Collectors.groupingBy(r -> List.of(r.receiver(), r.room())));
        Map<List<String>, List<Recovery>> recoveries = history.recoveries().stream()
                .sorted(Comparator.comparingLong(Recovery::at))
                .collect(Collectors.groupingBy(r -> List.of(r.receiver(), r.room())));
        members.forEach((key, receiver) -> {
            Iterator<Recovery> told = recoveries.getOrDefault(key, List.of()).iterator();
            Recovery next = told.hasNext() ? told.next() : null;
            for (Receive r : receives.getOrDefault(key, List.of())) {
                while (next != null && next.at() <= r.at()) {
                    receiver.recovery(next.at());
                    next = told.hasNext() ? told.next() : null;
                }
                receiver.delivered(r.seq(), r.epoch(), r.clientMsgId(), r.at());
            }
            while (next != null) {
                receiver.recovery(next.at());
                next = told.hasNext() ? told.next() : null;
            }
        });
        for (Gap gap : history.gaps()) {
            Receiver receiver = members.get(List.of(gap.receiver(), gap.room()));
            if (receiver != null) {
                receiver.gap(gap.expected(), gap.got());
            }
        }
        history.reconnects().forEach(checker::reconnected);
        return checker.verdict();
    }
}
