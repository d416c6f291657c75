package dev.distillery.kernel.magics;

import dev.distillery.backend.Backend;
import dev.distillery.data.Splits;
import dev.distillery.eval.Accuracy;
import dev.distillery.experiment.Experiment;
import dev.distillery.experiment.ExperimentSpec;
import dev.distillery.kernel.Workbench;
import dev.distillery.kernel.display.LiveProgress;
import dev.distillery.teacher.Teacher;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "%teacher", description = {"Train a teacher (or load one from a file) and keep it under NAME.",
        "A teacher trained with the same spec on the same data before is reused from <runs>/teachers/."},
        footer = {"", "Examples:", "  %%teacher cnn --spec cnn:32x64 --data fashion-mnist --epochs 10",
                "  %%teacher small --spec cnn:16x32 --data fashion-mnist:train=20000 --epochs 4",
                "  %%teacher cnn --load runs/teachers/cnn-0123456789abcdef.dtm"})
final class TeacherMagic extends Magic {

    @Mixin
    TrainingArgs training = new TrainingArgs();

    @Parameters(index = "0", paramLabel = "NAME", description = "name to keep the teacher under")
    String name;

    @Option(names = "--spec", paramLabel = "SPEC", description = "model to train: compact (cnn:32x64, mlp:800x800) "
            + "or a JSON/YAML spec file")
    String spec;

    @Option(names = "--load", paramLabel = "FILE", description = "a teacher file (.dtm) to load instead of training")
    Path load;

    @Option(names = "--data", paramLabel = "DATA", defaultValue = "fashion-mnist",
            description = "fashion-mnist, speech-commands-synth/word or speech-commands-synth/voice, then "
                    + "[:key=value,...]; keys labels, train, val, test, holdout, seed, dir "
                    + "(default: ${DEFAULT-VALUE})")
    String data;





    @Option(names = "--seed", paramLabel = "SEED", defaultValue = "0", description = "default: ${DEFAULT-VALUE}")
    long seed;

    @Override
    public Teacher run(String body) {
        if ((spec == null) == (load == null)) {
            throw new MagicUsageException("%teacher", spec == null ? "give --spec SPEC to train or --load FILE to load"
                    : "give either --spec or --load, not both", ctx.catalog().line("teacher").usage());
        }
        ExperimentSpec.DataSpec d = ExperimentSpec.DataSpec.parse(data);
        ExperimentSpec.TeacherSpec ts = new ExperimentSpec.TeacherSpec(name, spec == null ? null : ModelSpecs.read(spec),
                load == null ? null : load.toString(), training.epochs, training.batchSize, training.learningRate,
                training.patience, seed);
        Backend.start(training.threads);
        LiveProgress progress = ctx.progress("%teacher " + name);
        Splits all = ctx.workbench().data(d);
        Experiment.Prepared p = Experiment.teacher(ts, all, ctx.workbench().store(), List.of(progress), progress::message);
        double acc = Accuracy.of(p.teacher().logits(all.test()), all.test().labels());
        ctx.workbench().putTeacher(new Workbench.TeacherEntry(name, p.teacher(), d, acc, p.source(), p.file()));
        progress.done(String.format("teacher '%s': test accuracy %.2f%% on %,d images (%s)", name, 100 * acc,
                all.test().size(), p.source()));
        return p.teacher();
    }
}
