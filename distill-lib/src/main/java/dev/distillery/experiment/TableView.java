package dev.distillery.experiment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tech.tablesaw.api.ColumnType;
import tech.tablesaw.api.NumberColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * A results table as a person reads it: the columns {@link Results} names for code ({@code test_acc_mean},
 * {@code agreement_std}, {@code params}) get human headers ({@code test accuracy}, {@code parameters}),
 * fractions read as percentages ({@code 80.79%}), a mean and its spread share one cell ({@code 80.79 ±
 * 0.34%}), counts get thousands separators ({@code 50,890}), and other numbers at most four decimals. A
 * column this class does not know passes through as it is, so a user's own table keeps its names. The
 * {@link Table} itself is untouched: code keeps reading {@code test_acc_mean}.
 */
public record TableView(String title, List<String> headers, List<Boolean> numeric, List<List<String>> rows) {

    /** How one known column reads. */
    private record Format(String header, Kind kind) {}

    private enum Kind {
        PERCENT,
        COUNT,
        DECIMAL
    }

    /** Every column name {@link Results} and the run tables use, with its header and format. */
    private static final Map<String, Format> KNOWN = new LinkedHashMap<>();

    static {
        known("test_acc", "test accuracy", Kind.PERCENT);
        known("agreement", "agreement", Kind.PERCENT);
        known("kl", "KL", Kind.DECIMAL);
        known("js", "JS", Kind.DECIMAL);
        known("params", "parameters", Kind.COUNT);
        known("extra_params", "extra parameters", Kind.COUNT);
        known("extra_head_params", "extra head parameters", Kind.COUNT);
        known("bytes", "bytes", Kind.COUNT);
        known("seeds", "seeds", Kind.COUNT);
        known("epochs", "epochs", Kind.COUNT);
        known("train_s", "training (s)", Kind.DECIMAL);
        known("tape_b1_us", "tape, batch 1 (µs)", Kind.DECIMAL);
        known("onnxrt_b1_us", "ONNX Runtime, batch 1 (µs)", Kind.DECIMAL);
        known("tape_b256_ms", "tape, batch 256 (ms)", Kind.DECIMAL);
        known("onnxrt_b256_ms", "ONNX Runtime, batch 256 (ms)", Kind.DECIMAL);
        known("us_per_batch", "µs per batch", Kind.DECIMAL);
        known("us_per_example", "µs per example", Kind.DECIMAL);
        known("ms_per_sentence", "ms per sentence", Kind.DECIMAL);
        known("ms_per_clip", "ms per clip", Kind.DECIMAL);
        known("size_ratio", "size ratio", Kind.DECIMAL);
        known("learned_from", "learned from", null);
        known("parent_runs", "parent runs", null);
    }

    private static void known(String column, String header, Kind kind) {
        KNOWN.put(column, new Format(header, kind));
    }

    /** The view of {@code t}: known columns renamed and formatted, {@code X_mean} and {@code X_std} merged. */
    public static TableView of(Table t) {
        List<String> headers = new ArrayList<>();
        List<Boolean> numeric = new ArrayList<>();
        List<Cell> cells = new ArrayList<>();
        for (Column<?> c : t.columns()) {
            String name = c.name();
            if (name.endsWith("_std") && t.containsColumn(base(name) + "_mean")) {
                continue; // shown beside its mean
            }
            String base = name.endsWith("_mean") ? base(name) : name;
            Format f = KNOWN.get(base);
            Column<?> spread =
                    name.endsWith("_mean") && t.containsColumn(base + "_std") ? t.column(base + "_std") : null;
            boolean isNumber = c instanceof NumberColumn<?, ?>;
            headers.add(f == null ? name : f.header());
            numeric.add(isNumber);
            Kind kind = f == null || !isNumber ? null : f.kind();
            cells.add(row -> cell(c, spread, kind, row));
        }
        List<List<String>> rows = new ArrayList<>();
        for (int r = 0; r < t.rowCount(); r++) {
            List<String> row = new ArrayList<>();
            for (Cell cell : cells) {
                row.add(cell.at(r));
            }
            rows.add(row);
        }
        return new TableView(t.name(), List.copyOf(headers), List.copyOf(numeric), List.copyOf(rows));
    }

    private interface Cell {
        String at(int row);
    }

    private static String base(String name) {
        return name.substring(0, name.lastIndexOf('_'));
    }

    private static String cell(Column<?> c, Column<?> spread, Kind kind, int row) {
        if (c.isMissing(row)) {
            return "";
        }
        if (!(c instanceof NumberColumn<?, ?> n)) {
            return c.getString(row);
        }
        double v = n.getDouble(row);
        Double s = spread instanceof NumberColumn<?, ?> sn && !sn.isMissing(row) ? sn.getDouble(row) : null;
        if (kind == Kind.PERCENT) {
            return s == null
                    ? String.format(Locale.ROOT, "%.2f%%", 100 * v)
                    : String.format(Locale.ROOT, "%.2f ± %.2f%%", 100 * v, 100 * s);
        }
        boolean whole = c.type().equals(ColumnType.INTEGER)
                || c.type().equals(ColumnType.LONG)
                || c.type().equals(ColumnType.SHORT)
                || kind == Kind.COUNT;
        String shown = whole ? String.format(Locale.ROOT, "%,d", Math.round(v)) : decimal(v);
        return s == null ? shown : shown + " ± " + decimal(s);
    }

    /** At most four decimals, without trailing zeros: {@code 72}, {@code 0.8079}, {@code 414.76}. */
    public static String decimal(double v) {
        if (!Double.isFinite(v)) {
            return String.valueOf(v);
        }
        String s = String.format(Locale.ROOT, "%.4f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    /**
     * The view as aligned text, columns parted by {@code |}: the title, the header, a rule, at most
     * {@code maxRows} rows.
     */
    public String text(int maxRows) {
        int n = Math.min(rows.size(), maxRows);
        int[] width = new int[headers.size()];
        for (int c = 0; c < width.length; c++) {
            width[c] = headers.get(c).length();
            for (int r = 0; r < n; r++) {
                width[c] = Math.max(width[c], rows.get(r).get(c).length());
            }
        }
        StringBuilder s = new StringBuilder(title).append('\n');
        line(s, headers, width);
        List<String> rule = new ArrayList<>();
        for (int w : width) {
            rule.add("-".repeat(w));
        }
        StringBuilder ruled = new StringBuilder();
        for (int c = 0; c < width.length; c++) {
            ruled.append(c == 0 ? "" : "-+-").append(rule.get(c));
        }
        s.append(ruled).append('\n');
        for (int r = 0; r < n; r++) {
            line(s, rows.get(r), width);
        }
        if (rows.size() > n) {
            s.append("… ").append(rows.size() - n).append(" more rows\n");
        }
        return s.toString();
    }

    private void line(StringBuilder s, List<String> cells, int[] width) {
        StringBuilder l = new StringBuilder();
        for (int c = 0; c < cells.size(); c++) {
            String v = cells.get(c);
            String pad = " ".repeat(width[c] - v.length());
            l.append(c == 0 ? "" : " | ").append(numeric.get(c) ? pad + v : v + pad);
        }
        s.append(l.toString().stripTrailing()).append('\n');
    }
}
