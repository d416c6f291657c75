package dev.distillery.experiment;

import static org.junit.jupiter.api.Assertions.*;

import dev.distillery.loss.FeatureLoss;
import dev.distillery.loss.Losses;
import dev.distillery.model.Budgets;
import dev.distillery.model.MlpSpec;
import dev.distillery.teacher.TeacherCache;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/** Sweeps over a budget or a grid, each with an empty teacher-output cache of its own, so counts of teacher passes are exact. */
class SweepTest {

    @TempDir
    Path runs;

    private TeacherCache previous;

    @BeforeEach
    void emptyCache() {
        previous = TeacherCache.shared();
        TeacherCache.setShared(new TeacherCache(null));
    }

    @AfterEach
    void restoreCache() {
        TeacherCache.setShared(previous);
    }

    @Test
    void aSweepTrainsEveryStudentOfTheGridAndRunsTheTeacherOncePerDataset() {
        List<Budgets.Candidate> grid = Budgets.mlps(20_000, 0.05, 3);
        assertTrue(grid.size() >= 3, grid.toString());
        ExperimentSpec base = new ExperimentSpec(
                "sweep",
                ExperimentSpec.DataSpec.parse("fashion-mnist:labels=500,train=2000,val=300,test=500"),
                new ExperimentSpec.TeacherSpec("t", MlpSpec.of(64), null, 1, null, null, null, null),
                List.of(new ExperimentSpec.StudentSpec("placeholder", MlpSpec.of(8))),
                List.of(new ExperimentSpec.RecipeSpec("kd", Losses.hinton(4.0, 0.5), 1, null, null)),
                null,
                List.of(1L),
                1);
        Sweep.Result r = Sweep.depthWidth(base, grid, new RunStore(runs), List.of(), s -> {});

        Table t = r.table();
        assertEquals(grid.size(), t.rowCount(), "one row per student");
        assertEquals(
                grid.stream().map(Budgets.Candidate::depth).toList(),
                t.intColumn("depth").asList());
        assertEquals(
                grid.stream().map(Budgets.Candidate::parameters).toList(),
                t.longColumn("params").asList());
        for (Column<?> c : t.columns()) {
            assertEquals(0, c.countMissing(), "column " + c.name() + " is filled");
        }
        // the experiment looks up the teacher's test outputs for its accuracy, then every student its train, validation
        // and test outputs: 3n + 1 lookups, of which the first of each dataset computes (an empty cache) and the rest
        // reuse
        assertEquals(3, r.teacherComputations(), "the teacher ran over train, validation and test once each");
        assertEquals(3L * grid.size() + 1 - 3, r.teacherReuses(), "every other lookup reused the teacher's outputs");
        assertEquals(grid.size(), new RunStore(runs).list().size(), "every run is recorded");
        var chart = Sweep.depthChart(r);
        assertEquals(1, chart.getSeriesMap().size(), "a fixed budget: one line, width falling as depth grows");
        assertEquals(
                grid.size(), chart.getSeriesMap().values().iterator().next().getXData().length);
    }

    @Test
    void aDepthByWidthGridWithAFeatureTermRunsTheTeacherExactlyOncePerDataset() {
        List<Budgets.Candidate> grid = Budgets.grid("vit", List.of(1, 2), List.of(8, 16), 2, 2.0, 7);
        FeatureLoss loss = new FeatureLoss(
                Losses.hinton(4.0, 0.5), List.of(FeatureLoss.Match.parse("features:cka")), null, null, null);
        ExperimentSpec base = new ExperimentSpec(
                "grid",
                ExperimentSpec.DataSpec.parse("fashion-mnist:labels=300,train=1000,val=200,test=300"),
                new ExperimentSpec.TeacherSpec("t", MlpSpec.of(32), null, 1, null, null, null, null),
                List.of(new ExperimentSpec.StudentSpec("placeholder", MlpSpec.of(8))),
                List.of(new ExperimentSpec.RecipeSpec("kd+cka", loss, 1, null, null)),
                null,
                List.of(1L),
                1);
        Sweep.Result r = Sweep.depthWidth(base, grid, new RunStore(runs), List.of(), s -> {});
        assertEquals(3, r.teacherComputations(), "train (logits and features in one pass), validation, test");
        assertEquals(4, r.table().rowCount());
        for (Column<?> c : r.table().columns()) {
            assertEquals(0, c.countMissing(), "column " + c.name() + " is filled");
        }
        var chart = Sweep.depthChart(r);
        assertEquals(
                java.util.Set.of("width 8 · kd+cka", "width 16 · kd+cka"),
                chart.getSeriesMap().keySet(),
                "one line per width");
        var pareto = ResultCharts.paretoChart("p", r.outcome().records(), "latency");
        assertTrue(pareto.getSeriesMap().containsKey("Pareto front"));
        assertTrue(
                r.outcome().records().get(0).loss().contains("cka(features)"),
                r.outcome().records().get(0).loss());
    }

    @Test
    void paretoFrontKeepsTheRowsNothingBeats() {
        Table t = Table.create(
                "t",
                tech.tablesaw.api.StringColumn.create("student", "a", "b", "c", "d", "e"),
                tech.tablesaw.api.LongColumn.create("params", 100, 200, 150, 300, 200),
                tech.tablesaw.api.DoubleColumn.create("test_acc", 0.80, 0.85, 0.79, 0.90, 0.84));
        // c is beaten by a (cheaper and better), e by b (same cost, better)
        assertEquals(
                List.of("a", "b", "d"),
                Sweep.paretoFront(t, "params").stringColumn("student").asList());
    }
}
