package dev.chatlab.bench.transports;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.chatlab.bench.Latency;

/**
 * One transport under load, over the measured window (after the warm-up): what was offered, what was
 * delivered, and what the delivery cost.
 *
 * @param transport    the transport's label
 * @param clients      receiving clients asked for
 * @param ready        receiving clients that were connected when the warm-up began
 * @param offeredRate  messages per second the sender posted
 * @param seconds      length of the measured window
 * @param sent         messages posted during the window
 * @param latency      delivery latency (microseconds) of every message received in the window
 * @param requests     HTTP requests the clients made in the window (a WebSocket or event stream counts one per connect)
 * @param bytes        bytes through the transport's relay in the window, both directions
 * @param cpuMicros    server CPU time (user + system) in the window
 */
public record LoadResult(String transport, int clients, int ready, int offeredRate, double seconds, long sent,
                         Latency latency, long requests, long bytes, long cpuMicros) {

    /** Messages received by all clients together in the window (each client counts each message once). */
    @JsonProperty
    public long delivered() {
        return latency.count();
    }

    @JsonProperty
    public double requestsPerMessage() {
        return per(requests);
    }

    @JsonProperty
    public double bytesPerMessage() {
        return per(bytes);
    }

    @JsonProperty
    public double cpuMicrosPerMessage() {
        return per(cpuMicros);
    }

    /** Delivered over what the window should have delivered (sent × ready clients); near 1 when nothing is lost or late. */
    @JsonProperty
    public double deliveredShare() {
        long expected = sent * ready;
        return expected == 0 ? Double.NaN : (double) delivered() / expected;
    }

    private double per(long total) {
        return delivered() == 0 ? Double.NaN : (double) total / delivered();
    }
}
