package dev.chatlab.bench.summary;

import dev.chatlab.testkit.svg.Svg;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/** The summary's two charts, drawn as SVG text: latency percentiles as bars, and a ramp's p99 against its rate. */
final class Charts {
    /** The percentiles a latency bar group shows, in order. */
    static final List<String> PERCENTILES = List.of("p50", "p90", "p99", "p99.9", "max");
    private static final List<String> COLORS = List.of("#9ecae1", "#6baed6", "#3182bd", "#08519c", "#d62728");
    private static final List<String> LINE_COLORS = List.of("#3182bd", "#ff7f0e", "#2ca02c", "#9467bd");
    private static final int BAR = 11;
    private static final int GROUP_GAP = 18;

    private Charts() {
    }

    /**
     * One scenario or variant's latency.
     *
     * @param label  what it is, e.g. "fanout step4"
     * @param millis p50, p90, p99, p99.9, max in milliseconds; null where the run did not record one
     */
    record LatencyGroup(String label, List<Double> millis) {
        LatencyGroup {
            if (millis.size() != PERCENTILES.size()) {
                throw new IllegalArgumentException("a latency group has " + PERCENTILES.size() + " values, null where missing");
            }
            millis = java.util.Collections.unmodifiableList(new ArrayList<>(millis));
        }
    }

    /** One step of a ramp: its offered rate, its p99 and whether it held. */
    record RampPoint(double rate, double p99Millis, boolean held) {
    }

    /** One ramp's steps, in order. */
    record RampLine(String label, List<RampPoint> points) {
    }

    /** Grouped bars, one group per label, one bar per percentile it has, on a log scale of milliseconds. */
    static String latency(List<LatencyGroup> groups) {
        int left = 120; // room for the first group's slanted label
        int top = 44;
        int plot = 220;
        int bottom = top + plot;
        int groupWidth = PERCENTILES.size() * BAR + GROUP_GAP;
        int width = Math.max(420, left + groups.size() * groupWidth + 24);
        Svg svg = Svg.file(width, bottom + 120, "Delivery latency percentiles by scenario (ms, log scale)");
        svg.text(8, 16, "Delivery latency percentiles, ms (log scale)", "font-size=\"13\" font-weight=\"bold\"");
        for (int k = 0; k < PERCENTILES.size(); k++) {
            svg.rect(left + k * 64, 24, 10, 10, "fill=\"" + COLORS.get(k) + "\"", null);
            svg.text(left + k * 64 + 14, 33, PERCENTILES.get(k), "");
        }
        List<Double> values = groups.stream().flatMap(g -> g.millis().stream()).filter(Objects::nonNull).filter(v -> v > 0).toList();
        if (values.isEmpty()) {
            svg.text(left, top + plot / 2.0, "no latency results yet", "fill=\"#666\"");
            return svg.toString();
        }
        LogAxis axis = LogAxis.decades(min(values), max(values), bottom, top);
        for (double tick : axis.ticks()) {
            double y = axis.pos(tick);
            svg.line(left, y, width - 16, y, "stroke=\"#ddd\"");
            svg.text(left - 6, y + 4, millis(tick), "class=\"axis\" text-anchor=\"end\"");
        }
        svg.line(left, bottom, width - 16, bottom, "stroke=\"#333\"");
        svg.line(left, top, left, bottom, "stroke=\"#333\"");
        for (int g = 0; g < groups.size(); g++) {
            LatencyGroup group = groups.get(g);
            double x0 = left + g * groupWidth + GROUP_GAP / 2.0;
            for (int k = 0; k < PERCENTILES.size(); k++) {
                Double v = group.millis().get(k);
                if (v == null || v <= 0) {
                    continue;
                }
                double y = axis.pos(v);
                svg.rect(x0 + k * BAR, y, BAR - 1, bottom - y, "class=\"bar\" data-percentile=\"" + PERCENTILES.get(k)
                        + "\" fill=\"" + COLORS.get(k) + "\"", group.label() + " " + PERCENTILES.get(k) + ": " + millis(v) + "");
            }
            double cx = x0 + PERCENTILES.size() * BAR / 2.0;
            svg.text(cx, bottom + 14, group.label(), "class=\"group\" text-anchor=\"end\" transform=\"rotate(-35 "
                    + Svg.n(cx) + " " + Svg.n(bottom + 14) + ")\"");
        }
        return svg.toString();
    }

    /** p99 against the offered rate, a line per ramp, both scales logarithmic, with the limit drawn across. */
    static String ramp(List<RampLine> lines, double limitMillis) {
        int left = 64;
        int right = 170;
        int top = 40;
        int bottom = 300;
        int width = 700;
        Svg svg = Svg.file(width, bottom + 50, "Ramp: p99 latency against the offered rate");
        svg.text(8, 16, "Ramp: p99 latency (ms) against offered msg/s, log scales", "font-size=\"13\" font-weight=\"bold\"");
        List<RampPoint> all = lines.stream().flatMap(l -> l.points().stream()).filter(p -> p.rate() > 0 && p.p99Millis() > 0).toList();
        if (all.isEmpty()) {
            svg.text(left, (top + bottom) / 2.0, "no ramp results yet", "fill=\"#666\"");
            return svg.toString();
        }
        List<Double> rates = all.stream().map(RampPoint::rate).toList();
        List<Double> p99s = new ArrayList<>(all.stream().map(RampPoint::p99Millis).toList());
        p99s.add(limitMillis);
        LogAxis x = LogAxis.oneTwoFive(min(rates), max(rates), left, width - right);
        LogAxis y = LogAxis.oneTwoFive(min(p99s), max(p99s), bottom, top);
        for (double tick : y.ticks()) {
            svg.line(left, y.pos(tick), width - right, y.pos(tick), "stroke=\"#eee\"");
            svg.text(left - 6, y.pos(tick) + 4, millis(tick), "class=\"axis y\" text-anchor=\"end\"");
        }
        for (double tick : x.ticks()) {
            svg.line(x.pos(tick), top, x.pos(tick), bottom, "stroke=\"#eee\"");
            svg.text(x.pos(tick), bottom + 16, count(tick), "class=\"axis x\" text-anchor=\"middle\"");
        }
        svg.line(left, bottom, width - right, bottom, "stroke=\"#333\"");
        svg.line(left, top, left, bottom, "stroke=\"#333\"");
        svg.text((left + width - right) / 2.0, bottom + 36, "offered msg/s", "text-anchor=\"middle\"");
        svg.text(14, (top + bottom) / 2.0, "p99 ms", "text-anchor=\"middle\" transform=\"rotate(-90 14 " + Svg.n((top + bottom) / 2.0) + ")\"");
        double limitY = y.pos(limitMillis);
        svg.line(left, limitY, width - right, limitY, "class=\"limit\" stroke=\"#d62728\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"");
        svg.text(width - right + 6, limitY + 4, "p99 limit " + millis(limitMillis), "class=\"limit\" fill=\"#d62728\"");
        for (int i = 0; i < lines.size(); i++) {
            RampLine line = lines.get(i);
            String color = LINE_COLORS.get(i % LINE_COLORS.size());
            List<RampPoint> points = line.points().stream().filter(p -> p.rate() > 0 && p.p99Millis() > 0).toList();
            double[] xy = new double[points.size() * 2];
            for (int p = 0; p < points.size(); p++) {
                xy[2 * p] = x.pos(points.get(p).rate());
                xy[2 * p + 1] = y.pos(points.get(p).p99Millis());
            }
            svg.polyline(xy, "class=\"series\" stroke=\"" + color + "\" stroke-width=\"2\"");
            for (int p = 0; p < points.size(); p++) {
                RampPoint point = points.get(p);
                svg.circle(xy[2 * p], xy[2 * p + 1], 4, "class=\"point " + (point.held() ? "held" : "broke") + "\" stroke=\"" + color
                        + "\" fill=\"" + (point.held() ? color : "white") + "\"", f("%s: %s msg/s, p99 %s%s", line.label(),
                        count(point.rate()), millis(point.p99Millis()), point.held() ? "" : " (did not hold)"));
            }
            double ly = top + 14 + 18 * i;
            svg.line(width - right + 6, ly + 16, width - right + 26, ly + 16, "stroke=\"" + color + "\" stroke-width=\"2\"");
            svg.text(width - right + 30, ly + 20, line.label(), "class=\"legend\"");
        }
        svg.text(width - right + 6, bottom - 4, "filled: held; hollow: broke", "fill=\"#666\"");
        return svg.toString();
    }

    /** A logarithmic axis from {@code lo} at pixel {@code from} to {@code hi} at pixel {@code to}, with its ticks. */
    record LogAxis(double lo, double hi, double from, double to, List<Double> ticks) {

        double pos(double value) {
            double share = (Math.log10(value) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo));
            return from + (to - from) * share;
        }

        /** From the power of ten at or below {@code min} to the one at or above {@code max}; a tick at each. */
        static LogAxis decades(double min, double max, double from, double to) {
            double lo = Math.pow(10, Math.floor(Math.log10(min) + 1e-9));
            double hi = Math.pow(10, Math.ceil(Math.log10(max) - 1e-9));
            if (hi <= lo) {
                hi = lo * 10;
            }
            List<Double> ticks = new ArrayList<>();
            for (double t = lo; t <= hi * 1.0001; t *= 10) {
                ticks.add(t);
            }
            return new LogAxis(lo, hi, from, to, ticks);
        }

        /** From the 1-2-5 value at or below {@code min} to the one at or above {@code max}; a tick at each 1-2-5 value. */
        static LogAxis oneTwoFive(double min, double max, double from, double to) {
            List<Double> all = new ArrayList<>();
            for (double decade = Math.pow(10, Math.floor(Math.log10(min) + 1e-9)); decade <= max * 10; decade *= 10) {
                for (int m : new int[] {1, 2, 5}) {
                    all.add(decade * m);
                }
            }
            double lo = all.stream().filter(t -> t <= min * 1.0001).reduce((a, b) -> b).orElse(all.get(0));
            double hi = all.stream().filter(t -> t >= max / 1.0001).findFirst().orElse(all.get(all.size() - 1));
            if (hi <= lo) {
                hi = all.stream().filter(t -> t > lo * 1.0001).findFirst().orElse(lo * 2);
            }
            double high = hi;
            List<Double> ticks = all.stream().filter(t -> t >= lo / 1.0001 && t <= high * 1.0001).toList();
            return new LogAxis(lo, hi, from, to, ticks);
        }
    }

    /** Milliseconds as an axis or tooltip says them: "0.5 ms", "20 ms", "1.2 s". */
    static String millis(double ms) {
        return ms >= 1000 ? compact(ms / 1000) + " s" : compact(ms) + " ms";
    }

    /** A rate: "200", "1.5k". */
    static String count(double value) {
        return value >= 1000 ? compact(value / 1000) + "k" : compact(value);
    }

    /** At most three significant digits, no trailing zeros. */
    static String compact(double value) {
        String s = new java.math.BigDecimal(value).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
        return s.equals("-0") ? "0" : s;
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    private static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElse(1);
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(1);
    }
}
