package dev.chatlab.bench;

import dev.chatlab.toxiproxy.Direction;
import dev.chatlab.toxiproxy.Relay;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP relay that counts every byte it passes in each direction, so that a transport's
 * cost is measured at the socket: HTTP headers, chunking and WebSocket framing included. The relaying
 * is toxiproxy-jvm's {@link Relay}; this counts what it hears.
 */
public final class CountingRelay implements AutoCloseable {
    private final Counts counts = new Counts();
    private final Relay relay;

    private CountingRelay(InetSocketAddress target) throws IOException {
        this.relay = Relay.start(target, counts);
    }

    /** Listens on a free loopback port and relays each connection to {@code target}. */
    public static CountingRelay start(InetSocketAddress target) throws IOException {
        return new CountingRelay(target);
    }

    /** Where clients connect instead of the target. */
    public InetSocketAddress address() {
        return relay.address();
    }

    /** Bytes clients sent to the server so far. */
    public long bytesToServer() {
        return counts.toServer.get();
    }

    /** Bytes the server sent to clients so far. */
    public long bytesToClient() {
        return counts.toClient.get();
    }

    public long bytes() {
        return bytesToServer() + bytesToClient();
    }

    /** Connections accepted since the start. */
    public long connectionsAccepted() {
        return counts.accepted.get();
    }

    /** Connections relayed right now. */
    public int connectionsOpen() {
        return relay.connectionsOpen();
    }

    /** The local ports of every connection the relay opened to the target: how the target's side of them can be found. */
    public Set<Integer> upstreamPorts() {
        return Set.copyOf(counts.upstreamPorts);
    }

    /** Stops listening and cuts every relayed connection. */
    @Override
    public void close() {
        relay.close();
    }

    private static final class Counts implements Relay.Traffic {
        final AtomicLong toServer = new AtomicLong();
        final AtomicLong toClient = new AtomicLong();
        final AtomicLong accepted = new AtomicLong();
        final Set<Integer> upstreamPorts = ConcurrentHashMap.newKeySet();

        @Override
        public void accepted() {
            accepted.incrementAndGet();
        }

        @Override
        public void connected(int localPort) {
            upstreamPorts.add(localPort);
        }

        @Override
        public void relayed(Direction direction, int bytes) {
            (direction == Direction.UPSTREAM ? toServer : toClient).addAndGet(bytes);
        }
    }
}
