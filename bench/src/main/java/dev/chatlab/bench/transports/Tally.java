package dev.chatlab.bench.transports;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What one transport's clients did: the HTTP requests they made, and the delivery latency of every
 * bench message they received, measured against the send time the message carries.
 */
final class Tally {
    /** Bench messages read {@code bench <System.nanoTime() at send>}: sender and receivers share one JVM, so one clock. */
    static final String PREFIX = "bench ";

    private final Recorder latencies = new Recorder(3);
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong received = new AtomicLong();

    void request() {
        requests.incrementAndGet();
    }

    long requests() {
        return requests.get();
    }

    /** Every bench message received, warm-up included. */
    long received() {
        return received.get();
    }

    void received(JsonNode message) {
        long now = System.nanoTime();
        String text = message.path("message").asText("");
        if (!text.startsWith(PREFIX)) {
            return;
        }
        long sentAt;
        try {
            sentAt = Long.parseLong(text.substring(PREFIX.length()));
        } catch (NumberFormatException notOurs) {
            return;
        }
        received.incrementAndGet();
        latencies.recordValue(Math.max(0, (now - sentAt) / 1_000));
    }

    /** The latencies (microseconds) recorded since the previous call; the first call ends the warm-up. */
    Histogram window() {
        return latencies.getIntervalHistogram();
    }
}
