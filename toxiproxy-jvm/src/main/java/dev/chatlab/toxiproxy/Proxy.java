package dev.chatlab.toxiproxy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One named proxy: while enabled, a listener that relays every client to the upstream through the proxy's toxics. */
final class Proxy {
    private static final Logger log = LoggerFactory.getLogger(Proxy.class);
    private static final int BACKLOG = 512;
    private static final int CONNECT_TIMEOUT_MS = 10_000;

    private final String name;
    private final ExecutorService threads;
    private final boolean passHalfClose;
    private final Relay.Traffic traffic;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();

    // Guarded by this.
    private String listen;
    private String upstream;
    private boolean enabled;
    private ServerSocket listener;
    /** In the order they were added: each direction's toxics act in that order, as Toxiproxy chains them. */
    private final List<Toxic> toxics = new ArrayList<>();

    /** A proxy as Toxiproxy's API makes it: the end of either side ends the whole connection. */
    Proxy(String name, String listen, String upstream, ExecutorService threads) {
        this(name, listen, upstream, threads, false, Relay.Traffic.NONE);
    }

    /** With {@code passHalfClose}, the end of one side only ends that direction; {@code traffic} hears what passes. */
    Proxy(String name, String listen, String upstream, ExecutorService threads, boolean passHalfClose,
          Relay.Traffic traffic) {
        this.name = name;
        this.listen = listen;
        this.upstream = upstream;
        this.threads = threads;
        this.passHalfClose = passHalfClose;
        this.traffic = traffic;
    }

    /** The address it listens on: once started, the bound one. */
    synchronized String listen() {
        return listen;
    }

    /** Connections relayed right now. */
    int openConnections() {
        return connections.size();
    }

    /** Opens the listener; {@code listen} then holds the bound address, so a port 0 becomes the real port. */
    synchronized void start() throws ApiError {
        if (enabled) {
            return;
        }
        ServerSocket socket = null;
        try {
            InetSocketAddress address = HostPort.parse(listen).resolve();
            socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(address, BACKLOG);
        } catch (IOException | IllegalArgumentException e) {
            closeQuietly(socket);
            throw new ApiError(500, "listen tcp " + listen + ": " + e.getMessage());
        }
        ServerSocket bound = socket;
        listen = HostPort.of((InetSocketAddress) bound.getLocalSocketAddress()).toString();
        listener = bound;
        enabled = true;
        threads.execute(Threads.named("proxy " + name + " accepting", () -> accept(bound)));
        log.info("proxy {} listening on {}, upstream {}", name, listen, upstream);
    }

    /** Closes the listener and every open connection; new clients are refused until {@link #start()}. */
    synchronized void stop() {
        if (!enabled) {
            return;
        }
        enabled = false;
        closeQuietly(listener);
        listener = null;
        List<Connection> open = List.copyOf(connections);
        open.forEach(connection -> connection.close(false));
        log.info("proxy {} no longer listening on {}, {} open connections dropped", name, listen, open.size());
    }

    /** Applies a {@code POST /proxies/{name}} body; a new address restarts the listener, as Toxiproxy does. */
    synchronized void update(JsonNode body) throws ApiError {
        JsonFields.requireObject(body);
        String newListen = JsonFields.text(body, "listen", listen);
        String newUpstream = JsonFields.text(body, "upstream", upstream);
        boolean newEnabled = JsonFields.bool(body, "enabled", enabled);
        if (!newListen.equals(listen) || !newUpstream.equals(upstream)) {
            stop();
            listen = newListen;
            upstream = newUpstream;
        }
        if (newEnabled) {
            start();
        } else {
            stop();
        }
    }

    synchronized Toxic toxic(String toxicName) throws ApiError {
        return toxics.get(indexOf(toxicName));
    }

    synchronized Toxic addToxic(JsonNode body) throws ApiError {
        Toxic toxic = Toxic.fromJson(body);
        if (toxics.stream().anyMatch(t -> t.name().equals(toxic.name()))) {
            throw ApiError.TOXIC_ALREADY_EXISTS;
        }
        toxics.add(toxic);
        for (Connection connection : connections) {
            connection.link(toxic.stream()).add(toxic);
        }
        log.info("proxy {}: toxic {} added ({})", name, toxic.name(), describe(toxic));
        return toxic;
    }

    synchronized Toxic updateToxic(String toxicName, JsonNode body) throws ApiError {
        int index = indexOf(toxicName);
        Toxic updated = toxics.get(index).updatedWith(body);
        toxics.set(index, updated);
        for (Connection connection : connections) {
            connection.link(updated.stream()).update(updated);
        }
        log.info("proxy {}: toxic {} updated ({})", name, updated.name(), describe(updated));
        return updated;
    }

    synchronized void removeToxic(String toxicName) throws ApiError {
        Toxic removed = toxics.remove(indexOf(toxicName));
        int closed = 0;
        for (Connection connection : connections) {
            if (connection.link(removed.stream()).remove(removed.name())) {
                connection.close(false);
                closed++;
            }
        }
        log.info("proxy {}: toxic {} removed{}", name, removed.name(),
                closed > 0 ? ", " + closed + " connections it held closed" : "");
    }

    synchronized void removeAllToxics() {
        for (Toxic toxic : List.copyOf(toxics)) {
            try {
                removeToxic(toxic.name());
            } catch (ApiError e) {
                throw new IllegalStateException("toxic " + toxic.name() + " vanished under the proxy's lock", e);
            }
        }
    }

    /** The proxy as Toxiproxy shows it; toxics upstream first, then downstream, as Toxiproxy lists them. */
    synchronized ObjectNode toJson() {
        ObjectNode json = JsonNodeFactory.instance.objectNode();
        json.put("name", name);
        json.put("listen", listen);
        json.put("upstream", upstream);
        json.put("enabled", enabled);
        json.set("toxics", toxicsJson());
        return json;
    }

    synchronized ArrayNode toxicsJson() {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        for (Direction direction : List.of(Direction.UPSTREAM, Direction.DOWNSTREAM)) {
            for (Toxic toxic : toxics) {
                if (toxic.stream() == direction) {
                    array.add(toxic.toJson());
                }
            }
        }
        return array;
    }

    void forget(Connection connection) {
        if (connections.remove(connection)) {
            log.debug("proxy {}: {} closed", name, connection);
        }
    }

    private void accept(ServerSocket socket) {
        while (true) {
            Socket client;
            try {
                client = socket.accept();
            } catch (IOException e) {
                return; // closed by stop()
            }
            traffic.accepted();
            threads.execute(Threads.named("proxy " + name + " connecting " + client.getRemoteSocketAddress(),
                    () -> connect(socket, client)));
        }
    }

    private void connect(ServerSocket acceptedBy, Socket client) {
        String target;
        synchronized (this) {
            target = upstream;
        }
        Socket server = new Socket();
        try {
            client.setTcpNoDelay(true);
            server.setTcpNoDelay(true);
            server.connect(HostPort.parse(target).resolve(), CONNECT_TIMEOUT_MS);
        } catch (IOException | IllegalArgumentException e) {
            // Expected while a chaos scenario has the upstream down, so not a warning.
            log.info("proxy {}: unable to open a connection to upstream {}: {}", name, target, e.toString());
            closeQuietly(client);
            closeQuietly(server);
            return;
        }
        Connection connection;
        synchronized (this) {
            // A proxy stopped or moved while the upstream was dialled must not adopt the connection.
            if (listener != acceptedBy) {
                closeQuietly(client);
                closeQuietly(server);
                return;
            }
            connection = new Connection(this, "proxy " + name + " " + client.getRemoteSocketAddress(), client, server,
                    List.copyOf(toxics), passHalfClose, traffic);
            connections.add(connection);
        }
        traffic.connected(server.getLocalPort());
        log.debug("proxy {}: accepted {}", name, client.getRemoteSocketAddress());
        connection.start(threads);
    }

    private int indexOf(String toxicName) throws ApiError {
        for (int i = 0; i < toxics.size(); i++) {
            if (toxics.get(i).name().equals(toxicName)) {
                return i;
            }
        }
        throw ApiError.TOXIC_NOT_FOUND;
    }

    private static String describe(Toxic toxic) {
        return toxic.type().wireName() + " " + toxic.stream().wireName() + " " + toxic.attributes()
                + (toxic.toxicity() < 1 ? " toxicity " + toxic.toxicity() : "");
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            // Closing is all that is wanted here.
        }
    }
}
