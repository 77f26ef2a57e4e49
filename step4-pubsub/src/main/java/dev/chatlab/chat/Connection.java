package dev.chatlab.chat;

import io.javalin.websocket.WsContext;
import java.nio.ByteBuffer;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.common.WebSocketSession;
import org.eclipse.jetty.websocket.core.CoreSession;
import org.eclipse.jetty.websocket.core.Frame;
import org.eclipse.jetty.websocket.core.OpCode;

/** One client's socket and what the server knows about it: its id, its name, the room it is in. */
final class Connection {
    final String id;
    private final WsContext socket;
    /** Jetty's session underneath, for frames encoded once per room and written in batches. */
    private final CoreSession core;
    private volatile String roomId;
    private volatile String name;
    /** The newest seq this client has been sent in its room; guarded by the room's lock. */
    long lastSeq;

    Connection(long number, WsContext socket) {
        this.id = "c" + number;
        this.socket = socket;
        this.core = ((WebSocketSession) socket.session).getCoreSession();
        this.name = "guest-" + number;
    }

    /** Sends one frame now. */
    void send(String frame) {
        socket.send(frame);
    }

    /**
     * Adds a text frame, already encoded as UTF-8 (shared by every member: each gets its own view), behind
     * whatever this socket has queued, without writing it yet: {@link #flush} writes everything queued in
     * one system call. Frames keep their order with those sent by {@link #send}.
     */
    void queue(ByteBuffer utf8) {
        core.sendFrame(new Frame(OpCode.TEXT, true, utf8.slice()), Callback.NOOP, true);
    }

    /** Writes whatever {@link #queue} has left waiting. */
    void flush() {
        core.flush(Callback.NOOP);
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
