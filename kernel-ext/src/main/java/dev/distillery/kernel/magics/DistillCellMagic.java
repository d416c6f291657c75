package dev.distillery.kernel.magics;

import dev.distillery.experiment.Experiment;
import dev.distillery.experiment.ExperimentSpec;
import dev.distillery.kernel.Workbench;
import dev.distillery.spec.Specs;
import picocli.CommandLine.Command;

@Command(
        name = "%%distill",
        description = {
            "Run a whole experiment whose spec (YAML or JSON) is the cell body: data, "
                    + "teacher, students, recipes, seeds. Every run is recorded; the teacher is kept under its name."
        },
        footer = {
            "",
            "Example:",
            "  %%%%distill",
            "  name: kd-vs-scratch",
            "  data: {labels: 1000}",
            "  teacher: {name: cnn, model: {type: cnn, channels: [16, 32], dense: [64]}, epochs: 4}",
            "  students: [{name: tiny, model: {type: mlp, hidden: [64]}}]",
            "  recipes: [{loss: {type: scratch}}, {loss: {type: hinton, temperature: 4, alpha: 0.1}}]",
            "  seeds: [1, 2, 3]"
        })
final class DistillCellMagic extends Magic {

    @picocli.CommandLine.Mixin
    RunArgs runArgs = new RunArgs();

    @Override
    public java.util.List<String> knownNames() {
        return dev.distillery.experiment.Registries.helpLines();
    }

    @Override
    public Experiment.Outcome run(String body) {
        if (body == null || body.isBlank()) {
            throw new MagicUsageException(
                    "%%distill",
                    "the cell has no experiment spec below the %%distill line",
                    ctx.catalog().cell("distill").usage());
        }
        ExperimentSpec spec = Specs.parse(body, ExperimentSpec.class, "%%distill cell");
        Experiment.Outcome out = DistillMagic.runExperiment(ctx, spec, "%%distill " + spec.name(), runArgs);
        if (out.teacher() != null && spec.teacher() != null) {
            var ds = spec.data();
            ctx.workbench()
                    .putTeacher(new Workbench.TeacherEntry(
                            spec.teacher().name(),
                            out.teacher(),
                            ds.withLabels(null),
                            out.teacherTestAccuracy(),
                            out.teacherSource(),
                            out.teacherFile()));
        }
        return out;
    }
}
