package dev.chatlab.chat;

import dev.chatlab.testkit.SseReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/** A recording event-stream client on the JDK's HttpClient: it keeps every event it reads, and says when the stream is live. */
final class SseStream implements AutoCloseable {
    /** One event as it came over the wire. */
    record Event(String id, String data) {
    }

    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final AtomicBoolean ready = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final SseReader reader = new SseReader(e -> events.add(new Event(e.id(), e.data())), comment -> {
        if (comment.equals("ready")) {
            ready.set(true);
        }
    });

    private SseStream() {
    }

    /** Opens {@code GET /events}, with a {@code Last-Event-ID} header when {@code lastEventId} is not null. */
    static SseStream open(HttpClient http, URI base, String lastEventId) {
        SseStream stream = new SseStream();
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/events")).header("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        http.sendAsync(request.build(), HttpResponse.BodyHandlers.fromLineSubscriber(stream.reader))
                .whenComplete((response, error) -> stream.ended.set(true));
        return stream;
    }

    List<Event> events() {
        return List.copyOf(events);
    }

    /** True once the server's {@code : ready} comment arrived: from then on, nothing posted is missed. */
    boolean isReady() {
        return ready.get();
    }

    boolean hasEnded() {
        return ended.get();
    }

    @Override
    public void close() {
        reader.cancel();
    }
}
