package dev.chatlab.testkit;

import java.util.concurrent.Flow;
import java.util.function.Consumer;

/**
 * Reads the event-stream format (Server-Sent Events) line by line, as the JDK's
 * {@code HttpResponse.BodyHandlers.fromLineSubscriber} hands the lines over: {@code id:} and {@code data:} lines make
 * an event, an empty line ends it, a line starting with {@code :} is a comment. Other fields ({@code event:},
 * {@code retry:}) are ignored; several {@code data:} lines are joined with newlines.
 *
 * <p>The end of the stream is not reported here: the response future that {@code sendAsync} returns completes then.
 */
public final class SseReader implements Flow.Subscriber<String> {
    /** One event as it came over the wire; {@code id} is null when the event had none. */
    public record Event(String id, String data) {
    }

    private final Consumer<Event> onEvent;
    private final Consumer<String> onComment;
    private final StringBuilder data = new StringBuilder();
    private String id;
    private volatile Flow.Subscription subscription;

    /**
     * @param onEvent   each complete event with data, in order
     * @param onComment the text of each comment line, after the {@code :} and trimmed (a server's {@code : ready})
     */
    public SseReader(Consumer<Event> onEvent, Consumer<String> onComment) {
        this.onEvent = onEvent;
        this.onComment = onComment;
    }

    /** Stops reading: the stream's connection is let go. */
    public void cancel() {
        Flow.Subscription current = subscription;
        if (current != null) {
            current.cancel();
        }
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
        if (line.isEmpty()) {
            if (data.length() > 0) {
                onEvent.accept(new Event(id, data.toString()));
            }
            id = null;
            data.setLength(0);
        } else if (line.startsWith(":")) {
            onComment.accept(line.substring(1).trim());
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
    public void onError(Throwable error) {
        // the response future says so
    }

    @Override
    public void onComplete() {
        // likewise
    }
}
