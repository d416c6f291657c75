package dev.distillery.kernel.magics;

import dev.distillery.experiment.ExperimentSpec;
import dev.distillery.experiment.Sweep;
import dev.distillery.kernel.Workbench;
import dev.distillery.kernel.display.LiveProgress;
import dev.distillery.loss.LossSpec;
import dev.distillery.loss.Losses;
import dev.distillery.model.Budgets;
import dev.distillery.model.MlpSpec;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "%sweep", description = {"Distil every student of one parameter budget, shallow-wide to deep-narrow, "
        + "from one teacher; one recorded run per student and seed.",
        "The teacher runs over the data once for the whole sweep (its outputs are cached)."},
        footer = {"", "Examples:", "  %%sweep --from cnn --family mlp --budget 100000 --epochs 10",
                "  %%sweep --from cnn --family vit --budget 200000 --tolerance 0.03 --loss hinton:T=4,alpha=0.1"})
final class SweepMagic extends Magic {

    static final class Families implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return List.of("mlp", "vit").iterator();
        }
    }

    @Mixin
    TrainingArgs training = new TrainingArgs();

    @Option(names = "--from", required = true, paramLabel = "TEACHER", description = "a teacher from %%teacher")
    String from;

    @Option(names = "--family", paramLabel = "FAMILY", defaultValue = "mlp", completionCandidates = Families.class,
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    String family;

    @Option(names = "--budget", required = true, paramLabel = "PARAMS", description = "parameters per student, e.g. 100000")
    long budget;

    @Option(names = "--tolerance", paramLabel = "FRACTION", defaultValue = "0.03",
            description = "how far from the budget a student may be (default: ${DEFAULT-VALUE})")
    double tolerance;

    @Option(names = "--max-depth", paramLabel = "N", defaultValue = "4", description = "deepest MLP (default: ${DEFAULT-VALUE})")
    int maxDepth;

    @Option(names = "--loss", paramLabel = "LOSS", defaultValue = "hinton:T=4,alpha=0.5",
            description = "default: ${DEFAULT-VALUE}")
    String loss;

    @Option(names = "--seeds", paramLabel = "N", defaultValue = "1", description = "default: ${DEFAULT-VALUE}")
    int seeds;

    @Option(names = "--labels", paramLabel = "N", description = "labels the students may see (default: the teacher's data spec)")
    Integer labels;

    @Option(names = "--name", paramLabel = "EXPERIMENT", defaultValue = "sweep", description = "default: ${DEFAULT-VALUE}")
    String name;

    @Override
    public Sweep.Result run(String body) {
        Workbench wb = ctx.workbench();
        Workbench.TeacherEntry teacher = wb.teacher(from);
        List<Budgets.Candidate> grid = switch (family) {
            case "mlp" -> Budgets.mlps(budget, tolerance, maxDepth);
            case "vit" -> Budgets.transformers(budget, tolerance, Budgets.TransformerGrid.defaults());
            default -> throw new MagicUsageException("%sweep", "unknown family '" + family + "'; known: mlp, vit",
                    ctx.catalog().line("sweep").usage());
        };
        LossSpec l = Losses.parse(loss);
        ExperimentSpec.DataSpec d = labels == null ? teacher.data() : teacher.data().withLabels(labels);
        List<Long> seedList = TrainingArgs.seeds(Math.max(1, seeds));
        ExperimentSpec base = new ExperimentSpec(name, d, teacher.spec(),
                List.of(new ExperimentSpec.StudentSpec("grid", MlpSpec.of(8))),
                List.of(new ExperimentSpec.RecipeSpec(null, l, training.epochs, training.learningRate, training.patience)),
                new ExperimentSpec.TrainingSpec(training.epochs, training.batchSize, training.learningRate, training.patience),
                seedList, training.threads);
        LiveProgress progress = ctx.progress(String.format("%%sweep %s %,d parameters ±%.0f%%: %d students from %s",
                family, budget, 100 * tolerance, grid.size(), from));
        Sweep.Result r = Sweep.depthWidth(base, grid, wb.store(), List.of(progress), progress::message);
        wb.last(r.outcome());
        progress.done(String.format("%d runs recorded; the teacher ran over a dataset %d time%s and was reused %d times",
                r.outcome().records().size(), r.teacherComputations(), r.teacherComputations() == 1 ? "" : "s",
                r.teacherReuses()));
        return r;
    }
}
