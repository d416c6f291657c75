package dev.distillery.kernel.display;

import dev.distillery.experiment.TableView;
import tech.tablesaw.api.Table;

/** HTML for notebook output: escaping, Tablesaw tables, durations. */
public final class Html {

    private Html() {}

    public static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /**
     * A table as an HTML {@code <table>}, as {@link TableView} shows it (human headers, percentages,
     * thousands separators): a caption with its name and size, at most {@code maxRows} rows.
     */
    public static String table(Table t, int maxRows) {
        TableView v = TableView.of(t);
        StringBuilder h = new StringBuilder("<table class=\"distillery-table\">");
        h.append("<caption style=\"text-align:left\">")
                .append(escape(v.title()))
                .append(" (")
                .append(t.rowCount())
                .append(t.rowCount() == 1 ? " row" : " rows")
                .append(")</caption><thead><tr>");
        for (int c = 0; c < v.headers().size(); c++) {
            // text left, numbers right, whatever the notebook's own table style says
            h.append(v.numeric().get(c) ? "<th style=\"text-align:right\">" : "<th style=\"text-align:left\">")
                    .append(escape(v.headers().get(c)))
                    .append("</th>");
        }
        h.append("</tr></thead><tbody>");
        int n = Math.min(t.rowCount(), maxRows);
        for (int r = 0; r < n; r++) {
            h.append("<tr>");
            for (int c = 0; c < v.headers().size(); c++) {
                h.append(
                                v.numeric().get(c)
                                        ? "<td style=\"text-align:right;white-space:nowrap\">"
                                        : "<td style=\"text-align:left\">")
                        .append(escape(v.rows().get(r).get(c)))
                        .append("</td>");
            }
            h.append("</tr>");
        }
        h.append("</tbody></table>");
        if (t.rowCount() > n) {
            h.append("<div>… ").append(t.rowCount() - n).append(" more rows</div>");
        }
        return h.toString();
    }

    /** Seconds as {@code 42 s}, {@code 3 min 05 s} or {@code 1 h 02 min}. */
    public static String duration(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) {
            return "–";
        }
        if (seconds < 9.95) {
            // a short job's ETA reads 0.4 s, never a rounded 0 s while work remains
            return String.format(java.util.Locale.ROOT, "%.1f s", seconds);
        }
        long s = Math.round(seconds);
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return String.format("%d min %02d s", s / 60, s % 60);
        }
        return String.format("%d h %02d min", s / 3600, (s % 3600) / 60);
    }
}
