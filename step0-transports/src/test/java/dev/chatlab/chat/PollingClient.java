package dev.chatlab.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** A recording short- or long-polling client: it keeps every message it receives, in order, and follows the cursor. */
final class PollingClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http;
    private final URI base;
    private final String path;
    private final List<JsonNode> messages = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();
    private volatile long cursor;

    private PollingClient(HttpClient http, URI base, String path) {
        this.http = http;
        this.base = base;
        this.path = path;
        // The first poll, without a cursor, returns at once with "now": nothing posted after it is missed.
        this.cursor = get("/poll").path("next").asLong();
    }

    /** Asks {@code GET /poll?after=N} every {@code interval}. */
    static PollingClient shortPolling(HttpClient http, URI base, Duration interval) {
        PollingClient client = new PollingClient(http, base, "/poll?after=");
        client.loop.scheduleWithFixedDelay(client::pollOnce, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return client;
    }

    /** Asks {@code GET /long-poll?after=N} again as soon as each answer arrives. */
    static PollingClient longPolling(HttpClient http, URI base) {
        PollingClient client = new PollingClient(http, base, "/long-poll?timeout=2000&after=");
        client.loop.scheduleWithFixedDelay(client::pollOnce, 0, 1, TimeUnit.MILLISECONDS);
        return client;
    }

    List<JsonNode> messages() {
        return List.copyOf(messages);
    }

    List<Long> seqs() {
        return messages.stream().map(m -> m.path("seq").asLong()).toList();
    }

    List<String> texts() {
        return messages.stream().map(m -> m.path("message").asText()).toList();
    }

    private void pollOnce() {
        try {
            JsonNode batch = get(path + cursor);
            batch.path("messages").forEach(messages::add);
            cursor = batch.path("next").asLong();
        } catch (RuntimeException stopped) {
            // closed, or the server is gone: the test's wait reports what is missing
        }
    }

    private JsonNode get(String pathAndQuery) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve(pathAndQuery)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException("GET " + pathAndQuery + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        loop.shutdownNow();
    }
}
