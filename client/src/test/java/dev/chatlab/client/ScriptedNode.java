package dev.chatlab.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.java_websocket.WebSocket;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;

/**
 * A WebSocket server that plays a chat node from a script, for what a real node does not do on cue:
 * close with 1012, 4008 or 1008, skip a seq, refuse a send, fall silent. It answers {@code ping} with
 * {@code pong} (unless the peer is muted) and hands every other frame to the script.
 */
final class ScriptedNode implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the node does with a client frame. */
    interface Script {
        void on(Peer peer, String type, JsonNode payload);
    }

    /** A frame the node received, and on which connection (numbered from 1). */
    record Received(int connection, String type, JsonNode payload) {
    }

    /** One client connection, as the script sees it. */
    static final class Peer {
        final int number;
        private final WebSocket socket;
        private volatile boolean muted;

        Peer(int number, WebSocket socket) {
            this.number = number;
            this.socket = socket;
        }

        void joined(String roomId, long seq, String epoch, boolean recovered) {
            send("joined", JSON.createObjectNode().put("roomId", roomId).put("seq", seq).put("epoch", epoch)
                    .put("recovered", recovered).put("node", "scripted"));
        }

        /** A {@code joined} that lists the room's members, as a step 8 node answers a join. */
        void joined(String roomId, long seq, String epoch, List<String> members) {
            ObjectNode payload = JSON.createObjectNode().put("roomId", roomId).put("seq", seq).put("epoch", epoch)
                    .put("recovered", true).put("node", "scripted");
            members.forEach(payload.putArray("members")::add);
            send("joined", payload);
        }

        void message(String roomId, long seq, String epoch, String text) {
            message(roomId, seq, epoch, "script", text);
        }

        void message(String roomId, long seq, String epoch, String from, String text) {
            send("message", JSON.createObjectNode().put("seq", seq).put("epoch", epoch).put("message", text)
                    .put("roomId", roomId).put("sentAt", System.currentTimeMillis()).put("from", from));
        }

        /** A {@code presence} {@code join} or {@code leave} of {@code name}. */
        void presence(String roomId, String event, String name) {
            send("presence", JSON.createObjectNode().put("roomId", roomId).put("event", event).put("name", name));
        }

        /** A {@code presence} {@code sync}: the room's whole list. */
        void sync(String roomId, List<String> members) {
            ObjectNode payload = JSON.createObjectNode().put("roomId", roomId).put("event", "sync");
            members.forEach(payload.putArray("members")::add);
            send("presence", payload);
        }

        /** A {@code typing} signal of {@code name}. */
        void typing(String roomId, String name) {
            send("typing", JSON.createObjectNode().put("roomId", roomId).put("name", name));
        }

        void ack(String clientMsgId, long seq) {
            send("ack", JSON.createObjectNode().put("clientMsgId", clientMsgId).put("seq", seq));
        }

        void error(String code, String clientMsgId) {
            ObjectNode payload = JSON.createObjectNode().put("code", code).put("message", "scripted " + code);
            if (clientMsgId != null) {
                payload.put("clientMsgId", clientMsgId);
            }
            send("error", payload);
        }

        void send(String type, ObjectNode payload) {
            ObjectNode root = JSON.createObjectNode();
            root.put("type", type);
            root.set("payload", payload);
            socket.send(root.toString());
        }

        /** Closes with a close frame carrying {@code code}, as a node that drains or refuses a client does. */
        void close(int code, String reason) {
            socket.close(code, reason);
        }

        /** From now on the connection stays open but nothing is answered: a black hole. */
        void mute() {
            muted = true;
        }
    }

    private final Server server;
    private final List<Peer> peers = new CopyOnWriteArrayList<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();

    private ScriptedNode(Script script) {
        this.server = new Server(script);
    }

    static ScriptedNode start(Script script) {
        ScriptedNode node = new ScriptedNode(script);
        node.server.start();
        try {
            if (!node.server.started.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("scripted node did not start");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return node;
    }

    URI wsUri() {
        return URI.create("ws://127.0.0.1:" + server.getPort() + "/");
    }

    /** Connections accepted so far. */
    int connections() {
        return peers.size();
    }

    Peer peer(int number) {
        return peers.get(number - 1);
    }

    Peer lastPeer() {
        return peers.get(peers.size() - 1);
    }

    /** Every frame of {@code type} received, in order. */
    List<Received> received(String type) {
        return received.stream().filter(r -> r.type.equals(type)).toList();
    }

    @Override
    public void close() {
        try {
            server.stop(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Server extends WebSocketServer {
        final CountDownLatch started = new CountDownLatch(1);
        private final Script script;

        Server(Script script) {
            super(new InetSocketAddress("127.0.0.1", 0));
            this.script = script;
            // No server pings: they would hide the silence a muted peer is there to show.
            setConnectionLostTimeout(0);
            setReuseAddr(true);
            setDaemon(true);
        }

        @Override
        public void onOpen(WebSocket socket, ClientHandshake handshake) {
            Peer peer = new Peer(peers.size() + 1, socket);
            socket.setAttachment(peer);
            peers.add(peer);
        }

        @Override
        public void onMessage(WebSocket socket, String text) {
            Peer peer = socket.getAttachment();
            JsonNode frame;
            try {
                frame = JSON.readTree(text);
            } catch (Exception e) {
                throw new IllegalStateException("the client sent a frame that is not JSON: " + text, e);
            }
            String type = frame.path("type").asText();
            JsonNode payload = frame.path("payload");
            received.add(new Received(peer.number, type, payload));
            if (peer.muted) {
                return;
            }
            if (type.equals("ping")) {
                peer.send("pong", JSON.createObjectNode());
            } else {
                script.on(peer, type, payload);
            }
        }

        @Override
        public void onClose(WebSocket socket, int code, String reason, boolean remote) {
        }

        @Override
        public void onError(WebSocket socket, Exception e) {
        }

        @Override
        public void onStart() {
            started.countDown();
        }
    }
}
