package dev.distillery.kernel.magics;

import dev.distillery.experiment.Experiment;
import dev.distillery.experiment.ExperimentSpec;
import dev.distillery.kernel.Workbench;
import dev.distillery.kernel.display.LiveProgress;
import dev.distillery.loss.LossSpec;
import dev.distillery.loss.Losses;
import dev.distillery.model.ModelSpec;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "%distill",
        description = {
            "Distil a teacher into a student, once per seed, and record every run.",
            "Without --from the student learns from labels alone (--loss scratch), which is the baseline to beat."
        },
        footer = {
            "",
            "Examples:",
            "  %%distill tiny --from cnn --loss hinton:T=4,alpha=0.1 --epochs 15 --seeds 3 --labels 1000",
            "  %%distill tiny --loss scratch --epochs 60 --patience 10 --seeds 3 --labels 1000",
            "  var r = %%distill mlp:64 --from cnn --epochs 5",
            "  %%distill vit:4x32 --from vit12 --loss hinton:T=4,alpha=0.1 --map uniform --feature attention11>attention3:attention-kl",
            "  %%distill vit:2x32 --from cnn --feature features:cka --supervise layer0:task,w=0.3",
            "  %%distill tiny --from trio-de --loss hinton:T=4,alpha=0.1 --seeds 3"
        })
final class DistillMagic extends Magic {

    @Mixin
    TrainingArgs training = new TrainingArgs();

    @Mixin
    FeatureArgs featureArgs = new FeatureArgs();

    @Mixin
    RunArgs runArgs = new RunArgs();

    @Parameters(
            index = "0",
            paramLabel = "STUDENT",
            description = "a student from %%student, or a compact spec such as mlp:64")
    String student;

    @Option(
            names = "--from",
            paramLabel = "TEACHER",
            description = "a teacher from %%teacher, or an ensemble from %%ensemble")
    String from;

    @Option(
            names = "--loss",
            paramLabel = "LOSS",
            description = "hinton:T=4,alpha=0.5 (alpha weighs the label term) or "
                    + "scratch (default: hinton:T=4,alpha=0.5 with --from, scratch without)")
    String loss;

    @Option(
            names = "--seeds",
            paramLabel = "N",
            defaultValue = "1",
            description = "runs with seeds 1..N (default: ${DEFAULT-VALUE})")
    int seeds;

    @Option(
            names = "--labels",
            paramLabel = "N",
            description = "labels the student may see (default: the teacher's data spec)")
    Integer labels;

    @Option(
            names = "--data",
            paramLabel = "DATA",
            description = "dataset[:key=value,...], a name given to %%data, or folder:PATH, csv:PATH,label=COLUMN, "
                    + "npy:X.npy,labels=Y.npy (default: the teacher's data)")
    String data;

    @Option(
            names = "--name",
            paramLabel = "EXPERIMENT",
            description = "experiment name in the run records " + "(default: the student's name)")
    String name;

    @Override
    public java.util.List<String> knownNames() {
        return dev.distillery.experiment.Registries.helpLines();
    }

    @Override
    public Experiment.Outcome run(String body) {
        Workbench wb = ctx.workbench();
        ModelSpec spec = ModelSpecs.student(wb, student);
        Workbench.EnsembleEntry ensemble = from == null ? null : wb.ensemble(from);
        boolean source = from != null;
        LossSpec l = featureArgs.around(
                loss != null ? Losses.parse(loss) : source ? Losses.hinton(4.0, 0.5) : Losses.scratch());
        Workbench.TeacherEntry teacher =
                from == null || ensemble != null ? null : wb.teacherFor(from, "%distill", l.featuresAlone());
        if (l.needsTeacher() && !source) {
            List<String> known = wb.teacherNames();
            throw new MagicUsageException(
                    "%distill",
                    l.describe() + " learns from a teacher: add --from TEACHER"
                            + (known.isEmpty()
                                    ? " (make one with %teacher)"
                                    : " (known: " + String.join(", ", known) + ")")
                            + ", or use --loss scratch",
                    ctx.catalog().line("distill").usage());
        }
        if (seeds < 1) {
            throw new MagicUsageException(
                    "%distill",
                    "--seeds must be at least 1, got " + seeds,
                    ctx.catalog().line("distill").usage());
        }
        ExperimentSpec.DataSpec d = data != null
                ? ctx.workbench().dataSpec(data)
                : teacher != null
                        ? teacher.data()
                        : ensemble != null ? ensemble.data() : ExperimentSpec.DataSpec.parse("fashion-mnist");
        if (labels != null) {
            d = d.withLabels(labels);
        }
        List<Long> seedList = TrainingArgs.seeds(seeds);
        ExperimentSpec.TeacherSpec ts = teacher == null ? null : teacher.spec();
        String experiment = name != null ? name : student;
        ExperimentSpec es = new ExperimentSpec(
                experiment,
                d,
                ts,
                List.of(new ExperimentSpec.StudentSpec(student, spec)),
                List.of(new ExperimentSpec.RecipeSpec(
                        null, l, training.epochs, training.learningRate, training.patience)),
                new ExperimentSpec.TrainingSpec(
                        training.epochs, training.batchSize, training.learningRate, training.patience),
                seedList,
                training.threads,
                ensemble == null ? null : ensemble.spec(),
                null);
        return runExperiment(ctx, es, "%distill " + student + (from == null ? "" : " from " + from), runArgs);
    }

    /** Runs {@code spec} with a live progress area and remembers its outcome and teacher. */
    static Experiment.Outcome runExperiment(MagicContext ctx, ExperimentSpec spec, String title, RunArgs runArgs) {
        LiveProgress progress = ctx.progress(title);
        Experiment.Outcome out = progress.watch(
                () -> runArgs.applyTo(new Experiment(spec, ctx.workbench().store()))
                        .listener(progress)
                        .log(progress::message)
                        .run());
        ctx.workbench().last(out);
        progress.done(String.format(
                "%d run%s recorded in %s",
                out.records().size(),
                out.records().size() == 1 ? "" : "s",
                ctx.workbench().store().root()));
        return out;
    }
}
