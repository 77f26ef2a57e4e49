package dev.chatlab.bench;

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

    /** A histogram for microsecond values that grows to fit whatever arrives, at 3 significant digits. */
    public static Histogram histogram() {
        Histogram histogram = new Histogram(3);
        histogram.setAutoResize(true);
        return histogram;
    }
}
