package dev.chatlab.bench.transports;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chatlab.testkit.SseReader;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** One receiving client per transport, each written the way a browser page would use that transport. */
final class Receivers {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration RETRY = Duration.ofSeconds(1);

    private Receivers() {
    }

    /** A client that receives the room's messages and reports them to its phase's {@link Tally}. */
    interface Receiver {
        /** Completes once nothing posted from now on can be missed. */
        CompletableFuture<Void> ready();

        /** Stops making requests; the relay cuts the connection. */
        void close();
    }

    static Receiver open(Transport transport, Clients clients) {
        return switch (transport) {
            case SHORT_POLLING -> new ShortPolling(clients);
            case LONG_POLLING -> new LongPolling(clients);
            case SSE -> new EventStream(clients);
            case WEBSOCKET -> new Socket(clients);
        };
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    /** Reads a poll's answer: hands each message to the tally and returns the next cursor (or -1 when the answer was bad). */
    private static long take(HttpResponse<String> response, Tally tally) {
        if (response.statusCode() != 200) {
            return -1;
        }
        JsonNode batch = parse(response.body());
        batch.path("messages").forEach(tally::received);
        return batch.path("next").asLong(-1);
    }

    /** {@code GET /poll?after=N} every interval, starting at a random point of the first one so that clients spread out. */
    static final class ShortPolling implements Receiver {
        private final Clients clients;
        private final CompletableFuture<Void> ready = new CompletableFuture<>();
        private final AtomicBoolean inFlight = new AtomicBoolean(true);
        private volatile long cursor;
        private volatile ScheduledFuture<?> ticks;

        ShortPolling(Clients clients) {
            this.clients = clients;
            clients.get("/poll").whenComplete((response, error) -> {
                long next = error == null ? take(response, clients.tally()) : -1;
                if (next < 0) {
                    ready.completeExceptionally(error != null ? error : new IOException("the first poll failed"));
                    return;
                }
                cursor = next;
                inFlight.set(false);
                long interval = clients.pollInterval().toNanos();
                ticks = clients.scheduler().scheduleAtFixedRate(this::tick,
                        ThreadLocalRandom.current().nextLong(interval), interval, TimeUnit.NANOSECONDS);
                ready.complete(null);
            });
        }

        private void tick() {
            // A poll still on its way is not doubled: the next tick asks instead.
            if (clients.stopped() || !inFlight.compareAndSet(false, true)) {
                return;
            }
            clients.get("/poll?after=" + cursor).whenComplete((response, error) -> {
                if (error == null) {
                    long next = take(response, clients.tally());
                    if (next >= 0) {
                        cursor = next;
                    }
                }
                inFlight.set(false);
            });
        }

        @Override
        public CompletableFuture<Void> ready() {
            return ready;
        }

        @Override
        public void close() {
            ScheduledFuture<?> current = ticks;
            if (current != null) {
                current.cancel(false);
            }
        }
    }

    /** {@code GET /long-poll?after=N}, asked again as soon as each answer arrives (after a pause when it failed). */
    static final class LongPolling implements Receiver {
        private final Clients clients;
        private final CompletableFuture<Void> ready = new CompletableFuture<>();
        private volatile long cursor;

        LongPolling(Clients clients) {
            this.clients = clients;
            // The first, short poll fixes the cursor: from then on nothing posted is missed.
            clients.get("/poll").whenComplete((response, error) -> {
                long next = error == null ? take(response, clients.tally()) : -1;
                if (next < 0) {
                    ready.completeExceptionally(error != null ? error : new IOException("the first poll failed"));
                    return;
                }
                cursor = next;
                ready.complete(null);
                poll();
            });
        }

        private void poll() {
            if (clients.stopped()) {
                return;
            }
            clients.get("/long-poll?after=" + cursor).whenComplete((response, error) -> {
                long next = error == null ? take(response, clients.tally()) : -1;
                if (next < 0) {
                    if (!clients.stopped()) {
                        clients.scheduler().schedule(this::poll, RETRY.toMillis(), TimeUnit.MILLISECONDS);
                    }
                    return;
                }
                cursor = next;
                poll();
            });
        }

        @Override
        public CompletableFuture<Void> ready() {
            return ready;
        }

        @Override
        public void close() {
            // stopped() ends the loop; the relay cuts the request in flight
        }
    }

    /** {@code GET /events} read line by line as it streams; reconnects with {@code Last-Event-ID} as EventSource does. */
    static final class EventStream implements Receiver {
        private final Clients clients;
        private final CompletableFuture<Void> ready = new CompletableFuture<>();
        private volatile String lastEventId;
        private volatile SseReader reader;

        EventStream(Clients clients) {
            this.clients = clients;
            connect();
        }

        private void connect() {
            if (clients.stopped()) {
                return;
            }
            clients.tally().request();
            HttpRequest.Builder request = HttpRequest.newBuilder(clients.base().resolve("/events"))
                    .header("Accept", "text/event-stream");
            String resumeFrom = lastEventId;
            if (resumeFrom != null) {
                request.header("Last-Event-ID", resumeFrom);
            }
            SseReader lines = new SseReader(event -> {
                if (event.id() != null) {
                    lastEventId = event.id();
                }
                clients.tally().received(parse(event.data()));
            }, comment -> {
                if (comment.equals("ready")) {
                    ready.complete(null);
                }
            });
            reader = lines;
            clients.http().sendAsync(request.build(), HttpResponse.BodyHandlers.fromLineSubscriber(lines))
                    .whenComplete((response, error) -> {
                        if (!clients.stopped()) {
                            clients.scheduler().schedule(this::connect, RETRY.toMillis(), TimeUnit.MILLISECONDS);
                        }
                    });
        }

        @Override
        public CompletableFuture<Void> ready() {
            return ready;
        }

        @Override
        public void close() {
            SseReader current = reader;
            if (current != null) {
                current.cancel();
            }
        }
    }

    /** One WebSocket; every text frame is one message. */
    static final class Socket implements Receiver {
        private final Clients clients;
        private final CompletableFuture<Void> ready = new CompletableFuture<>();
        private volatile WebSocket socket;

        Socket(Clients clients) {
            this.clients = clients;
            clients.tally().request();
            clients.http().newWebSocketBuilder().buildAsync(clients.ws(), new Listener()).whenComplete((ws, error) -> {
                if (error != null) {
                    ready.completeExceptionally(error);
                } else {
                    socket = ws;
                    ready.complete(null);
                }
            });
        }

        @Override
        public CompletableFuture<Void> ready() {
            return ready;
        }

        @Override
        public void close() {
            WebSocket current = socket;
            if (current != null) {
                current.abort();
            }
        }

        private final class Listener implements WebSocket.Listener {
            private final StringBuilder text = new StringBuilder();

            @Override
            public void onOpen(WebSocket webSocket) {
                webSocket.request(1);
            }

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                text.append(data);
                if (last) {
                    clients.tally().received(parse(text.toString()));
                    text.setLength(0);
                }
                webSocket.request(1);
                return null;
            }
        }
    }
}
