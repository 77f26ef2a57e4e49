package dev.chatlab.bench.fanout;

import dev.chatlab.bench.Target;
import java.util.ArrayList;
import java.util.List;

/**
 * A step 6, 7 or 8 node protects itself with limits (step6-hardening's {@code Security.workshop()}, which steps 7 and 8 keep);
 * a fanout load must stay well within them, or it measures the protection instead of the node. Each limit below must
 * be at least twice what the load asks of it (a generator that fell behind sends its backlog at once); where it is
 * not, the node gets the flag that lifts it to twice the demand. Fanout's default shape (200 clients, 20 senders at
 * 3,000 msg/s in all) is within every one of them, so it lifts none.
 */
final class NodeLimits {
    /** Sockets one node holds ({@code --max-connections}). */
    static final int MAX_CONNECTIONS = 10_000;
    /** Sockets one node holds for one client address ({@code --max-connections-per-ip}). */
    static final int MAX_CONNECTIONS_PER_IP = 2_000;
    /** Frames per second one socket may send ({@code --rate-messages}). */
    static final int RATE_MESSAGES = 1_000;
    /** Bytes per second one socket may send ({@code --rate-bytes}). */
    static final long RATE_BYTES = 4L * 1024 * 1024;
    /**
     * The most a sender's frame takes: {@code {"type":"message","payload":{"message":"T|S|N|G"}}} is 43 bytes around a
     * text of at most 61 (the send time and the send number as longs, the sender and the tag as ints).
     */
    static final int SEND_FRAME_BYTES = 128;

    /**
     * A step 8 node relays at most one typing signal per connection per {@code --typing-interval} (1 s) and drops the
     * rest; a typing load sends each sender's signals far faster than that, to measure what relaying one costs, so the
     * nodes relay every one. The check itself still runs on every signal.
     */
    static final List<String> TYPING = List.of("--typing-interval", "0ms");

    private NodeLimits() {
    }

    /**
     * The node flags that lift the limits a load would come too close to on {@code target}: none before step 6, which
     * has no such limits.
     *
     * @param clients  every member, all from 127.0.0.1 (through HAProxy too, which forwards it as the client's address),
     *                 and possibly all on one node (one node, or room affinity)
     * @param senders  the members that send, in turn
     * @param peakRate the most messages per second the load sends, all senders together
     */
    static List<String> lifting(Target target, int clients, int senders, double peakRate) {
        List<String> flags = new ArrayList<>();
        if (target.number() < 6) {
            return flags;
        }
        lift(flags, "--max-connections", clients, MAX_CONNECTIONS);
        lift(flags, "--max-connections-per-ip", clients, MAX_CONNECTIONS_PER_IP);
        long framesPerSocket = (long) Math.ceil(peakRate / senders);
        lift(flags, "--rate-messages", framesPerSocket, RATE_MESSAGES);
        lift(flags, "--rate-bytes", framesPerSocket * SEND_FRAME_BYTES, RATE_BYTES);
        return flags;
    }

    private static void lift(List<String> flags, String flag, long demand, long limit) {
        if (2 * demand > limit) {
            flags.add(flag);
            flags.add(String.valueOf(2 * demand));
        }
    }
}
