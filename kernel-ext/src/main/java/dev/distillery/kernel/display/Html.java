package dev.distillery.kernel.display;

import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/** HTML for notebook output: escaping, Tablesaw tables, durations. */
public final class Html {

    private Html() {}

    /** At most four decimals, without trailing zeros: {@code 72}, {@code 0.8079}, {@code 414.76}. */
    static String decimal(double v) {
        if (!Double.isFinite(v)) {
            return String.valueOf(v);
        }
        String s = String.format(java.util.Locale.ROOT, "%.4f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

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

    /** A table as an HTML {@code <table>}: a caption with its name and size, at most {@code maxRows} rows. */
    public static String table(Table t, int maxRows) {
        StringBuilder h = new StringBuilder("<table class=\"distillery-table\">");
        h.append("<caption style=\"text-align:left\">")
                .append(escape(t.name()))
                .append(" (")
                .append(t.rowCount())
                .append(t.rowCount() == 1 ? " row" : " rows")
                .append(")</caption><thead><tr>");
        for (Column<?> c : t.columns()) {
            h.append("<th>").append(escape(c.name())).append("</th>");
        }
        h.append("</tr></thead><tbody>");
        int n = Math.min(t.rowCount(), maxRows);
        for (int r = 0; r < n; r++) {
            h.append("<tr>");
            for (Column<?> c : t.columns()) {
                boolean numeric = c.type().equals(tech.tablesaw.api.ColumnType.DOUBLE)
                        || c.type().equals(tech.tablesaw.api.ColumnType.INTEGER)
                        || c.type().equals(tech.tablesaw.api.ColumnType.LONG);
                String v = c.isMissing(r)
                        ? ""
                        : c instanceof tech.tablesaw.api.DoubleColumn d ? decimal(d.getDouble(r)) : c.getString(r);
                h.append(numeric ? "<td style=\"text-align:right\">" : "<td>")
                        .append(escape(v))
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
