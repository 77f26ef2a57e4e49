package dev.chatlab.chat;

import io.javalin.websocket.WsContext;

/** One client's socket and what the server knows about it: its id, its name, the room it is in, when it was last heard. */
final class Connection {
    final String id;
    private final WsContext socket;
    private final Metrics metrics;
    private volatile String roomId;
    private volatile String name;
    private volatile boolean closing;
    /** When the client was last heard from, and whether it sends heartbeats at all. */
    volatile long lastHeardNanos = System.nanoTime();
    volatile boolean heartbeats;
    /** The newest seq this client has been sent in its room; guarded by the room's lock. */
    long lastSeq;

    Connection(long number, WsContext socket, Metrics metrics) {
        this.id = "c" + number;
        this.socket = socket;
        this.name = "guest-" + number;
        this.metrics = metrics;
    }

    /** Sends a frame, unless the node has started closing this connection. */
    void send(String frame) {
        if (!closing) {
            metrics.framesOut.increment();
            socket.send(frame);
        }
    }

    /** Starts the close handshake; nothing more is sent. */
    void close(int code, String reason) {
        closing = true;
        socket.closeSession(code, reason);
    }

    /** Drops the TCP connection at once, for a client that will not finish a close handshake. */
    void disconnect() {
        closing = true;
        if (socket.session.isOpen()) {
            socket.session.disconnect();
        }
    }

    String roomId() {
        return roomId;
    }

    void roomId(String newRoomId) {
        this.roomId = newRoomId;
    }

    String name() {
        return name;
    }

    void name(String newName) {
        this.name = newName;
    }

    String remoteAddress() {
        return String.valueOf(socket.session.getRemoteSocketAddress());
    }
}
