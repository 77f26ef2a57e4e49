package dev.chatlab.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Who is in the room and who is typing, from the server's {@code joined}, {@code presence},
 * {@code typing} and {@code message} frames.
 *
 * <p>The members view is a set of names: a {@code joined} that carries {@code members} replaces it (one
 * without them keeps it), a {@code presence} {@code sync} replaces it, {@code join} adds a name and
 * {@code leave} removes one. Typing is a time per name, the arrival of its last signal: a name is typing
 * for {@link #TYPING_SHOWN_FOR} after it, unless a message from that name arrived since.
 *
 * <p>Like {@code Resume} it only decides: it sends nothing and reads no clock (the time is passed in, in
 * nanoseconds of any one clock). Frames for another room change nothing. Not thread-safe; what it hands
 * out is immutable.
 */
final class Presence {
    /** How long a typing signal counts: the sender sends one about every second while it types. */
    static final Duration TYPING_SHOWN_FOR = Duration.ofSeconds(3);

    private final String roomId;
    private SortedSet<String> members = Collections.emptySortedSet();
    /** Name to the arrival time of its last typing signal, for the names not cleared by a message since. */
    private final Map<String, Long> typingSince = new HashMap<>();

    Presence(String roomId) {
        this.roomId = roomId;
    }

    /** The current view: sorted, immutable, empty before the first {@code joined} with members. */
    SortedSet<String> members() {
        return members;
    }

    /**
     * Takes in the payload of a {@code joined}: its {@code members} replace the view. The new view when it
     * changed; empty when it did not, when the frame has no members (an epoch change) or is for another room.
     */
    Optional<SortedSet<String>> joined(JsonNode payload) {
        if (!forThisRoom(payload)) {
            return Optional.empty();
        }
        return replace(payload.get("members"));
    }

    /**
     * Takes in the payload of a {@code presence} event: {@code join} adds its name, {@code leave} removes it,
     * {@code sync} replaces the view with its members. The new view when it changed; empty when it did not,
     * or when the event is for another room, of an unknown kind or malformed.
     */
    Optional<SortedSet<String>> presence(JsonNode payload) {
        if (!forThisRoom(payload)) {
            return Optional.empty();
        }
        String event = Protocol.text(payload, "event");
        if ("sync".equals(event)) {
            return replace(payload.get("members"));
        }
        String name = Protocol.text(payload, "name");
        if (name == null || !("join".equals(event) || "leave".equals(event))) {
            return Optional.empty();
        }
        if ("join".equals(event) == members.contains(name)) {
            return Optional.empty();
        }
        TreeSet<String> changed = new TreeSet<>(members);
        if ("join".equals(event)) {
            changed.add(name);
        } else {
            changed.remove(name);
        }
        return Optional.of(publish(changed));
    }

    /**
     * Takes in the payload of a {@code typing} signal that arrived at {@code now}: its name is typing from
     * now on. The name; empty when the signal is for another room or names no one.
     */
    Optional<String> typing(JsonNode payload, long now) {
        String name = Protocol.text(payload, "name");
        if (!forThisRoom(payload) || name == null) {
            return Optional.empty();
        }
        // Forget the signals that have run out, so the names of everyone who ever typed do not pile up.
        typingSince.values().removeIf(at -> !typing(at, now));
        typingSince.put(name, now);
        return Optional.of(name);
    }

    /** A message from {@code from} arrived: whatever that name was typing has been sent, so it is no longer typing. */
    void message(String from) {
        if (from != null) {
            typingSince.remove(from);
        }
    }

    /** Name to the arrival of its last typing signal, not yet cleared by a message; an immutable copy. */
    Map<String, Long> typingSignals() {
        return Map.copyOf(typingSince);
    }

    /** The names typing at {@code now}, sorted and immutable. */
    SortedSet<String> typingNow(long now) {
        return typingAt(typingSince, now);
    }

    /** The names of {@code signals} (from {@link #typingSignals()}) still typing at {@code now}, sorted and immutable. */
    static SortedSet<String> typingAt(Map<String, Long> signals, long now) {
        TreeSet<String> names = new TreeSet<>();
        signals.forEach((name, at) -> {
            if (typing(at, now)) {
                names.add(name);
            }
        });
        return Collections.unmodifiableSortedSet(names);
    }

    /** A signal that arrived at {@code at} still counts at {@code now}: it is under {@link #TYPING_SHOWN_FOR} old. */
    private static boolean typing(long at, long now) {
        return now - at < TYPING_SHOWN_FOR.toNanos();
    }

    private boolean forThisRoom(JsonNode payload) {
        return roomId.equals(Protocol.text(payload, "roomId"));
    }

    /** Replaces the view with {@code names} (a JSON array of strings); empty when it is not one or nothing changed. */
    private Optional<SortedSet<String>> replace(JsonNode names) {
        if (names == null || !names.isArray()) {
            return Optional.empty();
        }
        TreeSet<String> replaced = new TreeSet<>();
        for (JsonNode name : names) {
            if (name.isTextual()) {
                replaced.add(name.asText());
            }
        }
        return replaced.equals(members) ? Optional.empty() : Optional.of(publish(replaced));
    }

    private SortedSet<String> publish(TreeSet<String> names) {
        members = Collections.unmodifiableSortedSet(names);
        return members;
    }
}
