package dev.chatlab.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chatlab.testkit.Frames;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.handshake.ServerHandshake;

/**
 * A member of a room on a plain WebSocket, the way a page that never reconnects is: it joins one room under its own
 * name on one node, answers the node's pings (the WebSocket library does) and does nothing else; once its connection
 * is gone it stays gone. The chaos suite puts a few on the node a fault hits: they are the ghosts whose names should
 * leave every list soon after. Joins and the close are timed on the run's clock.
 */
public final class PlainMember implements AutoCloseable {
    private final String name;
    private final String room;
    private final String node;
    private final RunClock clock;
    private final Socket socket;
    private volatile long joinedAt = -1;
    private volatile long closedAt = -1;
    private volatile int closeCode = -1;

    private PlainMember(URI uri, String node, String room, String name, RunClock clock) {
        this.name = name;
        this.room = room;
        this.node = node;
        this.clock = clock;
        this.socket = new Socket(uri);
        // Nothing of its own finds a dead connection: it is the server's to notice.
        this.socket.setConnectionLostTimeout(0);
    }

    /** Connects to {@code node}'s own address {@code uri} and sends a join of {@code room} as {@code name}; see {@link #joined()}. */
    public static PlainMember join(URI uri, String node, String room, String name, RunClock clock) {
        PlainMember member = new PlainMember(uri, node, room, name, clock);
        try {
            if (!member.socket.connectBlocking(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + " could not connect to " + node + " at " + uri);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while connecting to " + uri, e);
        }
        member.socket.send(Frames.joinAs(room, name));
        return member;
    }

    public String name() {
        return name;
    }

    public String room() {
        return room;
    }

    /** The node it joined on. */
    public String node() {
        return node;
    }

    /** Its node answered its join. */
    public boolean joined() {
        return joinedAt >= 0;
    }

    /** When its node answered its join, or -1. */
    public long joinedAt() {
        return joinedAt;
    }

    /** Its connection is open and it has joined. */
    public boolean present() {
        return joined() && closedAt < 0;
    }

    /** When its connection ended, or -1 while it is open. */
    public long closedAt() {
        return closedAt;
    }

    /** The code its connection ended with (1012 from a draining node, 1006 when it just broke), or -1 while open. */
    public int closeCode() {
        return closeCode;
    }

    /** Leaves as a page being closed does: a close frame, then the connection ends; it never comes back. */
    @Override
    public void close() {
        try {
            socket.closeBlocking();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        return name + " in " + room + " on " + node + (joined() ? "" : " (not joined)")
                + (closedAt < 0 ? "" : " (closed " + closeCode + ")");
    }

    private final class Socket extends WebSocketClient {
        Socket(URI uri) {
            super(uri);
        }

        @Override
        public void onOpen(ServerHandshake handshake) {
        }

        @Override
        public void onMessage(String text) {
            JsonNode frame = Frames.parse(text);
            if (joinedAt < 0 && "joined".equals(Frames.type(frame))
                    && room.equals(Frames.payloadOf(frame).path("roomId").asText())) {
                joinedAt = clock.now();
            }
        }

        @Override
        public void onClose(int code, String reason, boolean remote) {
            if (closedAt < 0) {
                closedAt = clock.now();
                closeCode = code;
            }
        }

        @Override
        public void onError(Exception e) {
        }
    }
}
