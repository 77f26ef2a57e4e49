package dev.chatlab.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * Where the client stands in its room's history, and what each {@code joined} and {@code message}
 * means for it. It holds the cursor (the seq of the last message delivered, or the room's head at
 * the first join) and the epoch of that history; the next join asks for everything after them.
 *
 * <p>It only decides: it sends nothing, starts nothing and reads no clock. The client feeds it the
 * payloads of its room's frames in the order they arrived and acts on the answers. Not thread-safe.
 */
final class Resume {

    /** What to do with a {@code message}. */
    enum Action {
        /** The next seq (or a message without one): hand it to the listener. */
        DELIVER,
        /** A seq delivered already, normal after a resume: drop it. */
        DUPLICATE,
        /** A seq past the next one that the server did not announce: deliver nothing past it, rejoin to fill it. */
        GAP,
        /** A seq of another history than the one the client is in: rejoin to learn where it stands. */
        OTHER_HISTORY
    }

    /**
     * The decision on one {@code message}.
     *
     * @param expected the seq that was due next (reported with a {@link Action#GAP}); -1 when the message
     *                 was not held against the cursor (no seq, no cursor, another history)
     */
    record Decision(Action action, ChatMessage message, long expected) {
    }

    /**
     * What a {@code joined} for the client's room said about the resume.
     *
     * @param head         the room's last seq when the server answered
     * @param recovered    false when the server could not replay everything after the cursor
     * @param oldEpoch     the epoch the client had before, or null
     * @param newEpoch     the epoch the {@code joined} carried, or null
     * @param epochChanged the room's history was replaced: its seqs start again, and the cursor went back to 0
     */
    record Joined(long head, boolean recovered, String oldEpoch, String newEpoch, boolean epochChanged) {
        /** Nothing after the cursor was lost; when false the listener hears {@code recovery}. */
        boolean lossless() {
            return recovered && !epochChanged;
        }
    }

    private final String roomId;
    private Long cursor;
    private String epoch;
    /** The next seq may jump ahead of the cursor: the server announced it (a lossy resume, a new history). */
    private boolean acceptJump;

    /** Starts from {@code since} of {@code epoch} (both may be null: start at the room's head, history unknown). */
    Resume(String roomId, Long since, String epoch) {
        this.roomId = roomId;
        this.cursor = since;
        this.epoch = epoch;
    }

    /** The {@code since} of the next join: null until the first {@code joined} when no resume point was given. */
    Long since() {
        return cursor;
    }

    /** The {@code epoch} of the next join: the latest one a {@code joined} carried, or the one given, or null. */
    String epoch() {
        return epoch;
    }

    /** The cursor, 0 while it is unknown. */
    long lastSeq() {
        return cursor == null ? 0 : cursor;
    }

    /**
     * Takes in the payload of a {@code joined}: moves the cursor and the epoch as the answer says.
     * Empty, and nothing changed, when it is for another room.
     */
    Optional<Joined> joined(JsonNode payload) {
        if (!roomId.equals(Protocol.text(payload, "roomId"))) {
            return Optional.empty();
        }
        long head = payload.path("seq").asLong(0);
        boolean recovered = payload.path("recovered").asBoolean(true);
        String newEpoch = Protocol.text(payload, "epoch");
        String oldEpoch = epoch;
        boolean epochChanged = oldEpoch != null && newEpoch != null && !oldEpoch.equals(newEpoch);
        if (newEpoch != null) {
            epoch = newEpoch;
        }
        if (epochChanged || (!recovered && cursor != null && head < cursor)) {
            // Another history (Redis lost the room's): its seqs start again, and every one of them is new here.
            cursor = 0L;
            acceptJump = true;
        } else if (cursor == null) {
            // The first join without since: the room's history up to its head is not wanted.
            cursor = head;
        } else if (!recovered) {
            // The server says what follows does not continue from the cursor: the jump is announced, not a gap.
            acceptJump = true;
        }
        return Optional.of(new Joined(head, recovered, oldEpoch, newEpoch, epochChanged));
    }

    /** Decides on the payload of a {@code message}; the cursor moves only when the decision is to deliver it in order. */
    Decision message(JsonNode payload) {
        ChatMessage m = ChatMessage.of(payload);
        if (!payload.has("seq") || cursor == null) {
            return new Decision(Action.DELIVER, m, -1);
        }
        if (m.epoch() != null && epoch != null && !m.epoch().equals(epoch)) {
            return new Decision(Action.OTHER_HISTORY, m, -1);
        }
        long expected = cursor + 1;
        if (m.seq() < expected) {
            return new Decision(Action.DUPLICATE, m, expected);
        }
        if (m.seq() > expected && !acceptJump) {
            return new Decision(Action.GAP, m, expected);
        }
        acceptJump = false;
        cursor = m.seq();
        return new Decision(Action.DELIVER, m, expected);
    }
}
