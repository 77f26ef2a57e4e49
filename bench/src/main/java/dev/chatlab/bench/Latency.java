package dev.chatlab.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * The summary of a latency histogram recorded in microseconds.
 *
 * @param count how many values were recorded
 * @param p50   the median, microseconds
 * @param p99   the 99th percentile, microseconds
 * @param max   the largest value, microseconds
 */
public record Latency(long count, long p50, long p99, long max) {

    public static Latency of(Histogram microseconds) {
        if (microseconds.getTotalCount() == 0) {
            return new Latency(0, 0, 0, 0);
        }
        return new Latency(microseconds.getTotalCount(), microseconds.getValueAtPercentile(50),
                microseconds.getValueAtPercentile(99), microseconds.getMaxValue());
    }

    /** p50, p90, p99, p99.9 (as {@code p999}) and max of a microsecond histogram, in that order: the JSON's latency figures. */
    public static Map<String, Long> percentiles(Histogram microseconds) {
        Map<String, Long> out = new LinkedHashMap<>();
        boolean any = microseconds.getTotalCount() > 0;
        out.put("p50", any ? microseconds.getValueAtPercentile(50) : 0);
        out.put("p90", any ? microseconds.getValueAtPercentile(90) : 0);
        out.put("p99", any ? microseconds.getValueAtPercentile(99) : 0);
        out.put("p999", any ? microseconds.getValueAtPercentile(99.9) : 0);
        out.put("max", any ? microseconds.getMaxValue() : 0);
        return out;
    }

    /** Like {@link #histogram()}, for many recording threads at once (wait-free recording). */
    public static Histogram concurrentHistogram() {
        return new ConcurrentHistogram(3);
    }

    /** A histogram for microsecond values that grows to fit whatever arrives, at 3 significant digits. */
    public static Histogram histogram() {
        Histogram histogram = new Histogram(3);
        histogram.setAutoResize(true);
        return histogram;
    }
}
