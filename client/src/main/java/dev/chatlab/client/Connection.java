package dev.chatlab.client;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.java_websocket.WebSocket;
import org.java_websocket.client.WebSocketClient;
import org.java_websocket.drafts.Draft_6455;
import org.java_websocket.exceptions.WebsocketNotConnectedException;
import org.java_websocket.framing.CloseFrame;
import org.java_websocket.framing.Framedata;
import org.java_websocket.handshake.ServerHandshake;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection attempt of a {@link ResilientClient}, and where it stands: opened, join sent,
 * in the room. A new one for every attempt, as Java-WebSocket clients cannot be reused.
 */
final class Connection extends WebSocketClient {
    private static final Logger log = LoggerFactory.getLogger(ResilientClient.class);

    /** What the connection tells its client; called on Java-WebSocket's threads. */
    interface Events {
        void opened(Connection c);

        void received(Connection c, String text);

        void closed(Connection c, int code, String reason, boolean remote);
    }

    final long number;
    private final String clientId;
    private final Duration connectTimeout;
    private final Duration deadAfter;
    private final Events events;
    private final long startedNanos = System.nanoTime();
    private volatile long lastFrameNanos = startedNanos;
    // The client's thread only.
    boolean opened;
    boolean joined;
    boolean awaitingJoined;
    boolean resyncing;
    long joinSentNanos;

    Connection(URI uri, long number, String clientId, Duration connectTimeout, Duration deadAfter, Events events) {
        super(uri, new Draft_6455(), Map.of(), (int) connectTimeout.toMillis());
        this.number = number;
        this.clientId = clientId;
        this.connectTimeout = connectTimeout;
        this.deadAfter = deadAfter;
        this.events = events;
        // The client's own heartbeat replaces Java-WebSocket's lost-connection pinger.
        setConnectionLostTimeout(0);
        setDaemon(true);
        setTcpNoDelay(true);
    }

    /** Joined, with no join waiting for its answer: sends may go out. */
    boolean inRoom() {
        return joined && !awaitingJoined;
    }

    /** Sends a {@code join} and starts waiting for its answer. */
    void join(String frame) {
        awaitingJoined = true;
        joinSentNanos = System.nanoTime();
        transmit(frame);
    }

    void transmit(String frame) {
        try {
            send(frame);
        } catch (WebsocketNotConnectedException e) {
            // The connection is closing; its close callback follows and the message waits for the next one.
        }
    }

    /**
     * Why the connection is to be dropped at {@code now}, or null while it is alive: a black hole or
     * a half-open socket never closes by itself, and an attempt or a join may never be answered.
     */
    String deadReason(long now) {
        if (!opened) {
            return now - startedNanos > connectTimeout.toNanos() ? "not connected within " + connectTimeout.toMillis() + " ms"
                    : null;
        }
        long silent = now - lastFrameNanos;
        if (silent > deadAfter.toNanos()) {
            return "no frame for " + TimeUnit.NANOSECONDS.toMillis(silent) + " ms";
        }
        if (awaitingJoined && now - joinSentNanos > connectTimeout.toNanos()) {
            return "no answer to join within " + connectTimeout.toMillis() + " ms";
        }
        return null;
    }

    /** Drops the socket at once: no close handshake, which a dead peer would never complete. */
    void abort(String reason) {
        closeConnection(CloseFrame.ABNORMAL_CLOSE, reason);
        Socket socket = getSocket();
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // Closing is all that was wanted.
            }
        }
    }

    @Override
    public void onOpen(ServerHandshake handshake) {
        lastFrameNanos = System.nanoTime();
        events.opened(this);
    }

    @Override
    public void onMessage(String text) {
        lastFrameNanos = System.nanoTime();
        events.received(this, text);
    }

    @Override
    public void onMessage(ByteBuffer bytes) {
        lastFrameNanos = System.nanoTime();
    }

    @Override
    public void onWebsocketPing(WebSocket conn, Framedata frame) {
        lastFrameNanos = System.nanoTime();
        super.onWebsocketPing(conn, frame);
    }

    @Override
    public void onClose(int code, String reason, boolean remote) {
        events.closed(this, code, reason, remote);
    }

    @Override
    public void onError(Exception e) {
        log.debug("{}: connection to {}: {}", clientId, getURI(), e.toString());
    }
}
