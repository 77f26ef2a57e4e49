package dev.chatlab.chat;

import dev.chatlab.bench.Latency;
import java.nio.file.Path;
import org.HdrHistogram.Histogram;

/**
 * Step 3's {@link History} measured in this JVM: one writer appending round-robin over rooms.
 *
 * <p>It sits in step 3's package because {@code History}, {@code History.open} and {@code History.append} are
 * package-private: step 3's only public way to an append is {@code ChatServer}, whose WebSocket round trip would add
 * Javalin, the protocol and the broadcast to what storage measures. Steps 4 to 7, test-scoped in the bench's pom, have
 * Redis-backed {@code History} classes of their own in this package; step 3's comes first on the bench's classpath and
 * is the only one at run time.
 */
public final class HistoryAppends {

    /**
     * @param appends      measured appends
     * @param nanos        wall time of the measured appends
     * @param microsEach   per-append latency histogram, microseconds
     */
    public record Result(int appends, long nanos, Histogram microsEach) {
    }

    private HistoryAppends() {
    }

    public static Result run(Path file, int rooms, int warmup, int messages, int chars) {
        String text = "x".repeat(chars);
        try (History history = History.open(file)) {
            for (int i = 0; i < warmup; i++) {
                history.append("warm-" + (i % rooms), "bench", text, System.currentTimeMillis());
            }
            Histogram each = Latency.histogram();
            long start = System.nanoTime();
            for (int i = 0; i < messages; i++) {
                long t = System.nanoTime();
                history.append("room-" + (i % rooms), "bench", text, System.currentTimeMillis());
                each.recordValue((System.nanoTime() - t) / 1_000);
            }
            return new Result(messages, System.nanoTime() - start, each);
        }
    }
}
