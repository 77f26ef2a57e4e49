package dev.chatlab.bench.transports;

import dev.chatlab.bench.CountingRelay;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every client of one transport in one phase: they share a JDK HttpClient (NIO, a selector thread and
 * a small executor, not a thread per connection) and reach the server through their own counting relay.
 */
final class Clients implements AutoCloseable {
    private static final int OPENING_AT_ONCE = 64;

    private final Transport transport;
    private final CountingRelay relay;
    private final ExecutorService callbacks;
    private final HttpClient http;
    private final ScheduledExecutorService scheduler;
    private final Duration pollInterval;
    private final URI base;
    private final URI ws;
    private final Tally tally = new Tally();
    private final List<Receivers.Receiver> receivers = new CopyOnWriteArrayList<>();
    private volatile boolean stopped;

    Clients(Transport transport, InetSocketAddress server, ScheduledExecutorService scheduler, Duration pollInterval) {
        this.transport = transport;
        try {
            this.relay = CountingRelay.start(server);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the relay for " + transport.label(), e);
        }
        this.callbacks = Executors.newFixedThreadPool(2, runnable -> {
            Thread thread = new Thread(runnable, transport.key() + "-client");
            thread.setDaemon(true);
            return thread;
        });
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(callbacks)
                .connectTimeout(Duration.ofSeconds(10)).build();
        this.scheduler = scheduler;
        this.pollInterval = pollInterval;
        String address = "127.0.0.1:" + relay.address().getPort();
        this.base = URI.create("http://" + address + "/");
        this.ws = URI.create("ws://" + address + "/");
    }

    /** Opens {@code count} more clients, at most 64 handshakes at a time; returns how many were ready within {@code atMost}. */
    int open(int count, Duration atMost) {
        Semaphore opening = new Semaphore(OPENING_AT_ONCE);
        AtomicInteger ready = new AtomicInteger();
        long deadline = System.nanoTime() + atMost.toNanos();
        for (int i = 0; i < count; i++) {
            try {
                if (!opening.tryAcquire(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            Receivers.Receiver receiver = Receivers.open(transport, this);
            receivers.add(receiver);
            receiver.ready().whenComplete((ok, error) -> {
                if (error == null) {
                    ready.incrementAndGet();
                }
                opening.release();
            });
        }
        try {
            opening.tryAcquire(OPENING_AT_ONCE, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ready.get();
    }

    Transport transport() {
        return transport;
    }

    Tally tally() {
        return tally;
    }

    CountingRelay relay() {
        return relay;
    }

    HttpClient http() {
        return http;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    Duration pollInterval() {
        return pollInterval;
    }

    URI base() {
        return base;
    }

    URI ws() {
        return ws;
    }

    boolean stopped() {
        return stopped;
    }

    /** {@code GET path} through the relay, counted as a request. */
    CompletableFuture<HttpResponse<String>> get(String path) {
        tally.request();
        return http.sendAsync(HttpRequest.newBuilder(base.resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Stops every client, then cuts their connections at the relay. */
    @Override
    public void close() {
        stopped = true;
        receivers.forEach(Receivers.Receiver::close);
        relay.close();
        callbacks.shutdownNow();
    }
}
