package dev.chatlab.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** A table of already formatted cells, printed aligned for the console or as Markdown. */
public final class Table {
    private final List<String> headers;
    private final List<List<String>> rows = new ArrayList<>();

    public Table(String... headers) {
        this.headers = List.of(headers);
    }

    public List<String> headers() {
        return headers;
    }

    public Table row(String... cells) {
        if (cells.length != headers.size()) {
            throw new IllegalArgumentException("a row of " + cells.length + " cells in a table of " + headers.size() + " columns");
        }
        rows.add(List.of(cells));
        return this;
    }

    /** Columns padded to their widest cell; text left, numbers right. */
    public String console() {
        int[] widths = new int[headers.size()];
        for (int c = 0; c < widths.length; c++) {
            widths[c] = headers.get(c).length();
            for (List<String> row : rows) {
                widths[c] = Math.max(widths[c], row.get(c).length());
            }
        }
        StringBuilder out = new StringBuilder();
        line(out, headers, widths);
        List<String> rule = new ArrayList<>();
        for (int width : widths) {
            rule.add("-".repeat(width));
        }
        line(out, rule, widths);
        rows.forEach(row -> line(out, row, widths));
        return out.toString();
    }

    /** A GitHub-flavoured Markdown table; number columns are right-aligned. */
    public String markdown() {
        StringBuilder out = new StringBuilder();
        out.append("| ").append(String.join(" | ", headers)).append(" |\n|");
        for (int c = 0; c < headers.size(); c++) {
            out.append(numeric(c) ? "---:|" : "---|");
        }
        out.append('\n');
        rows.forEach(row -> out.append("| ").append(String.join(" | ", row)).append(" |\n"));
        return out.toString();
    }

    private void line(StringBuilder out, List<String> cells, int[] widths) {
        for (int c = 0; c < cells.size(); c++) {
            String cell = cells.get(c);
            String pad = String.join("", Collections.nCopies(widths[c] - cell.length(), " "));
            out.append(c == 0 ? "" : "  ").append(numeric(c) ? pad + cell : cell + pad);
        }
        out.append('\n');
    }

    private boolean numeric(int column) {
        // A dash stands for a figure that is missing; it does not make a column text.
        return !rows.isEmpty() && rows.stream().allMatch(row -> row.get(column).matches("[-+0-9.,~≈ →%]*[0-9-]|–"));
    }
}
