package dev.chatlab.toxiproxy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A plain TCP relay on a free loopback port, made in code rather than through the API: a proxy of this server's with
 * no toxics that passes a half-close on (HTTP clients and servers may still be talking the other way) and tells a
 * {@link Traffic} what it relays.
 */
public final class Relay implements AutoCloseable {
    private static final AtomicLong COUNT = new AtomicLong();

    /** Hears a relay's traffic; called from the relay's threads, so an implementation must be thread-safe. */
    public interface Traffic {
        /** Hears nothing. */
        Traffic NONE = new Traffic() {
        };

        /** A client was accepted; it is relayed once the upstream answers. */
        default void accepted() {
        }

        /** The relay's own connection to the upstream, for a client just accepted, is open from {@code localPort}. */
        default void connected(int localPort) {
        }

        /** {@code bytes} more were passed on in {@code direction}: {@code UPSTREAM} is client to upstream. */
        default void relayed(Direction direction, int bytes) {
        }
    }

    private final ExecutorService threads;
    private final Proxy proxy;

    private Relay(ExecutorService threads, Proxy proxy) {
        this.threads = threads;
        this.proxy = proxy;
    }

    /** Listens on a free loopback port and relays each connection to {@code upstream}. */
    public static Relay start(InetSocketAddress upstream, Traffic traffic) throws IOException {
        String name = "relay-" + COUNT.incrementAndGet();
        ExecutorService threads = Threads.daemonPool(name);
        Proxy proxy = new Proxy(name, HostPort.DEFAULT_HOST + ":0", HostPort.of(upstream).toString(), threads,
                true, traffic);
        try {
            proxy.start();
        } catch (ApiError e) {
            threads.shutdownNow();
            throw new IOException(e.getMessage(), e);
        }
        return new Relay(threads, proxy);
    }

    /** Where clients connect instead of the upstream. */
    public InetSocketAddress address() {
        return HostPort.parse(proxy.listen()).resolve();
    }

    /** Connections relayed right now. */
    public int connectionsOpen() {
        return proxy.openConnections();
    }

    /** Stops listening and cuts every relayed connection. */
    @Override
    public void close() {
        proxy.stop();
        threads.shutdown();
    }
}
