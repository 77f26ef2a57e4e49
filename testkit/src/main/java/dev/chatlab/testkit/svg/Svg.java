package dev.chatlab.testkit.svg;

import java.util.Locale;

/**
 * An SVG picture written as text, element by element; every piece of text in it is escaped. The bench's charts and
 * the chaos report's timelines are drawn with it.
 *
 * <p>Why not a charting library: XChart 3.8.8 with its SVG export (VectorGraphics2D 0.13) was tried on the latency
 * chart. Its bar chart refuses a logarithmic axis unless a minimum is forced, then labels that axis linearly under
 * log-scaled bars; a missing percentile (null or NaN) makes it throw; and the SVG it writes draws every letter as a
 * path (about 270 KB for one small chart), with no text to search or test and no hover tooltips.
 */
public final class Svg {
    private final StringBuilder out = new StringBuilder();
    private final int width;
    private final int height;

    private Svg(int width, int height, String title, boolean standalone) {
        this.width = width;
        this.height = height;
        out.append("<svg").append(standalone ? " xmlns=\"http://www.w3.org/2000/svg\"" : "")
                .append(" width=\"").append(width).append("\" height=\"").append(height)
                .append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" font-family=\"sans-serif\" font-size=\"11\">\n");
        out.append("<title>").append(escape(title)).append("</title>\n");
        out.append("<rect width=\"").append(width).append("\" height=\"").append(height).append("\" fill=\"white\"/>\n");
    }

    /** A picture for an .svg file of its own; {@code title} names it. */
    public static Svg file(int width, int height, String title) {
        return new Svg(width, height, title, true);
    }

    /** A picture inside an HTML page, which needs no namespace for it; {@code title} names it. */
    public static Svg inline(int width, int height, String title) {
        return new Svg(width, height, title, false);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** A rectangle; {@code tooltip}, when not null, shows on hover. {@code attributes} are written as given. */
    public Svg rect(double x, double y, double w, double h, String attributes, String tooltip) {
        out.append("<rect x=\"").append(n(x)).append("\" y=\"").append(n(y)).append("\" width=\"").append(n(w))
                .append("\" height=\"").append(n(h)).append("\" ").append(attributes);
        return closeWith(tooltip, "rect");
    }

    public Svg line(double x1, double y1, double x2, double y2, String attributes) {
        out.append("<line x1=\"").append(n(x1)).append("\" y1=\"").append(n(y1)).append("\" x2=\"").append(n(x2))
                .append("\" y2=\"").append(n(y2)).append("\" ").append(attributes).append("/>\n");
        return this;
    }

    public Svg circle(double cx, double cy, double r, String attributes, String tooltip) {
        out.append("<circle cx=\"").append(n(cx)).append("\" cy=\"").append(n(cy)).append("\" r=\"").append(n(r)).append("\" ")
                .append(attributes);
        return closeWith(tooltip, "circle");
    }

    /** A line through the points {x0, y0, x1, y1, ...}. */
    public Svg polyline(double[] xy, String attributes) {
        StringBuilder points = new StringBuilder();
        for (int i = 0; i + 1 < xy.length; i += 2) {
            points.append(i == 0 ? "" : " ").append(n(xy[i])).append(',').append(n(xy[i + 1]));
        }
        out.append("<polyline points=\"").append(points).append("\" fill=\"none\" ").append(attributes).append("/>\n");
        return this;
    }

    /** Text at (x, y); {@code attributes} e.g. {@code text-anchor="end"}. */
    public Svg text(double x, double y, String text, String attributes) {
        out.append("<text x=\"").append(n(x)).append("\" y=\"").append(n(y)).append("\" ").append(attributes).append('>')
                .append(escape(text)).append("</text>\n");
        return this;
    }

    private Svg closeWith(String tooltip, String element) {
        if (tooltip == null) {
            out.append("/>\n");
        } else {
            out.append("><title>").append(escape(tooltip)).append("</title></").append(element).append(">\n");
        }
        return this;
    }

    @Override
    public String toString() {
        return out + "</svg>\n";
    }

    /** A coordinate with at most one decimal, always with a dot. */
    public static String n(double value) {
        String s = String.format(Locale.ROOT, "%.1f", value);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
    }

    /** Text as XML (and so HTML) wants it in an element or a quoted attribute. */
    public static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
