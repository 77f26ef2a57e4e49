package dev.chatlab.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP relay that counts every byte it passes in each direction, so that a transport's
 * cost is measured at the socket: HTTP headers, chunking and WebSocket framing included.
 */
public final class CountingRelay implements AutoCloseable {
    private static final int BUFFER = 8 * 1024;

    private final AsynchronousChannelGroup group;
    private final InetSocketAddress target;
    private final AsynchronousServerSocketChannel listener;
    private final AtomicLong toServer = new AtomicLong();
    private final AtomicLong toClient = new AtomicLong();
    private final AtomicLong accepted = new AtomicLong();
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final Set<Integer> upstreamPorts = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private CountingRelay(AsynchronousChannelGroup group, InetSocketAddress target) throws IOException {
        this.group = group;
        this.target = target;
        this.listener = AsynchronousServerSocketChannel.open(group)
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
    }

    /** Listens on a free loopback port and relays each connection to {@code target}. */
    public static CountingRelay start(InetSocketAddress target, AsynchronousChannelGroup group) throws IOException {
        CountingRelay relay = new CountingRelay(group, target);
        relay.acceptNext();
        return relay;
    }

    /** Where clients connect instead of the target. */
    public InetSocketAddress address() {
        try {
            return (InetSocketAddress) listener.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException("the relay has no address", e);
        }
    }

    /** Bytes clients sent to the server so far. */
    public long bytesToServer() {
        return toServer.get();
    }

    /** Bytes the server sent to clients so far. */
    public long bytesToClient() {
        return toClient.get();
    }

    public long bytes() {
        return toServer.get() + toClient.get();
    }

    /** Connections accepted since the start. */
    public long connectionsAccepted() {
        return accepted.get();
    }

    /** Connections relayed right now. */
    public int connectionsOpen() {
        return links.size();
    }

    /** The local ports of every connection the relay opened to the target: how the target's side of them can be found. */
    public Set<Integer> upstreamPorts() {
        return Set.copyOf(upstreamPorts);
    }

    /** Stops listening and cuts every relayed connection. */
    @Override
    public void close() {
        closed = true;
        quietly(listener);
        links.forEach(Link::close);
    }

    private void acceptNext() {
        listener.accept(null, new CompletionHandler<AsynchronousSocketChannel, Void>() {
            @Override
            public void completed(AsynchronousSocketChannel client, Void nothing) {
                acceptNext();
                accepted.incrementAndGet();
                connect(client);
            }

            @Override
            public void failed(Throwable error, Void nothing) {
                if (!closed && listener.isOpen()) {
                    acceptNext();
                }
            }
        });
    }

    private void connect(AsynchronousSocketChannel client) {
        AsynchronousSocketChannel server;
        try {
            server = AsynchronousSocketChannel.open(group);
            // Without this, small writes wait on delayed ACKs and latency becomes Nagle's, not the transport's.
            server.setOption(StandardSocketOptions.TCP_NODELAY, true);
            client.setOption(StandardSocketOptions.TCP_NODELAY, true);
        } catch (IOException e) {
            quietly(client);
            return;
        }
        Link link = new Link(client, server);
        links.add(link);
        if (closed) {
            link.close();
            return;
        }
        server.connect(target, null, new CompletionHandler<Void, Void>() {
            @Override
            public void completed(Void result, Void nothing) {
                try {
                    upstreamPorts.add(((InetSocketAddress) server.getLocalAddress()).getPort());
                } catch (IOException closedAlready) {
                    link.close();
                    return;
                }
                new Pipe(client, server, toServer, link).read();
                new Pipe(server, client, toClient, link).read();
            }

            @Override
            public void failed(Throwable error, Void nothing) {
                link.close();
            }
        });
    }

    /** Both ends of one relayed connection; closed when both directions have ended, or at the first error. */
    private final class Link {
        private final AsynchronousSocketChannel client;
        private final AsynchronousSocketChannel server;
        private final AtomicInteger ended = new AtomicInteger();

        Link(AsynchronousSocketChannel client, AsynchronousSocketChannel server) {
            this.client = client;
            this.server = server;
        }

        void directionEnded() {
            if (ended.incrementAndGet() == 2) {
                close();
            }
        }

        void close() {
            quietly(client);
            quietly(server);
            links.remove(this);
        }
    }

    /** Copies one direction: read, count, write all of it, read again. */
    private static final class Pipe {
        private final AsynchronousSocketChannel from;
        private final AsynchronousSocketChannel to;
        private final AtomicLong counter;
        private final Link link;
        private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER);

        Pipe(AsynchronousSocketChannel from, AsynchronousSocketChannel to, AtomicLong counter, Link link) {
            this.from = from;
            this.to = to;
            this.counter = counter;
            this.link = link;
        }

        void read() {
            buffer.clear();
            from.read(buffer, null, new CompletionHandler<Integer, Void>() {
                @Override
                public void completed(Integer n, Void nothing) {
                    if (n < 0) {
                        // Pass the half-close on: HTTP clients and servers may still be talking the other way.
                        try {
                            to.shutdownOutput();
                        } catch (IOException ignored) {
                            link.close();
                            return;
                        }
                        link.directionEnded();
                        return;
                    }
                    counter.addAndGet(n);
                    buffer.flip();
                    write();
                }

                @Override
                public void failed(Throwable error, Void nothing) {
                    link.close();
                }
            });
        }

        private void write() {
            to.write(buffer, null, new CompletionHandler<Integer, Void>() {
                @Override
                public void completed(Integer n, Void nothing) {
                    if (buffer.hasRemaining()) {
                        write();
                    } else {
                        read();
                    }
                }

                @Override
                public void failed(Throwable error, Void nothing) {
                    link.close();
                }
            });
        }
    }

    private static void quietly(java.io.Closeable channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
