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

@Command(
        name = "%sweep",
        description = {
            "Distil every student of one parameter budget, shallow-wide to deep-narrow, "
                    + "from one teacher; one recorded run per student and seed.",
            "The teacher runs over the data once for the whole sweep (its outputs are cached)."
        },
        footer = {
            "",
            "Examples:",
            "  %%sweep --from cnn --family mlp --budget 100000 --epochs 10",
            "  %%sweep --from cnn --family vit --budget 200000 --tolerance 0.03 --loss hinton:T=4,alpha=0.1",
            "  %%sweep --from cnn --family vit --budget 30000 --depths 1,2,4,6 --heads 2 --ffn 2 --patch 7 --feature features:cka",
            "  %%sweep --from cnn --family vit --depths 1,2,4 --widths 16,32 --heads 2 --ffn 2 --patch 7"
        })
final class SweepMagic extends Magic {

    static final class Families implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return List.of("mlp", "vit").iterator();
        }
    }

    @Mixin
    TrainingArgs training = new TrainingArgs();

    @Mixin
    FeatureArgs featureArgs = new FeatureArgs();

    @Option(names = "--from", required = true, paramLabel = "TEACHER", description = "a teacher from %%teacher")
    String from;

    @Option(
            names = "--family",
            paramLabel = "FAMILY",
            defaultValue = "mlp",
            completionCandidates = Families.class,
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    String family;

    @Option(
            names = "--budget",
            paramLabel = "PARAMS",
            description = "parameters per student, e.g. 100000; "
                    + "without it, --depths × --widths is swept whatever the sizes")
    Long budget;

    @Option(
            names = "--depths",
            paramLabel = "LIST",
            split = ",",
            description = "depths to try (vit default: 1,2,3,4,6,8,12; " + "mlp: 1 to --max-depth)")
    List<Integer> depths;

    @Option(
            names = "--widths",
            paramLabel = "LIST",
            split = ",",
            description = "widths for a grid without --budget, e.g. 16,32,64")
    List<Integer> widths;

    @Option(
            names = "--heads",
            paramLabel = "LIST",
            split = ",",
            description = "vit attention heads to try (default: 2,4; " + "a grid takes the first)")
    List<Integer> heads;

    @Option(
            names = "--ffn",
            paramLabel = "LIST",
            split = ",",
            description = "vit feed-forward ratios to try (default: 2,4; " + "a grid takes the first)")
    List<Double> ffn;

    @Option(
            names = "--patch",
            paramLabel = "PIXELS",
            defaultValue = "4",
            description = "vit patch side (default: ${DEFAULT-VALUE})")
    int patch;

    @Option(
            names = "--tolerance",
            paramLabel = "FRACTION",
            defaultValue = "0.03",
            description = "how far from the budget a student may be (default: ${DEFAULT-VALUE})")
    double tolerance;

    @Option(
            names = "--max-depth",
            paramLabel = "N",
            defaultValue = "4",
            description = "deepest MLP (default: ${DEFAULT-VALUE})")
    int maxDepth;

    @Option(
            names = "--loss",
            paramLabel = "LOSS",
            defaultValue = "hinton:T=4,alpha=0.5",
            description = "default: ${DEFAULT-VALUE}")
    String loss;

    @Option(names = "--seeds", paramLabel = "N", defaultValue = "1", description = "default: ${DEFAULT-VALUE}")
    int seeds;

    @Option(
            names = "--labels",
            paramLabel = "N",
            description = "labels the students may see (default: the teacher's data spec)")
    Integer labels;

    @Option(
            names = "--name",
            paramLabel = "EXPERIMENT",
            defaultValue = "sweep",
            description = "default: ${DEFAULT-VALUE}")
    String name;

    @Override
    public java.util.List<String> knownNames() {
        return dev.distillery.experiment.Registries.helpLines();
    }

    @Override
    public Sweep.Result run(String body) {
        Workbench wb = ctx.workbench();
        if (!family.equals("mlp") && !family.equals("vit")) {
            throw new MagicUsageException(
                    "%sweep",
                    "unknown family '" + family + "'; known: mlp, vit",
                    ctx.catalog().line("sweep").usage());
        }
        if ((budget == null) == (widths == null)) {
            throw new MagicUsageException(
                    "%sweep",
                    budget == null
                            ? "give --budget PARAMS (students of one size) or " + "--depths and --widths (a grid)"
                            : "--budget and --widths exclude each other: a budget fixes the width " + "of each depth",
                    ctx.catalog().line("sweep").usage());
        }
        String usage = ctx.catalog().line("sweep").usage();
        atLeastOne("--depths", depths, "--depths 1,2,4", usage);
        atLeastOne("--widths", widths, "--widths 16,32", usage);
        atLeastOne("--heads", heads, "--heads 2,4", usage);
        if (budget != null && budget < 1) {
            throw new MagicUsageException(
                    "%sweep",
                    "--budget must be a positive parameter count, got " + budget + "; e.g. --budget 30000", usage);
        }
        if (seeds < 1) {
            throw new MagicUsageException("%sweep", "--seeds must be at least 1, got " + seeds, usage);
        }
        Workbench.TeacherEntry teacher = wb.networkTeacher(from, "%sweep");
        Budgets.Io io = io(wb.data(teacher.data()).train());
        Budgets.TransformerGrid defaults = Budgets.TransformerGrid.defaults();
        List<Integer> hs = heads != null ? heads : defaults.heads();
        List<Double> fs = ffn != null ? ffn : defaults.ffnRatios();
        List<Budgets.Candidate> grid;
        if (budget != null) {
            grid = family.equals("mlp")
                    ? Budgets.mlps(
                            budget,
                            tolerance,
                            depths == null
                                    ? maxDepth
                                    : depths.stream().max(Integer::compare).orElse(maxDepth),
                            io)
                    : Budgets.transformers(
                            budget,
                            tolerance,
                            new Budgets.TransformerGrid(
                                    depths != null ? depths : defaults.depths(), hs, fs, patch, defaults.widthStep()),
                            io);
            if (family.equals("mlp") && depths != null) {
                grid = grid.stream().filter(c -> depths.contains(c.depth())).toList();
            }
        } else {
            if (depths == null) {
                throw new MagicUsageException(
                        "%sweep",
                        "a grid needs --depths as well as --widths, e.g. --depths 1,2,4 --widths 16,32",
                        ctx.catalog().line("sweep").usage());
            }
            grid = Budgets.grid(family, depths, widths, hs.get(0), fs.get(0), patch, io);
        }
        LossSpec l = featureArgs.around(Losses.parse(loss));
        ExperimentSpec.DataSpec d =
                labels == null ? teacher.data() : teacher.data().withLabels(labels);
        List<Long> seedList = TrainingArgs.seeds(seeds);
        ExperimentSpec base = new ExperimentSpec(
                name,
                d,
                teacher.spec(),
                List.of(new ExperimentSpec.StudentSpec("grid", MlpSpec.of(8))),
                List.of(new ExperimentSpec.RecipeSpec(
                        null, l, training.epochs, training.learningRate, training.patience)),
                new ExperimentSpec.TrainingSpec(
                        training.epochs, training.batchSize, training.learningRate, training.patience),
                seedList,
                training.threads);
        LiveProgress progress = ctx.progress(
                budget != null
                        ? String.format(
                                "%%sweep %s %,d parameters ±%.0f%%: %d students from %s",
                                family, budget, 100 * tolerance, grid.size(), from)
                        : String.format(
                                "%%sweep %s grid depths %s × widths %s: " + "%d students from %s",
                                family, depths, widths, grid.size(), from));
        List<Budgets.Candidate> students = grid;
        Sweep.Result r = progress.watch(
                () -> Sweep.depthWidth(base, students, wb.store(), List.of(progress), progress::message));
        wb.last(r.outcome());
        progress.done(String.format(
                "%d runs recorded; the teacher ran over a dataset %d time%s and was reused %d times",
                r.outcome().records().size(),
                r.teacherComputations(),
                r.teacherComputations() == 1 ? "" : "s",
                r.teacherReuses()));
        return r;
    }

    /** The students read the teacher's data: its values per row (images: their shape) and its classes. */
    private static Budgets.Io io(dev.distillery.data.LabeledData train) {
        return new Budgets.Io(
                train.inputSize(),
                train.imageShape() == null ? null : dev.distillery.model.ImageShape.parse(train.imageShape()),
                train.numClasses());
    }

    /** Every value of list {@code flag} must be at least 1: a depth, width or head count of 0 makes no model. */
    private static void atLeastOne(String flag, List<Integer> values, String example, String usage) {
        if (values == null) {
            return;
        }
        for (int v : values) {
            if (v < 1) {
                throw new MagicUsageException(
                        "%sweep",
                        flag + " values must each be at least 1, got " + v + " in " + values + "; e.g. " + example,
                        usage);
            }
        }
    }
}
