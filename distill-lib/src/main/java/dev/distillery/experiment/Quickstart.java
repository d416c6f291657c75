package dev.distillery.experiment;

import dev.distillery.distill.DistillResult;
import dev.distillery.plot.Charts;
import dev.distillery.spec.Specs;
import dev.distillery.train.TrainingListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import tech.tablesaw.api.Table;

/**
 * The quickstart experiment (a CNN teacher, an MLP student with 1,000 labels, scratch against KD
 * over three seeds), its verdict and its figures. {@code fast} runs the small version.
 */
public final class Quickstart {

    /** The experiment's outcome, whether KD beat scratch on the mean, and the figure files. */
    public record Report(
            Experiment.Outcome outcome,
            double scratchMean,
            double kdMean,
            boolean kdWins,
            Path tradeoffFigure,
            Path curvesFigure) {

        public String text() {
            String verdict = kdWins
                    ? String.format("KD beats scratch on the mean by %+.2f points.", 100 * (kdMean - scratchMean))
                    : String.format(
                            "KD does NOT beat scratch on the mean here (%+.2f points).", 100 * (kdMean - scratchMean));
            return outcome.report() + verdict + "\nfigures: " + tradeoffFigure + ", " + curvesFigure;
        }
    }

    private Quickstart() {}

    /** The spec as shipped: {@code quickstart.yaml} or {@code quickstart-fast.yaml}. */
    public static ExperimentSpec spec(boolean fast) {
        String name = fast ? "quickstart-fast.yaml" : "quickstart.yaml";
        try (InputStream in = Quickstart.class.getResourceAsStream(name)) {
            return Specs.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), ExperimentSpec.class, name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Report run(boolean fast, Path runs, List<TrainingListener> listeners, Consumer<String> log) {
        return run(spec(fast), runs, listeners, log);
    }

    public static Report run(ExperimentSpec spec, Path runs, List<TrainingListener> listeners, Consumer<String> log) {
        Experiment e = new Experiment(spec, new RunStore(runs)).log(log);
        listeners.forEach(e::listener);
        Experiment.Outcome out = e.run();
        Table s = out.summary();
        double scratch = Double.NaN;
        double kd = Double.NaN;
        for (int i = 0; i < s.rowCount(); i++) {
            String recipe = s.stringColumn("recipe").get(i);
            double m = s.doubleColumn("test_acc_mean").get(i);
            if (recipe.equals("scratch")) scratch = m;
            else kd = m;
        }
        Path figures = runs.resolve("figures");
        Path tradeoff = Charts.savePng(tradeoffChart(out), figures.resolve(spec.name() + "-tradeoff.png"));
        Path curves = Charts.savePng(curvesChart(out), figures.resolve(spec.name() + "-curves.png"));
        return new Report(out, scratch, kd, kd > scratch, tradeoff, curves);
    }

    /** Test accuracy against parameters: the teacher, and each recipe's mean ± std over seeds. */
    public static org.knowm.xchart.XYChart tradeoffChart(Experiment.Outcome out) {
        return ResultCharts.tradeoffChart(out.spec().name() + ": accuracy against size", out.records());
    }

    /** Validation accuracy per epoch, averaged over seeds, one curve per student and recipe. */
    public static org.knowm.xchart.XYChart curvesChart(Experiment.Outcome out) {
        Map<String, List<DistillResult>> groups = new LinkedHashMap<>();
        for (DistillResult r : out.results()) {
            groups.computeIfAbsent(r.student() + " " + r.loss(), k -> new ArrayList<>())
                    .add(r);
        }
        List<Charts.Curve> curves = new ArrayList<>();
        groups.forEach((name, rs) -> {
            int len =
                    rs.stream().mapToInt(r -> r.training().curve().size()).min().orElse(0);
            double[] y = new double[len];
            for (DistillResult r : rs) {
                for (int i = 0; i < len; i++) {
                    y[i] += 100 * r.training().curve().get(i).valAccuracy() / rs.size();
                }
            }
            curves.add(new Charts.Curve(name + " (mean of " + rs.size() + ")", y));
        });
        return Charts.curves(out.spec().name() + ": validation accuracy", "validation accuracy (%)", curves);
    }
}
