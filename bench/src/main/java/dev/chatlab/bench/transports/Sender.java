package dev.chatlab.bench.transports;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Posts messages at a fixed rate, straight to the server (not through any relay, so sending is never
 * counted against a transport), each carrying the moment it was sent.
 */
final class Sender implements AutoCloseable {
    private final HttpClient http;
    private final URI messages;
    private final int ratePerSecond;
    private final ScheduledExecutorService scheduler;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private ScheduledFuture<?> ticks;

    Sender(HttpClient http, URI server, int ratePerSecond, ScheduledExecutorService scheduler) {
        this.http = http;
        this.messages = server.resolve("/messages");
        this.ratePerSecond = ratePerSecond;
        this.scheduler = scheduler;
    }

    Sender start() {
        long period = 1_000_000_000L / ratePerSecond;
        ticks = scheduler.scheduleAtFixedRate(this::sendOne, 0, period, TimeUnit.NANOSECONDS);
        return this;
    }

    long sent() {
        return sent.get();
    }

    long failed() {
        return failed.get();
    }

    private void sendOne() {
        String body = "{\"message\":\"" + Tally.PREFIX + System.nanoTime() + "\",\"from\":\"bench\"}";
        HttpRequest request = HttpRequest.newBuilder(messages).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        sent.incrementAndGet();
        http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
            if (error != null || response.statusCode() != 201) {
                failed.incrementAndGet();
            }
        });
    }

    @Override
    public void close() {
        if (ticks != null) {
            ticks.cancel(false);
        }
    }
}
