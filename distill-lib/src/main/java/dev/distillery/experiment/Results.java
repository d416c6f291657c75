package dev.distillery.experiment;

import dev.distillery.eval.Latency;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** Run records as Tablesaw tables: one row per run, and mean ± std per student and recipe. */
public final class Results {

    private Results() {}

    /** One row per completed run. */
    public static Table runs(List<RunRecord> records) {
        StringColumn id = StringColumn.create("run");
        StringColumn student = StringColumn.create("student");
        StringColumn recipe = StringColumn.create("recipe");
        LongColumn seed = LongColumn.create("seed");
        StringColumn status = StringColumn.create("status");
        DoubleColumn acc = DoubleColumn.create("test_acc");
        DoubleColumn agree = DoubleColumn.create("agreement");
        DoubleColumn kl = DoubleColumn.create("kl");
        DoubleColumn js = DoubleColumn.create("js");
        LongColumn params = LongColumn.create("params");
        LongColumn bytes = LongColumn.create("bytes");
        DoubleColumn tape1 = DoubleColumn.create("tape_b1_us");
        DoubleColumn ort1 = DoubleColumn.create("onnxrt_b1_us");
        DoubleColumn tape256 = DoubleColumn.create("tape_b256_ms");
        DoubleColumn ort256 = DoubleColumn.create("onnxrt_b256_ms");
        IntColumn epochs = IntColumn.create("epochs");
        DoubleColumn seconds = DoubleColumn.create("train_s");
        for (RunRecord r : records) {
            id.append(r.id());
            student.append(r.student());
            recipe.append(r.recipe());
            seed.append(r.seed());
            status.append(r.status());
            if (r.metrics() != null) {
                acc.append(r.metrics().testAccuracy());
                appendNullable(agree, r.metrics().agreement());
                appendNullable(kl, r.metrics().klDivergence());
                appendNullable(js, r.metrics().jsDivergence());
                params.append(r.metrics().parameters());
                bytes.append(r.metrics().bytesOnDisk());
                tape1.append(r.metrics().latencyMicros());
                appendNullable(ort1, micros(r.metrics(), Latency.ONNX_RUNTIME, 1, 1));
                appendNullable(tape256, micros(r.metrics(), Latency.TAPE, 256, 1e3));
                appendNullable(ort256, micros(r.metrics(), Latency.ONNX_RUNTIME, 256, 1e3));
            } else {
                acc.appendMissing();
                agree.appendMissing();
                kl.appendMissing();
                js.appendMissing();
                params.appendMissing();
                bytes.appendMissing();
                tape1.appendMissing();
                ort1.appendMissing();
                tape256.appendMissing();
                ort256.appendMissing();
            }
            epochs.append(r.curve() == null ? 0 : r.curve().size());
            appendNullable(seconds, r.trainSeconds());
        }
        return Table.create(
                "runs", id, student, recipe, seed, status, acc, agree, kl, js, params, bytes, tape1, ort1, tape256,
                ort256, epochs, seconds);
    }

    /**
     * Every latency figure of each completed run that has them: the engine and what it ran on, the
     * batch size, the median time per batch and per example.
     */
    public static Table latency(List<RunRecord> records) {
        StringColumn id = StringColumn.create("run");
        StringColumn student = StringColumn.create("student");
        StringColumn engine = StringColumn.create("engine");
        IntColumn batch = IntColumn.create("batch");
        DoubleColumn perBatch = DoubleColumn.create("us_per_batch");
        DoubleColumn perExample = DoubleColumn.create("us_per_example");
        StringColumn runtime = StringColumn.create("measured on");
        for (RunRecord r : records) {
            if (r.metrics() == null || r.metrics().latencies() == null) {
                continue;
            }
            for (Latency l : r.metrics().latencies()) {
                id.append(r.id());
                student.append(r.student());
                engine.append(l.engineName());
                batch.append(l.batch());
                perBatch.append(Math.round(l.microsPerBatch() * 10) / 10.0);
                perExample.append(Math.round(l.microsPerExample() * 10) / 10.0);
                runtime.append(l.runtime());
            }
        }
        return Table.create("latency", id, student, engine, batch, perBatch, perExample, runtime);
    }

    /** A run's figure for {@code engine} at {@code batch} in microseconds divided by {@code unit}, or null. */
    private static Double micros(dev.distillery.eval.Metrics m, String engine, int batch, double unit) {
        Latency l = m.latency(engine, batch);
        return l == null ? null : l.microsPerBatch() / unit;
    }

    /** Mean and sample standard deviation of accuracy and agreement per (student, recipe), completed runs only. */
    public static Table summary(List<RunRecord> records) {
        Map<String, List<RunRecord>> groups = new LinkedHashMap<>();
        for (RunRecord r : records) {
            if ("completed".equals(r.status()) && r.metrics() != null) {
                groups.computeIfAbsent(r.student() + "\u0000" + r.recipe(), k -> new ArrayList<>())
                        .add(r);
            }
        }
        StringColumn student = StringColumn.create("student");
        StringColumn recipe = StringColumn.create("recipe");
        IntColumn n = IntColumn.create("seeds");
        DoubleColumn accMean = DoubleColumn.create("test_acc_mean");
        DoubleColumn accStd = DoubleColumn.create("test_acc_std");
        DoubleColumn agreeMean = DoubleColumn.create("agreement_mean");
        DoubleColumn agreeStd = DoubleColumn.create("agreement_std");
        DoubleColumn klMean = DoubleColumn.create("kl_mean");
        LongColumn params = LongColumn.create("params");
        for (List<RunRecord> g : groups.values()) {
            RunRecord first = g.get(0);
            student.append(first.student());
            recipe.append(first.recipe());
            n.append(g.size());
            double[] a = g.stream().mapToDouble(r -> r.metrics().testAccuracy()).toArray();
            accMean.append(mean(a));
            accStd.append(std(a));
            double[] f = g.stream()
                    .filter(r -> r.metrics().agreement() != null)
                    .mapToDouble(r -> r.metrics().agreement())
                    .toArray();
            appendNullable(agreeMean, f.length == 0 ? null : mean(f));
            appendNullable(agreeStd, f.length == 0 ? null : std(f));
            double[] k = g.stream()
                    .filter(r -> r.metrics().klDivergence() != null)
                    .mapToDouble(r -> r.metrics().klDivergence())
                    .toArray();
            appendNullable(klMean, k.length == 0 ? null : mean(k));
            params.append(first.metrics().parameters());
        }
        return Table.create("summary", student, recipe, n, accMean, accStd, agreeMean, agreeStd, klMean, params);
    }

    /**
     * Where each run's soft targets came from, stage by stage: its role and stage in a chain, the
     * teachers (with weights) or assistants it learned from, and the runs that made them.
     */
    public static Table lineage(List<RunRecord> records) {
        StringColumn run = StringColumn.create("run");
        StringColumn experiment = StringColumn.create("experiment");
        StringColumn student = StringColumn.create("student");
        LongColumn seed = LongColumn.create("seed");
        StringColumn role = StringColumn.create("role");
        StringColumn stage = StringColumn.create("stage");
        StringColumn from = StringColumn.create("learned_from");
        StringColumn parents = StringColumn.create("parent_runs");
        DoubleColumn acc = DoubleColumn.create("test_acc");
        for (RunRecord r : records) {
            dev.distillery.provenance.Lineage l = r.lineage();
            run.append(r.id());
            experiment.append(r.experiment());
            student.append(r.student());
            seed.append(r.seed());
            role.append(l == null ? "student" : l.role());
            stage.append(l == null || l.stage() == null ? "" : l.stage() + "/" + l.stages());
            from.append(l == null ? "labels only" : l.describe());
            parents.append(l == null ? "" : String.join(", ", l.parents()));
            appendNullable(
                    acc, r.metrics() == null ? null : Math.round(r.metrics().testAccuracy() * 10000) / 10000.0);
        }
        return Table.create("lineage", run, experiment, student, seed, role, stage, from, parents, acc);
    }

    /**
     * The method a record belongs to in a comparison: its experiment, plus for a chain's student
     * what it learned from (the last assistant, or the assistants combined).
     */
    public static String method(RunRecord r) {
        int at = r.recipe().indexOf(" · from ");
        return at < 0 ? r.experiment() : r.experiment() + " (" + r.recipe().substring(at + " · from ".length()) + ")";
    }

    /** {@link #compare(List, java.util.function.Function)} with methods named by {@link #method}. */
    public static Table compare(List<RunRecord> records) {
        return compare(records, Results::method);
    }

    /**
     * One row per method (chain assistants left out), mean ± std over seeds of test accuracy, label
     * fidelity (agreement with what the student learned from) and probability fidelity (KL from it),
     * with the student's parameters, the extra parameters of multi-head students, and the lineage.
     */
    public static Table compare(List<RunRecord> records, java.util.function.Function<RunRecord, String> method) {
        Map<String, List<RunRecord>> groups = new LinkedHashMap<>();
        for (RunRecord r : records) {
            boolean assistant =
                    r.lineage() != null && "assistant".equals(r.lineage().role());
            if ("completed".equals(r.status()) && r.metrics() != null && !assistant) {
                groups.computeIfAbsent(method.apply(r), k -> new ArrayList<>()).add(r);
            }
        }
        StringColumn name = StringColumn.create("method");
        StringColumn student = StringColumn.create("student");
        IntColumn n = IntColumn.create("seeds");
        DoubleColumn accMean = DoubleColumn.create("test_acc_mean");
        DoubleColumn accStd = DoubleColumn.create("test_acc_std");
        DoubleColumn agreeMean = DoubleColumn.create("agreement_mean");
        DoubleColumn agreeStd = DoubleColumn.create("agreement_std");
        DoubleColumn klMean = DoubleColumn.create("kl_mean");
        DoubleColumn klStd = DoubleColumn.create("kl_std");
        LongColumn params = LongColumn.create("params");
        LongColumn extra = LongColumn.create("extra_params");
        StringColumn from = StringColumn.create("learned_from");
        groups.forEach((m, g) -> {
            RunRecord first = g.get(0);
            name.append(m);
            student.append(first.student());
            n.append(g.size());
            double[] a = g.stream().mapToDouble(r -> r.metrics().testAccuracy()).toArray();
            accMean.append(mean(a));
            accStd.append(std(a));
            double[] f = g.stream()
                    .filter(r -> r.metrics().agreement() != null)
                    .mapToDouble(r -> r.metrics().agreement())
                    .toArray();
            appendNullable(agreeMean, f.length == 0 ? null : mean(f));
            appendNullable(agreeStd, f.length == 0 ? null : std(f));
            double[] k = g.stream()
                    .filter(r -> r.metrics().klDivergence() != null)
                    .mapToDouble(r -> r.metrics().klDivergence())
                    .toArray();
            appendNullable(klMean, k.length == 0 ? null : mean(k));
            appendNullable(klStd, k.length == 0 ? null : std(k));
            params.append(first.metrics().parameters());
            Long x = first.lineage() == null ? null : first.lineage().extraParameters();
            extra.append(x == null ? 0 : x);
            dev.distillery.provenance.Lineage l = first.lineage();
            String desc = l == null
                    ? "labels only"
                    : l.describeSource() + (l.chain() == null ? "" : " (chain " + l.chain() + ")");
            boolean varies = g.stream()
                            .map(r -> r.lineage() == null
                                    ? List.<Double>of()
                                    : r.lineage().teachers().stream()
                                            .map(dev.distillery.provenance.Lineage.Member::weight)
                                            .toList())
                            .distinct()
                            .count()
                    > 1;
            if (varies) {
                desc += "; the weights of seed " + first.seed() + " (they differ by seed)";
            }
            from.append(desc);
        });
        return Table.create(
                "comparison",
                name,
                student,
                n,
                accMean,
                accStd,
                agreeMean,
                agreeStd,
                klMean,
                klStd,
                params,
                extra,
                from);
    }

    /** A {@link #compare} table for reading: accuracy and agreement as {@code mean ± std} percentages, KL as {@code mean ± std}. */
    public static Table readable(Table comparison) {
        StringColumn method = StringColumn.create("method");
        LongColumn params = LongColumn.create("params");
        LongColumn extra = LongColumn.create("extra_head_params");
        IntColumn seeds = IntColumn.create("seeds");
        StringColumn acc = StringColumn.create("test accuracy");
        StringColumn agree = StringColumn.create("agreement (label fidelity)");
        StringColumn kl = StringColumn.create("KL (probability fidelity)");
        StringColumn from = StringColumn.create("learned from");
        for (int i = 0; i < comparison.rowCount(); i++) {
            method.append(comparison.stringColumn("method").get(i));
            params.append(comparison.longColumn("params").get(i));
            extra.append(comparison.longColumn("extra_params").get(i));
            seeds.append(comparison.intColumn("seeds").get(i));
            acc.append(pct(
                    comparison.doubleColumn("test_acc_mean").get(i),
                    comparison.doubleColumn("test_acc_std").get(i)));
            DoubleColumn am = comparison.doubleColumn("agreement_mean");
            agree.append(
                    am.isMissing(i)
                            ? "-"
                            : pct(
                                    am.get(i),
                                    comparison.doubleColumn("agreement_std").get(i)));
            DoubleColumn km = comparison.doubleColumn("kl_mean");
            kl.append(
                    km.isMissing(i)
                            ? "-"
                            : String.format(
                                    "%.3f ± %.3f",
                                    km.get(i), comparison.doubleColumn("kl_std").get(i)));
            from.append(comparison.stringColumn("learned_from").get(i));
        }
        return Table.create(comparison.name(), method, params, extra, seeds, acc, agree, kl, from);
    }

    /** The summary as text: accuracy and agreement as {@code mean ± std} percentages. */
    public static String format(Table summary, String teacherLine) {
        StringBuilder s = new StringBuilder();
        if (teacherLine != null) {
            s.append(teacherLine).append('\n');
        }
        if (summary.rowCount() == 0) {
            return s.toString(); // no run with a test accuracy (e.g. sentence embeddings): nothing to tabulate
        }
        s.append(String.format(
                "%-14s %-16s %5s  %-17s %-17s %8s%n",
                "student", "recipe", "seeds", "test accuracy", "agreement", "KL"));
        for (int i = 0; i < summary.rowCount(); i++) {
            DoubleColumn am = summary.doubleColumn("agreement_mean");
            s.append(String.format(
                    "%-14s %-16s %5d  %-17s %-17s %8s%n",
                    summary.stringColumn("student").get(i),
                    summary.stringColumn("recipe").get(i),
                    summary.intColumn("seeds").get(i),
                    pct(
                            summary.doubleColumn("test_acc_mean").get(i),
                            summary.doubleColumn("test_acc_std").get(i)),
                    am.isMissing(i)
                            ? "-"
                            : pct(
                                    am.get(i),
                                    summary.doubleColumn("agreement_std").get(i)),
                    summary.doubleColumn("kl_mean").isMissing(i)
                            ? "-"
                            : String.format(
                                    "%.3f", summary.doubleColumn("kl_mean").get(i))));
        }
        return s.toString();
    }

    static String pct(double mean, double std) {
        return String.format("%.2f ± %.2f%%", 100 * mean, Double.isNaN(std) ? 0 : 100 * std);
    }

    /**
     * The probes of completed records, one line per student and recipe: each value's mean (± its
     * spread over seeds when there are several), in the order the probes recorded them; null when no
     * record has probes.
     */
    public static String formatProbes(List<RunRecord> records) {
        Map<String, List<RunRecord>> groups = new LinkedHashMap<>();
        for (RunRecord r : records) {
            if (RunRecord.COMPLETED.equals(r.status()) && r.probes() != null) {
                groups.computeIfAbsent(r.student() + " · " + r.recipe(), k -> new ArrayList<>())
                        .add(r);
            }
        }
        if (groups.isEmpty()) {
            return null;
        }
        StringBuilder s = new StringBuilder("probes (mean ± std over seeds):\n");
        groups.forEach((name, g) -> {
            List<String> parts = new ArrayList<>();
            for (String key : g.get(0).probes().keySet()) {
                double[] v = g.stream()
                        .filter(r -> r.probes().get(key) != null)
                        .mapToDouble(r -> r.probes().get(key))
                        .toArray();
                String value = key.equals("parameters")
                        ? String.format(Locale.ROOT, "%,.0f", mean(v))
                        : v.length > 1
                                ? String.format(Locale.ROOT, "%.3f ± %.3f", mean(v), std(v))
                                : String.format(Locale.ROOT, "%.3f", mean(v));
                parts.add(key + " " + value);
            }
            s.append(String.format(
                    Locale.ROOT,
                    "  %s (%d seed%s): %s%n",
                    name,
                    g.size(),
                    g.size() == 1 ? "" : "s",
                    String.join(", ", parts)));
        });
        return s.toString();
    }

    public static double mean(double[] v) {
        double s = 0;
        for (double x : v) s += x;
        return v.length == 0 ? Double.NaN : s / v.length;
    }

    /** Sample standard deviation (n - 1); 0 for a single value. */
    public static double std(double[] v) {
        if (v.length < 2) return 0;
        double m = mean(v);
        double s = 0;
        for (double x : v) s += (x - m) * (x - m);
        return Math.sqrt(s / (v.length - 1));
    }

    private static void appendNullable(DoubleColumn c, Double v) {
        if (v == null) c.appendMissing();
        else c.append(v);
    }
}
