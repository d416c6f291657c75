package dev.distillery.kernel.magics;

import dev.distillery.experiment.Experiment;
import dev.distillery.experiment.ResultCharts;
import dev.distillery.experiment.Results;
import dev.distillery.experiment.RunRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "%plot",
        description = {
            "Plot recorded runs inline.",
            "curves: validation accuracy per epoch of the RUN ids given (default: the runs of the last experiment).",
            "tradeoff: test accuracy against parameters, teachers and each student × recipe (mean ± std over seeds).",
            "depth: test accuracy against depth, one line per width (a grid) or per recipe (one budget).",
            "pareto: test accuracy against --cost params or latency, with the Pareto front drawn.",
            "compare: test accuracy and agreement per method (experiment; chain students by what they learned from) as "
                    + "bars, mean ± std over seeds; default: every run of this kernel."
        },
        footer = {
            "",
            "Examples:",
            "  %%plot curves",
            "  %%plot curves 20261124-101500-004-tiny-tiny-kd-s1",
            "  %%plot tradeoff",
            "  %%plot tradeoff --save tradeoff.svg",
            "  %%plot tradeoff --experiment quickstart",
            "  %%plot depth",
            "  %%plot pareto --cost latency --experiment depth-vs-width",
            "  %%plot compare"
        })
final class PlotMagic extends Magic {

    static final class Kinds implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return List.of("curves", "tradeoff", "depth", "pareto", "compare").iterator();
        }
    }

    @Parameters(
            index = "0",
            paramLabel = "KIND",
            completionCandidates = Kinds.class,
            description = "${COMPLETION-CANDIDATES}")
    String kind;

    @Parameters(index = "1..*", paramLabel = "RUN", description = "run ids (curves only)")
    List<String> runIds = new ArrayList<>();

    @Option(
            names = "--experiment",
            paramLabel = "NAME",
            description = "every recorded run of this experiment "
                    + "(default: this kernel's runs of the last experiment it ran)")
    String experiment;

    @Option(names = "--title", paramLabel = "TEXT", description = "the chart's title")
    String title;

    @Option(
            names = "--cost",
            paramLabel = "COST",
            defaultValue = "params",
            description = "pareto: params or latency (default: ${DEFAULT-VALUE})")
    String cost;

    @Option(
            names = "--save",
            paramLabel = "FILE",
            description = "also write the chart to FILE: .svg or .pdf (vector, for papers) or .png")
    java.nio.file.Path save;

    @Override
    public org.knowm.xchart.internal.chartpart.Chart<?, ?> run(String body) {
        org.knowm.xchart.internal.chartpart.Chart<?, ?> chart = chart();
        if (save != null) {
            try {
                dev.distillery.plot.Charts.save(chart, save);
            } catch (IllegalArgumentException e) {
                throw new MagicUsageException(
                        "%plot",
                        "--save " + e.getMessage(), ctx.catalog().line("plot").usage());
            } catch (java.io.UncheckedIOException e) {
                throw new MagicUsageException(
                        "%plot",
                        "--save: " + e.getMessage() + "; give a path in a folder you can write to",
                        ctx.catalog().line("plot").usage());
            }
            ctx.sink()
                    .display(new org.dflib.jjava.jupyter.kernel.display.DisplayData("saved " + save.toAbsolutePath()));
        }
        return chart;
    }

    private org.knowm.xchart.internal.chartpart.Chart<?, ?> chart() {
        return switch (kind) {
            case "curves" -> ResultCharts.curvesChart(title != null ? title : "validation accuracy", curveRuns());
            case "tradeoff" -> {
                List<RunRecord> rs = defaultRuns();
                yield ResultCharts.tradeoffChart(title != null ? title : name(rs) + "accuracy against size", rs);
            }
            case "depth" -> {
                List<RunRecord> rs = defaultRuns();
                yield ResultCharts.depthChart(title != null ? title : name(rs) + "accuracy against depth", rs);
            }
            case "pareto" -> {
                if (!cost.equals("params") && !cost.equals("latency")) {
                    throw new MagicUsageException(
                            "%plot",
                            "--cost " + cost + ": use params or latency",
                            ctx.catalog().line("plot").usage());
                }
                List<RunRecord> rs = defaultRuns();
                yield ResultCharts.paretoChart(
                        title != null
                                ? title
                                : name(rs) + "accuracy against " + (cost.equals("params") ? "parameters" : "latency"),
                        rs,
                        cost);
            }
            case "compare" -> {
                List<RunRecord> rs =
                        experiment != null ? defaultRuns() : ctx.workbench().sessionRuns();
                if (rs.isEmpty()) {
                    throw new IllegalArgumentException(
                            "no runs in this kernel yet; run %distill, %ensemble or %chain first, "
                                    + "or give --experiment NAME");
                }
                yield ResultCharts.compareChart(title != null ? title : "methods compared", Results.compare(rs));
            }
            default ->
                throw new MagicUsageException(
                        "%plot",
                        "unknown plot '" + kind + "'; known: curves, tradeoff, depth, pareto, compare",
                        ctx.catalog().line("plot").usage());
        };
    }

    private List<RunRecord> curveRuns() {
        if (runIds.isEmpty()) {
            return defaultRuns();
        }
        Map<String, RunRecord> byId = ctx.workbench().runs().stream()
                .collect(Collectors.toMap(RunRecord::id, Function.identity(), (a, b) -> a));
        List<RunRecord> out = new ArrayList<>();
        for (String id : runIds) {
            RunRecord r = byId.get(id);
            if (r == null) {
                throw new IllegalArgumentException(
                        "no run '" + id + "' in " + ctx.workbench().store().root() + "; %runs lists the run ids");
            }
            out.add(r);
        }
        return out;
    }

    private List<RunRecord> defaultRuns() {
        String exp = experiment;
        Experiment.Outcome last = ctx.workbench().last();
        List<RunRecord> rs;
        if (exp == null && last != null) {
            exp = last.spec().name();
            rs = RunsMagic.select(ctx.workbench().sessionRuns(), exp, null, null);
        } else {
            rs = RunsMagic.select(ctx.workbench().runs(), exp, null, null);
        }
        if (rs.isEmpty()) {
            throw new IllegalArgumentException(
                    exp == null
                            ? "no runs recorded in " + ctx.workbench().store().root() + " yet; run %distill first"
                            : "no runs of experiment '" + exp + "'; %runs lists what there is");
        }
        return rs;
    }

    private String name(List<RunRecord> rs) {
        List<String> names = rs.stream().map(RunRecord::experiment).distinct().toList();
        return names.size() == 1 ? names.get(0) + ": " : "";
    }
}
