package dev.chatlab.toxiproxy;

import java.io.IOException;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** One client accepted by a proxy and its connection to the upstream: two links, closed together. */
final class Connection {
    private final Proxy proxy;
    private final String name;
    private final Socket client;
    private final Socket upstream;
    private final Link upstreamLink;
    private final Link downstreamLink;
    private final boolean passHalfClose;
    private final Relay.Traffic traffic;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicInteger directionsEnded = new AtomicInteger();

    Connection(Proxy proxy, String name, Socket client, Socket upstream, List<Toxic> toxics, boolean passHalfClose,
               Relay.Traffic traffic) {
        this.proxy = proxy;
        this.name = name;
        this.client = client;
        this.upstream = upstream;
        this.passHalfClose = passHalfClose;
        this.traffic = traffic;
        this.upstreamLink = new Link(this, Direction.UPSTREAM, client, upstream, toxics);
        this.downstreamLink = new Link(this, Direction.DOWNSTREAM, upstream, client, toxics);
    }

    void start(Executor threads) {
        threads.execute(Threads.named(name + " upstream reader", upstreamLink::read));
        threads.execute(Threads.named(name + " upstream writer", upstreamLink::write));
        threads.execute(Threads.named(name + " downstream reader", downstreamLink::read));
        threads.execute(Threads.named(name + " downstream writer", downstreamLink::write));
    }

    Link link(Direction direction) {
        return direction == Direction.UPSTREAM ? upstreamLink : downstreamLink;
    }

    /** Whether the end of one side only ends that direction (a {@link Relay}), not the whole connection (Toxiproxy). */
    boolean passesHalfClose() {
        return passHalfClose;
    }

    /** {@code bytes} were written on in {@code direction}. */
    void relayed(Direction direction, int bytes) {
        traffic.relayed(direction, bytes);
    }

    /** One direction has passed its end of stream on; once both have, the connection is over. */
    void directionEnded() {
        if (directionsEnded.incrementAndGet() == 2) {
            close(false);
        }
    }

    /**
     * Closes both sockets, and with them all four threads. Toxiproxy has no half-close: the end of either side ends
     * the whole connection (unless {@link #passesHalfClose()}). With {@code reset}, SO_LINGER 0 makes the close a TCP
     * RST instead of a FIN.
     */
    void close(boolean reset) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (Socket socket : List.of(client, upstream)) {
            if (reset) {
                try {
                    socket.setSoLinger(true, 0);
                } catch (IOException e) {
                    // Already closed: nothing left to reset.
                }
            }
            try {
                socket.close();
            } catch (IOException e) {
                // Closing is all that is wanted here.
            }
        }
        upstreamLink.stop();
        downstreamLink.stop();
        proxy.forget(this);
    }

    @Override
    public String toString() {
        return name;
    }
}
