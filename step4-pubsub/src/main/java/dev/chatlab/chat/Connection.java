package dev.chatlab.chat;

import io.javalin.websocket.WsContext;

/** One client's socket and what the server knows about it: its id, its name, the room it is in. */
final class Connection {
    final String id;
    private final WsContext socket;
    private volatile String roomId;
    private volatile String name;
    /** The newest seq this client has been sent in its room; guarded by the room's lock. */
    long lastSeq;

    Connection(long number, WsContext socket) {
        this.id = "c" + number;
        this.socket = socket;
        this.name = "guest-" + number;
    }

    void send(String frame) {
        socket.send(frame);
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
