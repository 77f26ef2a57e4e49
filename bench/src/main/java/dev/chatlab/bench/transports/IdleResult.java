package dev.chatlab.bench.transports;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One transport with many clients and no messages: what merely staying connected costs the server.
 *
 * @param transport         the transport's label
 * @param clients           idle clients asked for
 * @param ready             idle clients that connected
 * @param connectionsBefore the server's established connections before they connected
 * @param connections       and with them connected, at the end of the window
 * @param threadsBefore     the server's threads before
 * @param threads           and with the clients connected
 * @param rssBeforeKb       the server's resident memory before
 * @param rssKb             and with the clients connected
 * @param heapBeforeKb      the server's heap in use after a full GC, before (-1 when it could not be asked)
 * @param heapKb            and with the clients connected
 * @param seconds           length of the measured window
 * @param cpuMicros         server CPU time in the window
 * @param requests          HTTP requests the idle clients made in the window
 * @param bytes             bytes through the relay in the window
 */
public record IdleResult(String transport, int clients, int ready, int connectionsBefore, int connections,
                         int threadsBefore, int threads, long rssBeforeKb, long rssKb, long heapBeforeKb,
                         long heapKb, double seconds,
                         long cpuMicros, long requests, long bytes) {

    /** What one idle client costs the server's heap: the live heap's growth over the clients. */
    @JsonProperty
    public double heapKbPerClient() {
        return ready == 0 || heapKb < 0 || heapBeforeKb < 0 ? Double.NaN : (double) (heapKb - heapBeforeKb) / ready;
    }

    @JsonProperty
    public double cpuMillisPerSecond() {
        return cpuMicros / 1_000.0 / seconds;
    }

    @JsonProperty
    public double requestsPerSecond() {
        return requests / seconds;
    }

    @JsonProperty
    public double bytesPerSecond() {
        return bytes / seconds;
    }
}
