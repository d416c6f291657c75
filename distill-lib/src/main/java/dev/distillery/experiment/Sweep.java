package dev.distillery.experiment;

import dev.distillery.model.Budgets;
import dev.distillery.teacher.TeacherCache;
import dev.distillery.train.TrainingListener;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.knowm.xchart.XYChart;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

/**
 * A depth × width sweep: every student of a budget grid distilled from one teacher under the same
 * recipes and seeds, each run recorded. The teacher's outputs come from the shared cache, so the
 * teacher runs over each dataset once, however many students the grid holds.
 */
public final class Sweep {

    /**
     * What a sweep produced: the experiment, one row per run with the student's depth and width,
     * and how many times the teacher had to run over a dataset (the rest were cache hits).
     */
    public record Result(Experiment.Outcome outcome, Table table, long teacherComputations, long teacherReuses) {}

    private Sweep() {}

    /**
     * The rows no other row beats: none has a lower (or equal) {@code cost} column and a higher
     * (or equal) {@code test_acc}, with at least one strictly better. Sorted by cost.
     */
    public static Table paretoFront(Table runs, String cost) {
        double[] c = runs.numberColumn(cost).asDoubleColumn().asDoubleArray();
        double[] a = runs.numberColumn("test_acc").asDoubleColumn().asDoubleArray();
        List<Integer> keep = frontIndices(c, a);
        Table front = runs.rows(keep.stream().mapToInt(Integer::intValue).toArray());
        return front.sortAscendingOn(cost).setName(runs.name() + ": Pareto front on " + cost);
    }

    /** Indices of the points no other point beats (lower or equal cost and higher or equal accuracy, one strictly), in input order. */
    static List<Integer> frontIndices(double[] cost, double[] accuracy) {
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < cost.length; i++) {
            boolean dominated = false;
            for (int j = 0; j < cost.length && !dominated; j++) {
                dominated = j != i
                        && cost[j] <= cost[i]
                        && accuracy[j] >= accuracy[i]
                        && (cost[j] < cost[i] || accuracy[j] > accuracy[i]);
            }
            if (!dominated) {
                keep.add(i);
            }
        }
        return keep;
    }

    /** Test accuracy against depth (mean ± std over seeds): see {@link Results#depthChart}. */
    public static XYChart depthChart(Result r) {
        return ResultCharts.depthChart(r.table().name(), r.outcome().records());
    }

    /** Runs {@code base} (its data, teacher, recipes, seeds) with the students of {@code grid}. */
    public static Result depthWidth(
            ExperimentSpec base,
            List<Budgets.Candidate> grid,
            RunStore store,
            List<TrainingListener> listeners,
            Consumer<String> log) {
        Map<String, Budgets.Candidate> byName = new LinkedHashMap<>();
        List<ExperimentSpec.StudentSpec> students = new ArrayList<>();
        for (Budgets.Candidate c : grid) {
            String name = c.spec().compact();
            byName.put(name, c);
            students.add(new ExperimentSpec.StudentSpec(name, c.spec()));
        }
        ExperimentSpec spec = new ExperimentSpec(
                base.name(),
                base.data(),
                base.teacher(),
                students,
                base.recipes(),
                base.training(),
                base.seeds(),
                base.threads());
        TeacherCache cache = TeacherCache.shared();
        long computed = cache.computedCount();
        long hits = cache.hitCount();
        Experiment e = new Experiment(spec, store).log(log);
        listeners.forEach(e::listener);
        Experiment.Outcome out = e.run();
        Table runs = out.runs().copy();
        IntColumn depth = IntColumn.create("depth");
        IntColumn width = IntColumn.create("width");
        for (String student : runs.stringColumn("student")) {
            Budgets.Candidate c = byName.get(student);
            depth.append(c.depth());
            width.append(c.width());
        }
        runs.insertColumn(2, depth).insertColumn(3, width).setName(base.name() + ": depth × width");
        return new Result(out, runs, cache.computedCount() - computed, cache.hitCount() - hits);
    }
}
