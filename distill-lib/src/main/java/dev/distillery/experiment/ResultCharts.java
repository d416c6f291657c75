package dev.distillery.experiment;

import dev.distillery.plot.Charts;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.XYChart;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.Table;

/** Figures drawn from run records alone: trade-off, depth, Pareto front, training curves and method comparison. */
public final class ResultCharts {

    private ResultCharts() {}

    /**
     * Test accuracy against parameters from run records alone: each teacher once, and each
     * (student, recipe) as mean ± std over its completed seeds.
     */
    public static XYChart tradeoffChart(String title, List<RunRecord> records) {
        List<Charts.Point> pts = new ArrayList<>();
        Map<String, RunRecord.TeacherInfo> teachers = new LinkedHashMap<>();
        for (RunRecord r : records) {
            if (r.teacher() != null
                    && r.teacher().parameters() != null
                    && r.teacher().testAccuracy() != null) {
                teachers.putIfAbsent(r.teacher().id(), r.teacher());
            }
        }
        teachers.values()
                .forEach(t -> pts.add(new Charts.Point("teacher " + t.name(), t.parameters(), t.testAccuracy(), 0)));
        Table s = Results.summary(records);
        for (int i = 0; i < s.rowCount(); i++) {
            pts.add(new Charts.Point(
                    s.stringColumn("student").get(i) + " "
                            + s.stringColumn("recipe").get(i),
                    s.longColumn("params").get(i),
                    s.doubleColumn("test_acc_mean").get(i),
                    s.doubleColumn("test_acc_std").get(i)));
        }
        if (pts.isEmpty()) {
            throw new IllegalArgumentException("no completed runs to plot; run a distillation first");
        }
        return Charts.tradeoff(title, pts);
    }

    /**
     * Test accuracy against depth from run records alone, mean ± std over seeds. Where a recipe's
     * students differ in size by more than 25% (a depth × width grid) there is one line per width;
     * where they share one budget (width falling as depth grows) the recipe's students form one
     * line, their widths listed in the legend.
     */
    public static XYChart depthChart(String title, List<RunRecord> records) {
        // one point per student (depth, width), so students of equal depth and different width stay apart
        Map<String, Map<Long, List<Double>>> series = new LinkedHashMap<>();
        Map<String, Map<Long, Integer>> widthsOf = new LinkedHashMap<>();
        Map<String, long[]> spread = new LinkedHashMap<>();
        List<RunRecord> done = records.stream()
                .filter(r -> "completed".equals(r.status()) && r.metrics() != null)
                .toList();
        for (RunRecord r : done) {
            long p = r.metrics().parameters();
            spread.merge(r.recipe(), new long[] {p, p}, (a, b) ->
                    new long[] {Math.min(a[0], b[0]), Math.max(a[1], b[1])});
        }
        for (RunRecord r : done) {
            int[] dw = dev.distillery.model.Budgets.shape(dev.distillery.model.ModelSpec.parse(r.studentSpec()));
            long[] mm = spread.get(r.recipe());
            boolean perWidth = mm[1] > 1.25 * mm[0];
            String name = perWidth ? "width " + dw[1] + " · " + r.recipe() : r.recipe();
            long key = dw[0] * 1_000_000L + dw[1];
            series.computeIfAbsent(name, k -> new java.util.TreeMap<>())
                    .computeIfAbsent(key, k -> new ArrayList<>())
                    .add(r.metrics().testAccuracy());
            widthsOf.computeIfAbsent(name, k -> new java.util.TreeMap<>()).put(key, dw[1]);
        }
        if (series.isEmpty()) {
            throw new IllegalArgumentException("no completed runs to plot; run a sweep first");
        }
        XYChart c = new org.knowm.xchart.XYChartBuilder()
                .width(800)
                .height(500)
                .title(title)
                .xAxisTitle("depth (layers)")
                .yAxisTitle("test accuracy (%)")
                .build();
        c.getStyler().setMarkerSize(8);
        c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
        series.forEach((name, byDepth) -> {
            double[] x =
                    byDepth.keySet().stream().mapToDouble(k -> k / 1_000_000L).toArray();
            double[] y = byDepth.values().stream()
                    .mapToDouble(v -> 100
                            * Results.mean(
                                    v.stream().mapToDouble(Double::doubleValue).toArray()))
                    .toArray();
            double[] e = byDepth.values().stream()
                    .mapToDouble(v -> 100
                            * Results.std(
                                    v.stream().mapToDouble(Double::doubleValue).toArray()))
                    .toArray();
            String label = name.startsWith("width ")
                    ? name
                    : name + ": widths " + widthsOf.get(name).values();
            c.addSeries(label, x, y, e).setMarker(org.knowm.xchart.style.markers.SeriesMarkers.CIRCLE);
        });
        return c;
    }

    /**
     * Test accuracy against {@code cost} ({@code params} or {@code latency}: µs per example at batch
     * 1) from run records: every student × recipe as mean ± std, teachers by parameters, and the Pareto
     * front (nothing cheaper is as accurate) drawn as a line.
     */
    public static XYChart paretoChart(String title, List<RunRecord> records, String cost) {
        if (!cost.equals("params") && !cost.equals("latency")) {
            throw new IllegalArgumentException("Pareto cost '" + cost + "': use params or latency");
        }
        Map<String, List<RunRecord>> groups = new LinkedHashMap<>();
        for (RunRecord r : records) {
            if ("completed".equals(r.status()) && r.metrics() != null) {
                groups.computeIfAbsent(r.student() + " · " + r.recipe(), k -> new ArrayList<>())
                        .add(r);
            }
        }
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("no completed runs to plot; run a sweep first");
        }
        List<String> names = new ArrayList<>(groups.keySet());
        double[] x = new double[names.size()];
        double[] y = new double[names.size()];
        double[] e = new double[names.size()];
        for (int i = 0; i < names.size(); i++) {
            List<RunRecord> g = groups.get(names.get(i));
            x[i] = cost.equals("params")
                    ? g.get(0).metrics().parameters()
                    : Results.mean(g.stream()
                            .mapToDouble(r -> r.metrics().latencyMicros())
                            .toArray());
            double[] acc = g.stream()
                    .mapToDouble(r -> 100 * r.metrics().testAccuracy())
                    .toArray();
            y[i] = Results.mean(acc);
            e[i] = Results.std(acc);
        }
        XYChart c = new org.knowm.xchart.XYChartBuilder()
                .width(800)
                .height(500)
                .title(title)
                .xAxisTitle(cost.equals("params") ? "parameters" : "latency (µs per example, batch 1, tape)")
                .yAxisTitle("test accuracy (%)")
                .build();
        c.getStyler().setMarkerSize(8);
        c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
        org.knowm.xchart.XYSeries all = c.addSeries("students (mean ± std over seeds)", x, y, e);
        all.setXYSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Scatter);
        all.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.CIRCLE);
        List<Integer> front = new ArrayList<>(Sweep.frontIndices(x, y));
        front.sort(java.util.Comparator.comparingDouble(i -> x[i]));
        c.addSeries(
                        "Pareto front",
                        front.stream().mapToDouble(i -> x[i]).toArray(),
                        front.stream().mapToDouble(i -> y[i]).toArray())
                .setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        if (cost.equals("params")) {
            Map<String, RunRecord.TeacherInfo> teachers = new LinkedHashMap<>();
            records.stream()
                    .filter(r -> r.teacher() != null
                            && r.teacher().parameters() != null
                            && r.teacher().testAccuracy() != null)
                    .forEach(r -> teachers.putIfAbsent(r.teacher().id(), r.teacher()));
            teachers.values().forEach(t -> {
                org.knowm.xchart.XYSeries s = c.addSeries(
                        "teacher " + t.name(), new double[] {t.parameters()}, new double[] {100 * t.testAccuracy()});
                s.setXYSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Scatter);
                s.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.DIAMOND);
            });
            dev.distillery.plot.Charts.logCountAxis(c);
        }
        return c;
    }

    /** Validation accuracy per epoch, one curve per run (interrupted runs show the epochs they finished). */
    public static XYChart curvesChart(String title, List<RunRecord> records) {
        List<Charts.Curve> curves = new ArrayList<>();
        for (RunRecord r : records) {
            if (r.curve() == null || r.curve().isEmpty()) {
                continue;
            }
            double[] y =
                    r.curve().stream().mapToDouble(e -> 100 * e.valAccuracy()).toArray();
            String name = r.student() + " " + r.recipe() + " s" + r.seed()
                    + ("completed".equals(r.status()) ? "" : " (" + r.status() + ")");
            curves.add(new Charts.Curve(name, r.student() + " " + r.recipe(), y));
        }
        if (curves.isEmpty()) {
            throw new IllegalArgumentException("the runs given have no finished epochs to plot");
        }
        return Charts.curves(title, "validation accuracy (%)", curves);
    }

    /** Test accuracy per method as bars with ± std error bars, from a {@link Results#compare} table; teachers as reference lines in the title. */
    public static org.knowm.xchart.CategoryChart compareChart(String title, Table comparison) {
        if (comparison.rowCount() == 0) {
            throw new IllegalArgumentException("no completed runs to compare; run some distillations first");
        }
        List<String> names = comparison.stringColumn("method").asList();
        List<Double> acc = new ArrayList<>();
        List<Double> err = new ArrayList<>();
        List<Double> agree = new ArrayList<>();
        List<Double> agreeErr = new ArrayList<>();
        for (int i = 0; i < comparison.rowCount(); i++) {
            acc.add(100 * comparison.doubleColumn("test_acc_mean").get(i));
            err.add(100 * comparison.doubleColumn("test_acc_std").get(i));
            DoubleColumn am = comparison.doubleColumn("agreement_mean");
            agree.add(am.isMissing(i) ? 0.0 : 100 * am.get(i));
            agreeErr.add(
                    am.isMissing(i)
                            ? 0.0
                            : 100 * comparison.doubleColumn("agreement_std").get(i));
        }
        org.knowm.xchart.CategoryChart c = new org.knowm.xchart.CategoryChartBuilder()
                .width(900)
                .height(500)
                .title(title)
                .xAxisTitle("method")
                .yAxisTitle("% (mean ± std over seeds)")
                .build();
        double low = java.util.stream.Stream.concat(acc.stream(), agree.stream().filter(v -> v > 0))
                .mapToDouble(Double::doubleValue)
                .min()
                .orElse(0);
        c.getStyler().setYAxisMin(Math.max(0, Math.floor(low / 5) * 5 - 5));
        c.getStyler().setYAxisMax(100.0);
        c.getStyler().setXAxisLabelRotation(20);
        c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        c.addSeries("test accuracy", names, acc, err);
        c.addSeries("agreement with its teacher(s)", names, agree, agreeErr);
        return c;
    }
}
