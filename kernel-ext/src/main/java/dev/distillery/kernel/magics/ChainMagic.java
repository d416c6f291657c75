package dev.distillery.kernel.magics;

import dev.distillery.experiment.Experiment;
import dev.distillery.experiment.ExperimentSpec;
import dev.distillery.kernel.Workbench;
import dev.distillery.loss.LossSpec;
import dev.distillery.loss.Losses;
import dev.distillery.model.ModelSpec;
import dev.distillery.spec.SpecException;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "%chain",
        description = {
            "Teacher-assistant distillation: TEACHER → assistant 1 → … → STUDENT, every "
                    + "stage a recorded run linked to the run it learned from.",
            "Assistants are named (--via) or sized geometrically between teacher and student in the student's family "
                    + "(--assistants N). --final de makes the student learn from all assistants combined with weights "
                    + "found by differential evolution (a multi-assistant ensemble)."
        },
        footer = {
            "",
            "Examples:",
            "  %%chain tiny --from cnn --assistants 2 --epochs 10 --labels 1000",
            "  %%chain tiny --from cnn --via mlp:256,mlp:64 --loss hinton:T=4,alpha=0.1",
            "  %%chain tiny --from cnn --assistants 2 --final last,de --seeds 3"
        })
final class ChainMagic extends Magic {

    @Mixin
    TrainingArgs training = new TrainingArgs();

    @Mixin
    RunArgs runArgs = new RunArgs();

    @Parameters(
            index = "0",
            paramLabel = "STUDENT",
            description = "a student from %%student, or a compact spec such as mlp:16")
    String student;

    @Option(names = "--from", required = true, paramLabel = "TEACHER", description = "a teacher from %%teacher")
    String from;

    @Option(
            names = "--via",
            paramLabel = "LIST",
            description = "assistants, largest first: %%student names or compact "
                    + "specs, comma-separated (a spec's own key=value settings stay with it: vit:2x32,patch=7,mlp:64)")
    String via;

    @Option(
            names = "--assistants",
            paramLabel = "N",
            description = "N assistants sized geometrically between the " + "teacher and the student")
    Integer assistants;

    @Option(
            names = "--final",
            paramLabel = "LIST",
            split = ",",
            defaultValue = "last",
            description =
                    "how the student learns at the end, one run each: last (from the last assistant), uniform or de "
                            + "(from all assistants combined) (default: ${DEFAULT-VALUE})")
    List<String> finals;

    @Option(
            names = "--loss",
            paramLabel = "LOSS",
            defaultValue = "hinton:T=4,alpha=0.5",
            description = "every stage's loss (default: ${DEFAULT-VALUE})")
    String loss;

    @Option(
            names = "--seeds",
            paramLabel = "N",
            defaultValue = "1",
            description = "the whole chain once per seed 1..N " + "(default: ${DEFAULT-VALUE})")
    int seeds;

    @Option(
            names = "--labels",
            paramLabel = "N",
            description = "labels every stage may see (default: the teacher's data spec)")
    Integer labels;

    @Option(
            names = "--name",
            paramLabel = "EXPERIMENT",
            description = "experiment and chain name (default: chain-STUDENT)")
    String name;

    @Override
    public java.util.List<String> knownNames() {
        return dev.distillery.experiment.Registries.helpLines();
    }

    @Override
    public Experiment.Outcome run(String body) {
        Workbench wb = ctx.workbench();
        String usage = ctx.catalog().line("chain").usage();
        if ((via == null) == (assistants == null)) {
            throw new MagicUsageException(
                    "%chain",
                    via == null
                            ? "give the assistants: --via ta1,ta2 or --assistants N"
                            : "give --via or --assistants, not both",
                    usage);
        }
        if (seeds < 1) {
            throw new MagicUsageException("%chain", "--seeds must be at least 1, got " + seeds, usage);
        }
        if (assistants != null && assistants < 1) {
            throw new MagicUsageException(
                    "%chain",
                    "--assistants must be at least 1, got " + assistants + "; e.g. --assistants 2 sizes two "
                            + "assistants between the teacher and the student",
                    usage);
        }
        Workbench.TeacherEntry teacher = wb.networkTeacher(from, "%chain");
        ModelSpec spec = ModelSpecs.student(wb, student);
        List<ExperimentSpec.StudentSpec> tas = new ArrayList<>();
        if (via != null) {
            for (String item : items(via)) {
                tas.add(new ExperimentSpec.StudentSpec(item, ModelSpecs.student(wb, item)));
            }
        }
        LossSpec l = Losses.parse(loss);
        if (!l.needsTeacher()) {
            throw new MagicUsageException(
                    "%chain",
                    "--loss " + loss + " learns from labels alone; every stage of a chain "
                            + "learns from the one before, so use e.g. hinton:T=4,alpha=0.1",
                    usage);
        }
        String experiment = name != null ? name : "chain-" + student;
        ExperimentSpec.ChainSpec cs;
        try {
            cs = new ExperimentSpec.ChainSpec(experiment, tas, assistants, finals);
        } catch (SpecException e) {
            throw new MagicUsageException("%chain", e.getMessage(), usage);
        }
        ExperimentSpec.DataSpec d =
                labels == null ? teacher.data() : teacher.data().withLabels(labels);
        ExperimentSpec es = new ExperimentSpec(
                experiment,
                d,
                teacher.spec(),
                List.of(new ExperimentSpec.StudentSpec(student, spec)),
                List.of(new ExperimentSpec.RecipeSpec(
                        null, l, training.epochs, training.learningRate, training.patience)),
                new ExperimentSpec.TrainingSpec(
                        training.epochs, training.batchSize, training.learningRate, training.patience),
                TrainingArgs.seeds(seeds),
                training.threads,
                null,
                cs);
        return DistillMagic.runExperiment(ctx, es, "%chain " + student + " from " + from, runArgs);
    }

    /** Splits {@code a,vit:2x32,patch=7,b} into {@code a}, {@code vit:2x32,patch=7}, {@code b}: key=value pieces stay with their spec. */
    static List<String> items(String list) {
        List<String> out = new ArrayList<>();
        for (String piece : list.split(",")) {
            String p = piece.trim();
            if (p.isEmpty()) {
                continue;
            }
            if (p.contains("=") && !p.contains(":") && !out.isEmpty()) {
                out.set(out.size() - 1, out.get(out.size() - 1) + "," + p);
            } else {
                out.add(p);
            }
        }
        return out;
    }
}
