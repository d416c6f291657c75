package dev.distillery.experiment;

import dev.distillery.data.LabeledData;
import dev.distillery.data.TextTasks;
import dev.distillery.eval.Projection;
import dev.distillery.model.Layered;
import dev.distillery.plot.Charts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.nd4j.linalg.api.ndarray.INDArray;
import tech.tablesaw.api.Table;

/** The sentence-embedding study's figures: what each model keeps, and how its embeddings lie. */
public final class EmbeddingCharts {

    private EmbeddingCharts() {}

    /**
     * Fidelity to the teacher (× 100) and the spam and party probe accuracies of every model of a
     * {@link SentenceStudy#table} (mean over seeds), one group of bars per model, each named with its
     * parameter count: what each size keeps.
     */
    public static CategoryChart keptByModel(String title, Table study) {
        String[] columns = {"fidelity", "spam_probe_%", "party_probe_%"};
        double[] scale = {100, 1, 1};
        Map<String, double[]> sums = new LinkedHashMap<>();
        Map<String, Long> params = new LinkedHashMap<>();
        for (int i = 0; i < study.rowCount(); i++) {
            String model = study.stringColumn("model").get(i);
            params.put(model, study.longColumn("params").get(i));
            double[] s = sums.computeIfAbsent(model, m -> new double[2 * columns.length]);
            for (int c = 0; c < columns.length; c++) {
                if (!study.doubleColumn(columns[c]).isMissing(i)) {
                    s[2 * c] += study.doubleColumn(columns[c]).get(i) * scale[c];
                    s[2 * c + 1] += 1;
                }
            }
        }
        List<String> names = new ArrayList<>();
        List<List<Double>> means = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        sums.forEach((model, s) -> {
            names.add(model + " (" + Charts.count(params.get(model)) + ")");
            for (int c = 0; c < columns.length; c++) {
                // a measure a model has not (the teacher's fidelity to itself) is left out, not drawn as 0
                means.get(c).add(s[2 * c + 1] == 0 ? null : s[2 * c] / s[2 * c + 1]);
            }
        });
        CategoryChart c = new CategoryChartBuilder()
                .width(900)
                .height(500)
                .title(title)
                .xAxisTitle("model (parameters)")
                .yAxisTitle("% (fidelity: cosine to the teacher × 100)")
                .build();
        c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.OutsideS);
        c.getStyler().setXAxisLabelRotation(15);
        c.getStyler().setYAxisMin(0.0);
        c.getStyler().setYAxisMax(100.0);
        c.addSeries("fidelity to the teacher", names, means.get(0));
        c.addSeries("spam probe accuracy", names, means.get(1));
        c.addSeries("party probe accuracy", names, means.get(2));
        return c;
    }

    /**
     * The first {@code rows} test passages of {@code task} as {@code model} embeds them, projected on
     * their two principal components, one colour per class: whether the classes lie apart.
     */
    public static XYChart projection(String title, Layered model, TextTasks.Task task, int rows) {
        LabeledData test = task.splits().test();
        int n = Math.min(rows, test.size());
        LabeledData part = test.rows(java.util.stream.IntStream.range(0, n).toArray(), "first " + n);
        INDArray e = SentenceEmbeddings.features(model, part);
        double[][] xy = Projection.pca(e, 2);
        XYChart c = new XYChartBuilder()
                .width(600)
                .height(500)
                .title(title + " (" + n + " passages)")
                .xAxisTitle("first principal component")
                .yAxisTitle("second principal component")
                .build();
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        c.getStyler().setMarkerSize(6);
        c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        for (int label = 0; label < task.classes().size(); label++) {
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (part.labels()[i] == label) {
                    x.add(xy[i][0]);
                    y.add(xy[i][1]);
                }
            }
            if (!x.isEmpty()) {
                c.addSeries(task.classes().get(label) + " (" + x.size() + ")", x, y)
                        .setMarker(SeriesMarkers.CIRCLE);
            }
        }
        return c;
    }
}
