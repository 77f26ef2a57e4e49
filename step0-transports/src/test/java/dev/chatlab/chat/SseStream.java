package dev.chatlab.chat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;

/** A recording event-stream client on the JDK's HttpClient: it keeps every event it reads, and says when the stream is live. */
final class SseStream implements AutoCloseable {
    /** One event as it came over the wire. */
    record Event(String id, String data) {
    }

    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final AtomicBoolean ready = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile Flow.Subscription subscription;

    private SseStream() {
    }

    /** Opens {@code GET /events}, with a {@code Last-Event-ID} header when {@code lastEventId} is not null. */
    static SseStream open(HttpClient http, URI base, String lastEventId) {
        SseStream stream = new SseStream();
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/events")).header("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        http.sendAsync(request.build(), HttpResponse.BodyHandlers.fromLineSubscriber(stream.new Lines()))
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
        Flow.Subscription current = subscription;
        if (current != null) {
            current.cancel();
        }
    }

    private final class Lines implements Flow.Subscriber<String> {
        private String id;
        private final StringBuilder data = new StringBuilder();

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            if (line.isEmpty()) {
                if (data.length() > 0) {
                    events.add(new Event(id, data.toString()));
                }
                id = null;
                data.setLength(0);
            } else if (line.startsWith(":")) {
                if (line.substring(1).trim().equals("ready")) {
                    ready.set(true);
                }
            } else if (line.startsWith("id:")) {
                id = line.substring(3).trim();
            } else if (line.startsWith("data:")) {
                if (data.length() > 0) {
                    data.append('\n');
                }
                data.append(line.substring(line.startsWith("data: ") ? 6 : 5));
            }
        }

        @Override
        public void onError(Throwable throwable) {
            ended.set(true);
        }

        @Override
        public void onComplete() {
            ended.set(true);
        }
    }
}
