package dev.chatlab.bench.summary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayNameGeneration;
import org.junit.jupiter.api.DisplayNameGenerator;
import org.junit.jupiter.api.Test;

@DisplayNameGeneration(DisplayNameGenerator.ReplaceUnderscores.class)
class ChartsTest {
    private static final Pattern BAR = Pattern.compile("<rect x=\"([0-9.]+)\" y=\"([0-9.]+)\" width=\"[0-9.]+\" height=\"([0-9.]+)\" "
            + "class=\"bar\" data-percentile=\"([^\"]+)\"");

    record Bar(double y, double height, String percentile) {
    }

    static List<Bar> bars(String svg) {
        List<Bar> bars = new ArrayList<>();
        Matcher m = BAR.matcher(svg);
        while (m.find()) {
            bars.add(new Bar(Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3)), m.group(4)));
        }
        return bars;
    }

    @Test
    void a_bar_per_percentile_a_run_has_and_none_where_it_has_none() {
        String svg = Charts.latency(List.of(
                new Charts.LatencyGroup("fanout step4", List.of(2.0, 3.0, 20.0, 150.0, 200.0)),
                new Charts.LatencyGroup("transports: WebSocket", Arrays.asList(4.0, null, 12.0, null, 22.0))));

        assertThat(bars(svg)).extracting(Bar::percentile).containsExactly("p50", "p90", "p99", "p99.9", "max", "p50", "p99", "max");
        assertThat(svg).contains(">fanout step4</text>", ">transports: WebSocket</text>");
    }

    @Test
    void on_the_log_scale_each_tenfold_is_the_same_height() {
        String svg = Charts.latency(List.of(new Charts.LatencyGroup("one", List.of(2.0, 20.0, 200.0, 2_000.0, 2_000.0))));

        List<Bar> bars = bars(svg);
        // 2 ms .. 2 s spans the decades from 1 ms to 10 s: four decades over a 220-pixel plot, 55 pixels each.
        assertThat(bars.get(0).height()).isCloseTo(Math.log10(2) * 55, within(0.1));
        for (int i = 1; i < 4; i++) {
            assertThat(bars.get(i).height() - bars.get(i - 1).height()).isCloseTo(55, within(0.1));
            // Every bar stands on the same baseline.
            assertThat(bars.get(i).y() + bars.get(i).height()).isCloseTo(bars.get(0).y() + bars.get(0).height(), within(0.1));
        }
    }

    @Test
    void the_latency_axis_is_labelled_at_every_decade_in_milliseconds_then_seconds() {
        String svg = Charts.latency(List.of(new Charts.LatencyGroup("one", List.of(0.5, 3.0, 40.0, 900.0, 12_000.0))));

        assertThat(labels(svg, "axis")).containsExactly("0.1 ms", "1 ms", "10 ms", "100 ms", "1 s", "10 s", "100 s");
    }

    @Test
    void labels_and_tooltips_are_escaped() {
        String svg = Charts.latency(List.of(new Charts.LatencyGroup("short <polling> & \"co\"", List.of(1.5, 2.0, 3.0, 4.0, 5.0))));

        assertThat(svg).contains(">short &lt;polling&gt; &amp; &quot;co&quot;</text>")
                .contains("<title>short &lt;polling&gt; &amp; &quot;co&quot; p50: 1.5 ms</title>")
                .doesNotContain("<polling>").doesNotContain("& \"co\"");
    }

    @Test
    void no_latency_at_all_says_so() {
        String svg = Charts.latency(List.of());

        assertThat(bars(svg)).isEmpty();
        assertThat(svg).contains("no latency results yet").startsWith("<svg ").endsWith("</svg>\n");
    }

    @Test
    void the_ramp_draws_each_step_with_the_limit_across_the_plot() {
        String svg = Charts.ramp(List.of(new Charts.RampLine("ramp step5", List.of(
                new Charts.RampPoint(50, 8, true), new Charts.RampPoint(75, 20, true), new Charts.RampPoint(113, 180, false)))), 50);

        assertThat(count(svg, "<circle ")).isEqualTo(3);
        assertThat(count(svg, "class=\"point held\"")).isEqualTo(2);
        assertThat(count(svg, "class=\"point broke\"")).isEqualTo(1);
        assertThat(count(svg, "<polyline ")).isEqualTo(1);
        assertThat(svg).contains(">p99 limit 50 ms</text>", ">ramp step5</text>", ">offered msg/s</text>", ">p99 ms</text>");
        assertThat(labels(svg, "axis x")).containsExactly("50", "100", "200");
        assertThat(labels(svg, "axis y")).containsExactly("5 ms", "10 ms", "20 ms", "50 ms", "100 ms", "200 ms");

        // The limit line lies between the 20 ms step and the 180 ms step, at the 50 ms tick.
        double limitY = attribute(svg, "<line [^>]*class=\"limit\"", "y1");
        double tick50 = attribute(svg, "<text [^>]*class=\"axis y\"[^>]*>50 ms<", "y") - 4;
        assertThat(limitY).isCloseTo(tick50, within(0.1));
        List<Double> pointYs = new ArrayList<>();
        Matcher m = Pattern.compile("<circle cx=\"[0-9.]+\" cy=\"([0-9.]+)\"").matcher(svg);
        while (m.find()) {
            pointYs.add(Double.parseDouble(m.group(1)));
        }
        assertThat(pointYs.get(1)).isGreaterThan(limitY); // below the line on screen: it held
        assertThat(pointYs.get(2)).isLessThan(limitY);
    }

    @Test
    void numbers_read_short() {
        assertThat(Charts.millis(0.25)).isEqualTo("0.25 ms");
        assertThat(Charts.millis(22.207)).isEqualTo("22.2 ms");
        assertThat(Charts.millis(1_500)).isEqualTo("1.5 s");
        assertThat(Charts.count(1_000)).isEqualTo("1k");
        assertThat(Charts.count(2_278)).isEqualTo("2.28k");
    }

    static List<String> labels(String svg, String cssClass) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("<text [^>]*class=\"" + Pattern.quote(cssClass) + "\"[^>]*>([^<]*)</text>").matcher(svg);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private static double attribute(String svg, String elementRegex, String name) {
        Matcher m = Pattern.compile(elementRegex).matcher(svg);
        assertThat(m.find()).as("an element matching %s", elementRegex).isTrue();
        int start = svg.lastIndexOf('<', m.start() + 1);
        String element = svg.substring(start, svg.indexOf('>', m.start()) + 1);
        Matcher value = Pattern.compile(" " + name + "=\"([0-9.]+)\"").matcher(element);
        assertThat(value.find()).as("%s in %s", name, element).isTrue();
        return Double.parseDouble(value.group(1));
    }

    private static int count(String text, String piece) {
        int n = 0;
        for (int i = text.indexOf(piece); i >= 0; i = text.indexOf(piece, i + 1)) {
            n++;
        }
        return n;
    }
}
