package dev.distillery.experiment;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.distillery.backend.Backend;
import dev.distillery.data.LabeledData;
import dev.distillery.distill.Latencies;
import dev.distillery.eval.Accuracy;
import dev.distillery.eval.Latency;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Exported models side by side, as they will be deployed: each ONNX file run by ONNX Runtime on the
 * same test split, for its size, accuracy, agreement with a reference model (the teacher, or the
 * fp32 model an int8 one was made from) and latency at batch 1 and 256.
 */
public final class OnnxComparison {

    private OnnxComparison() {}

    /** One model to compare: a name for the table, its ONNX file, and its parameter count. */
    public record Model(String name, Path file, long parameters) {}

    /** Column names of {@link #table}. */
    public static final String MODEL = "model";

    public static final String PARAMETERS = "parameters";
    public static final String FILE_KB = "file (KB)";
    public static final String ACCURACY = "test accuracy (%)";
    public static final String AGREEMENT = "agreement (%)";
    public static final String BATCH_1 = "ONNX Runtime, batch 1 (µs)";
    public static final String BATCH_256 = "ONNX Runtime, batch 256 (ms)";

    /**
     * One row per model: parameters, file size, test accuracy and agreement (top-1) with {@code
     * reference}'s predictions, both through ONNX Runtime on every row of {@code test}, and ONNX
     * Runtime's median latency at batch 1 and 256 on the tape's threads.
     */
    public static Table table(List<Model> models, LabeledData test, String reference) {
        Model ref = models.stream()
                .filter(m -> m.name().equals(reference))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("reference '" + reference + "' is not one of "
                        + models.stream().map(Model::name).toList()));
        int[] refPredictions = Accuracy.argmax(logits(ref.file(), test.features()));
        StringColumn name = StringColumn.create(MODEL);
        LongColumn parameters = LongColumn.create(PARAMETERS);
        DoubleColumn kb = DoubleColumn.create(FILE_KB);
        DoubleColumn accuracy = DoubleColumn.create(ACCURACY);
        DoubleColumn agreement = DoubleColumn.create(AGREEMENT);
        DoubleColumn one = DoubleColumn.create(BATCH_1);
        DoubleColumn full = DoubleColumn.create(BATCH_256);
        for (Model m : models) {
            INDArray logits = logits(m.file(), test.features());
            List<Latency> latency = latencies(m.file(), test.features());
            name.append(m.name());
            parameters.append(m.parameters());
            kb.append(round(size(m.file()) / 1024.0, 1));
            accuracy.append(round(100 * Accuracy.of(logits, test.labels()), 2));
            agreement.append(round(100 * Accuracy.of(logits, refPredictions), 2));
            one.append(round(Latency.find(latency, Latency.ONNX_RUNTIME, 1).microsPerBatch(), 1));
            full.append(round(Latency.find(latency, Latency.ONNX_RUNTIME, 256).microsPerBatch() / 1e3, 2));
        }
        return Table.create("models through ONNX Runtime (agreement with " + reference + ")", name, parameters, kb)
                .addColumns(accuracy, agreement, one, full);
    }

    /** The share of {@code test} rows on which two ONNX models predict the same class, through ONNX Runtime. */
    public static double agreement(Path a, Path b, LabeledData test) {
        return Accuracy.of(logits(b, test.features()), Accuracy.argmax(logits(a, test.features())));
    }

    /**
     * Every column of {@link #table} for every model, as a percentage of the first row's value (the
     * reference model at 100 %): what each model keeps and what it costs, in one chart.
     */
    public static CategoryChart chart(String title, Table table) {
        List<String> metrics = List.of(PARAMETERS, FILE_KB, ACCURACY, AGREEMENT, BATCH_1, BATCH_256);
        List<String> labels = List.of(
                "parameters", "file size", "test accuracy", "agreement", "latency, batch 1", "latency, batch 256");
        CategoryChart c = new CategoryChartBuilder()
                .width(900)
                .height(500)
                .title(title)
                .xAxisTitle("measured through ONNX Runtime on the test split")
                .yAxisTitle("% of " + table.stringColumn(MODEL).get(0) + "'s value")
                .build();
        c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        c.getStyler().setLabelsVisible(true);
        c.getStyler().setDecimalPattern("0");
        for (int row = 0; row < table.rowCount(); row++) {
            List<Double> values = new ArrayList<>();
            for (String metric : metrics) {
                values.add(100 * (value(table, metric, row) / value(table, metric, 0)));
            }
            c.addSeries(table.stringColumn(MODEL).get(row), labels, values);
        }
        return c;
    }

    /** {@code v} to {@code decimals} places: the table shows what its precision supports. */
    private static double round(double v, int decimals) {
        double f = Math.pow(10, decimals);
        return Math.round(v * f) / f;
    }

    private static double value(Table t, String column, int row) {
        return ((Number) t.column(column).get(row)).doubleValue();
    }

    /** {@code logits} of the model in {@code file} for every row of {@code features}, in batches of 256. */
    static INDArray logits(Path file, INDArray features) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(Backend.threadsOrDefault());
            try (OrtSession s = env.createSession(file.toString(), o)) {
                List<INDArray> parts = new ArrayList<>();
                for (int from = 0; from < features.rows(); from += 256) {
                    int[] rows = IntStream.range(from, Math.min(features.rows(), from + 256))
                            .toArray();
                    INDArray x = features.getRows(rows);
                    try (OnnxTensor in = OnnxTensor.createTensor(
                                    env, FloatBuffer.wrap(x.dup('c').data().asFloat()), x.shape());
                            OrtSession.Result out = s.run(Map.of("input", in))) {
                        parts.add(Nd4j.create((float[][]) out.get("logits")
                                .orElseThrow(() -> new IllegalArgumentException(
                                        file + " has no output named logits; export it with %export or exportOnnx"))
                                .getValue()));
                    }
                }
                return Nd4j.vstack(parts.toArray(INDArray[]::new));
            }
        } catch (OrtException e) {
            throw new IllegalArgumentException(
                    file + " does not run in ONNX Runtime on these rows: " + e.getMessage(), e);
        }
    }

    private static List<Latency> latencies(Path file, INDArray features) {
        try {
            return Latencies.onnxRuntime(
                    Files.readAllBytes(file), features, file.getFileName().toString());
        } catch (OrtException e) {
            throw new IllegalArgumentException(file + " does not run in ONNX Runtime: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
