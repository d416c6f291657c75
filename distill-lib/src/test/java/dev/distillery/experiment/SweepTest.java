package dev.distillery.experiment;

import static org.junit.jupiter.api.Assertions.*;

import dev.distillery.loss.Losses;
import dev.distillery.model.Budgets;
import dev.distillery.model.MlpSpec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

class SweepTest {

    @TempDir
    Path runs;

    @Test
    void aSweepTrainsEveryStudentOfTheGridAndRunsTheTeacherOncePerDataset() {
        List<Budgets.Candidate> grid = Budgets.mlps(20_000, 0.05, 3);
        assertTrue(grid.size() >= 3, grid.toString());
        ExperimentSpec base = new ExperimentSpec("sweep",
                ExperimentSpec.DataSpec.parse("fashion-mnist:labels=500,train=2000,val=300,test=500"),
                new ExperimentSpec.TeacherSpec("t", MlpSpec.of(64), null, 1, null, null, null, null),
                List.of(new ExperimentSpec.StudentSpec("placeholder", MlpSpec.of(8))),
                List.of(new ExperimentSpec.RecipeSpec("kd", Losses.hinton(4.0, 0.5), 1, null, null)), null, List.of(1L), 1);
        Sweep.Result r = Sweep.depthWidth(base, grid, new RunStore(runs), List.of(), s -> {});

        Table t = r.table();
        assertEquals(grid.size(), t.rowCount(), "one row per student");
        assertEquals(grid.stream().map(Budgets.Candidate::depth).toList(), t.intColumn("depth").asList());
        assertEquals(grid.stream().map(Budgets.Candidate::parameters).toList(), t.longColumn("params").asList());
        for (Column<?> c : t.columns()) {
            assertEquals(0, c.countMissing(), "column " + c.name() + " is filled");
        }
        // train, validation and test: the teacher ran over each at most once, whatever the number of students
        assertTrue(r.teacherComputations() <= 3, "teacher computations: " + r.teacherComputations());
        assertTrue(r.teacherComputations() + r.teacherReuses() >= 3L * grid.size(),
                "every student used teacher outputs: " + r.teacherComputations() + " + " + r.teacherReuses());
        assertEquals(grid.size(), new RunStore(runs).list().size(), "every run is recorded");
        assertEquals(1, Sweep.depthChart(r).getSeriesMap().size(), "one seed, one series");
        assertEquals(grid.size(), Sweep.depthChart(r).getSeriesMap().get("seed 1").getXData().length);
    }

    @Test
    void paretoFrontKeepsTheRowsNothingBeats() {
        Table t = Table.create("t", tech.tablesaw.api.StringColumn.create("student", "a", "b", "c", "d", "e"),
                tech.tablesaw.api.LongColumn.create("params", 100, 200, 150, 300, 200),
                tech.tablesaw.api.DoubleColumn.create("test_acc", 0.80, 0.85, 0.79, 0.90, 0.84));
        // c is beaten by a (cheaper and better), e by b (same cost, better)
        assertEquals(List.of("a", "b", "d"), Sweep.paretoFront(t, "params").stringColumn("student").asList());
    }
}
