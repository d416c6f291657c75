package dev.distillery.kernel.display;

import dev.distillery.distill.DistillResult;
import dev.distillery.experiment.Experiment;
import dev.distillery.experiment.ResultCharts;
import dev.distillery.experiment.Results;
import dev.distillery.experiment.TableView;
import dev.distillery.model.ModelSpec;
import dev.distillery.plot.Charts;
import dev.distillery.teacher.Ensemble;
import dev.distillery.teacher.Teacher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import java.util.List;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;
import tech.tablesaw.api.Table;

/**
 * How Distillery's values look in a notebook: charts as PNG, tables as HTML and text, results
 * as a compact summary with their table and curve, teachers and model specs as one line.
 */
public final class Renderers {

    private static final int MAX_ROWS = 200;

    private Renderers() {}

    public static void registerAll(Renderer r) {
        r.createRegistration(Chart.class)
                .preferring(MIMEType.IMAGE_PNG)
                .supporting(MIMEType.TEXT_PLAIN)
                .register((chart, ctx) -> {
                    ctx.renderIfRequested(MIMEType.IMAGE_PNG, () -> png(chart));
                    ctx.renderIfRequested(MIMEType.TEXT_PLAIN, () -> describe(chart));
                });
        r.createRegistration(Table.class)
                .preferring(MIMEType.TEXT_HTML)
                .supporting(MIMEType.TEXT_PLAIN)
                .register((t, ctx) -> {
                    ctx.renderIfRequested(MIMEType.TEXT_HTML, () -> Html.table(t, MAX_ROWS));
                    ctx.renderIfRequested(
                            MIMEType.TEXT_PLAIN, () -> TableView.of(t).text(MAX_ROWS));
                });
        r.createRegistration(Experiment.Outcome.class)
                .preferring(MIMEType.TEXT_HTML)
                .supporting(MIMEType.TEXT_PLAIN)
                .register((o, ctx) -> {
                    ctx.renderIfRequested(MIMEType.TEXT_HTML, () -> html(o));
                    ctx.renderIfRequested(MIMEType.TEXT_PLAIN, o::report);
                });
        r.createRegistration(DistillResult.class)
                .preferring(MIMEType.TEXT_HTML)
                .supporting(MIMEType.TEXT_PLAIN)
                .register((d, ctx) -> {
                    ctx.renderIfRequested(MIMEType.TEXT_HTML, () -> html(d));
                    ctx.renderIfRequested(MIMEType.TEXT_PLAIN, d::summary);
                });
        r.createRegistration(dev.distillery.experiment.Sweep.Result.class)
                .preferring(MIMEType.TEXT_HTML)
                .supporting(MIMEType.TEXT_PLAIN)
                .register((sw, ctx) -> {
                    ctx.renderIfRequested(MIMEType.TEXT_HTML, () -> html(sw));
                    ctx.renderIfRequested(
                            MIMEType.TEXT_PLAIN, () -> TableView.of(sw.table()).text(MAX_ROWS));
                });
        r.createRegistration(Ensemble.class)
                .preferring(MIMEType.TEXT_HTML)
                .supporting(MIMEType.TEXT_PLAIN)
                .register((e, ctx) -> {
                    ctx.renderIfRequested(MIMEType.TEXT_HTML, () -> html(e));
                    ctx.renderIfRequested(MIMEType.TEXT_PLAIN, () -> describe(e));
                });
        r.createRegistration(Teacher.class)
                .preferring(MIMEType.TEXT_PLAIN)
                .register((t, ctx) -> ctx.renderIfRequested(MIMEType.TEXT_PLAIN, () -> describe(t)));
        r.createRegistration(dev.distillery.data.SpeechCommandsSynth.Loaded.class)
                .preferring(MIMEType.TEXT_HTML)
                .supporting(MIMEType.TEXT_PLAIN)
                .register((d, ctx) -> {
                    ctx.renderIfRequested(
                            MIMEType.TEXT_HTML,
                            () -> Html.table(d.summary(), MAX_ROWS) + "<p>"
                                    + Html.escape(d.dir() + " · manifest sha256 " + d.sha256()) + "</p>");
                    ctx.renderIfRequested(MIMEType.TEXT_PLAIN, d::toString);
                });
        r.createRegistration(ModelSpec.class)
                .preferring(MIMEType.TEXT_PLAIN)
                .register((s, ctx) -> ctx.renderIfRequested(MIMEType.TEXT_PLAIN, () -> describe(s)));
    }

    /** A chart as base64 PNG, as Jupyter's image/png wants it. */
    public static String png(Chart<?, ?> chart) {
        try {
            return Base64.getEncoder()
                    .encodeToString(BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot draw chart '" + chart.getTitle() + "': " + e.getMessage(), e);
        }
    }

    static String describe(Chart<?, ?> c) {
        return String.format(
                "%s '%s' (%d×%d, %d series)",
                c.getClass().getSimpleName(),
                c.getTitle(),
                c.getWidth(),
                c.getHeight(),
                c.getSeriesMap().size());
    }

    static String describe(Teacher t) {
        double acc = t.recordedAccuracy();
        return String.format(
                "teacher %s: %s, %,d parameters%s, id %s",
                t.name(),
                t.model().describe(),
                t.parameterCount(),
                Double.isNaN(acc) ? "" : String.format(", test accuracy %.2f%%", 100 * acc),
                t.id().substring(0, 12));
    }

    /** The members and weights as a table, and how the weights were found. */
    static Table members(Ensemble e) {
        tech.tablesaw.api.StringColumn name = tech.tablesaw.api.StringColumn.create("teacher");
        tech.tablesaw.api.StringColumn spec = tech.tablesaw.api.StringColumn.create("spec");
        tech.tablesaw.api.LongColumn params = tech.tablesaw.api.LongColumn.create("params");
        tech.tablesaw.api.DoubleColumn acc = tech.tablesaw.api.DoubleColumn.create("test_acc");
        tech.tablesaw.api.DoubleColumn weight = tech.tablesaw.api.DoubleColumn.create("weight");
        double[] w = e.weights();
        for (int i = 0; i < w.length; i++) {
            Teacher t = e.members().get(i);
            name.append(t.name());
            spec.append(t.model().compact());
            params.append(t.parameterCount());
            double a = t.recordedAccuracy();
            if (Double.isNaN(a)) acc.appendMissing();
            else acc.append(Math.round(a * 10000) / 10000.0);
            weight.append(Math.round(w[i] * 10000) / 10000.0);
        }
        return Table.create("ensemble " + e.name(), name, spec, params, acc, weight);
    }

    static String search(Ensemble e) {
        dev.distillery.provenance.Lineage.Search s = e.search();
        if (s == null) {
            return e.weighting() + " weights";
        }
        return String.format(
                "weights by differential evolution (%d evaluations, seed %d) on the validation split: %s "
                        + "%.4f → %.4f, accuracy %.2f%% → %.2f%% (uniform → found)",
                s.evaluations(),
                s.seed(),
                s.fitness(),
                s.uniformValue(),
                s.value(),
                100 * s.uniformAccuracy(),
                100 * s.accuracy());
    }

    static String describe(Ensemble e) {
        return e + "\n" + search(e) + "\n" + TableView.of(members(e)).text(MAX_ROWS);
    }

    static String html(Ensemble e) {
        return "<div class=\"distillery-ensemble\"><b>" + Html.escape(e.name()) + "</b>: "
                + e.mode().label() + " mode, " + Html.escape(search(e)) + Html.table(members(e), MAX_ROWS) + "</div>";
    }

    static String describe(ModelSpec s) {
        long params = s.parameterCount();
        return String.format(
                "%s (%s): %,d parameters, %d inputs → %d outputs",
                s.describe(), s.compact(), params, s.inputs(), s.outputs());
    }

    static String html(Experiment.Outcome o) {
        StringBuilder h = new StringBuilder("<div class=\"distillery-outcome\">");
        h.append("<b>").append(Html.escape(o.spec().name())).append("</b>");
        if (o.teacher() == null && o.spec().ensemble() != null) {
            h.append(String.format(
                    "<div>%s: test accuracy %.2f%%</div>",
                    Html.escape(o.teacherSource()), 100 * o.teacherTestAccuracy()));
        }
        if (o.teacher() != null) {
            h.append(String.format(
                    "<div>teacher <b>%s</b> (%s, %,d parameters): test accuracy %.2f%% <i>[%s]</i></div>",
                    Html.escape(o.teacher().name()),
                    Html.escape(o.teacher().describe()),
                    o.teacher().parameterCount(),
                    100 * o.teacherTestAccuracy(),
                    Html.escape(o.teacherSource())));
        }
        h.append(Html.table(o.summary(), MAX_ROWS));
        boolean traced = o.records().stream()
                .anyMatch(r -> r.lineage() != null
                        && (!"single".equals(r.lineage().mode()) || r.lineage().chain() != null));
        if (traced) {
            h.append("<details open><summary>lineage</summary>")
                    .append(Html.table(Results.lineage(o.records()), MAX_ROWS))
                    .append("</details>");
        }
        if (!o.records().isEmpty()
                && o.records().stream()
                        .anyMatch(r -> r.curve() != null && !r.curve().isEmpty())) {
            h.append(img(ResultCharts.curvesChart(o.spec().name() + ": validation accuracy", o.records())));
        }
        h.append("<details><summary>runs</summary>")
                .append(Html.table(o.runs(), MAX_ROWS))
                .append("</details></div>");
        return h.toString();
    }

    static String html(dev.distillery.experiment.Sweep.Result sw) {
        StringBuilder h = new StringBuilder("<div class=\"distillery-sweep\">");
        h.append("<b>").append(Html.escape(sw.table().name())).append("</b>");
        h.append(String.format(
                "<div>%d runs; the teacher ran over a dataset %d time%s and was served from the cache %d times</div>",
                sw.table().rowCount(),
                sw.teacherComputations(),
                sw.teacherComputations() == 1 ? "" : "s",
                sw.teacherReuses()));
        h.append(Html.table(sw.table(), MAX_ROWS));
        if (!sw.outcome().records().isEmpty()) {
            h.append(img(dev.distillery.experiment.Sweep.depthChart(sw)));
        }
        return h.append("</div>").toString();
    }

    static String html(DistillResult d) {
        StringBuilder h = new StringBuilder("<div class=\"distillery-result\"><pre>");
        h.append(Html.escape(d.summary())).append("</pre>");
        if (!d.training().curve().isEmpty()) {
            double[] y = d.training().curve().stream()
                    .mapToDouble(e -> 100 * e.valAccuracy())
                    .toArray();
            h.append(img(Charts.curves(
                    d.student() + " · " + d.loss() + " · seed " + d.seed(),
                    "validation accuracy (%)",
                    List.of(new Charts.Curve(d.student() + " " + d.loss(), y)))));
        }
        return h.append("</div>").toString();
    }

    private static String img(Chart<?, ?> chart) {
        return "<img style=\"max-width:640px\" src=\"data:image/png;base64," + png(chart) + "\"/>";
    }
}
