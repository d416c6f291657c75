package dev.distillery.data;

import dev.distillery.spec.SpecException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import tech.tablesaw.api.NumericColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;
import tech.tablesaw.io.csv.CsvReadOptions;

/**
 * A CSV file with a header row, read with Tablesaw: the {@code label} column (any values; each
 * distinct one is a class) and every other column as a numeric feature.
 */
final class CsvTable {

    private CsvTable() {}

    static RawExamples read(Path file, String label) {
        if (!Files.isRegularFile(file)) {
            throw new SpecException("CSV file " + file + " does not exist; give the path of a CSV file with a header");
        }
        Table t;
        try {
            t = Table.read().csv(CsvReadOptions.builder(file.toFile()).build());
        } catch (RuntimeException e) {
            throw new SpecException(
                    file + " cannot be read as CSV (" + e.getMessage()
                            + "); give a comma-separated file whose first row names the columns",
                    e);
        }
        if (!t.columnNames().contains(label)) {
            throw new SpecException(file + " has no column '" + label + "' for the labels; its columns are "
                    + String.join(", ", t.columnNames()) + "; name one with label=COLUMN");
        }
        List<Column<?>> features = new ArrayList<>();
        for (Column<?> c : t.columns()) {
            if (c.name().equals(label)) {
                continue;
            }
            if (!(c instanceof NumericColumn<?>)) {
                throw new SpecException(file + ": column '" + c.name() + "' holds "
                        + c.type().name().toLowerCase()
                        + " values such as '" + firstValue(c) + "', not numbers; every column but the label must be "
                        + "numeric: encode it as numbers or drop it from the file");
            }
            features.add(c);
        }
        if (features.isEmpty()) {
            throw new SpecException(file + " has no feature columns besides the label '" + label + "'");
        }
        int n = t.rowCount();
        int d = features.size();
        float[] x = new float[n * d];
        for (int j = 0; j < d; j++) {
            NumericColumn<?> c = (NumericColumn<?>) features.get(j);
            for (int i = 0; i < n; i++) {
                double v = c.isMissing(i) ? Double.NaN : c.getDouble(i);
                if (!Double.isFinite(v)) {
                    throw new SpecException(file + ": row " + (i + 2) + " (counting the header as row 1), column '"
                            + c.name() + "' is " + (c.isMissing(i) ? "empty or NaN" : String.valueOf(v))
                            + "; fill in the value or drop the row");
                }
                x[i * d + j] = (float) v;
            }
        }
        Column<?> l = t.column(label);
        List<String> labels = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (l.isMissing(i)) {
                throw new SpecException(file + ": row " + (i + 2) + " has no label in column '" + label
                        + "'; fill it in or drop the row");
            }
            labels.add(l.getString(i));
        }
        List<String> origins = java.util.Collections.nCopies(n, file.toString());
        return new RawExamples(Nd4j.create(x, new long[] {n, d}, DataType.FLOAT), labels, null, null, origins);
    }

    private static String firstValue(Column<?> c) {
        for (int i = 0; i < c.size(); i++) {
            if (!c.isMissing(i)) {
                return c.getString(i);
            }
        }
        return "";
    }
}
