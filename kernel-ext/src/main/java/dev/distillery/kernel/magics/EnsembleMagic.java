package dev.distillery.kernel.magics;

import dev.distillery.backend.Backend;
import dev.distillery.data.Splits;
import dev.distillery.eval.Accuracy;
import dev.distillery.experiment.Experiment;
import dev.distillery.experiment.ExperimentSpec;
import dev.distillery.kernel.Workbench;
import dev.distillery.kernel.display.LiveProgress;
import dev.distillery.loss.EnsembleMode;
import dev.distillery.teacher.Ensemble;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "%ensemble",
        description = {
            "Combine teachers from %%teacher into an ensemble kept under NAME; "
                    + "%%distill --from NAME then learns from all of them.",
            "Weights: uniform, fixed numbers, or de (differential evolution on the validation split of the first "
                    + "teacher's data, minimising the weighted ensemble's NLL or error).",
            "Modes: targets (average the teachers' soft targets), losses (average one KD loss per teacher), heads "
                    + "(one student head per teacher, CERBERUS)."
        },
        footer = {
            "",
            "Examples:",
            "  %%ensemble trio --teachers cnn,mlp,vit",
            "  %%ensemble trio-de --teachers cnn,mlp,vit --weights de --evaluations 600",
            "  %%ensemble pair --teachers cnn,mlp --weights 0.7,0.3 --mode losses",
            "  %%ensemble heads --teachers cnn,mlp,vit --weights de --mode heads"
        })
final class EnsembleMagic extends Magic {

    static final class Modes implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return List.of("targets", "losses", "heads").iterator();
        }
    }

    @Parameters(index = "0", paramLabel = "NAME", description = "name to keep the ensemble under")
    String name;

    @Option(
            names = "--teachers",
            required = true,
            paramLabel = "LIST",
            split = ",",
            description = "two or more teachers from %%teacher, e.g. cnn,mlp,vit")
    List<String> teachers;

    @Option(
            names = "--weights",
            paramLabel = "WEIGHTS",
            defaultValue = "uniform",
            description = "uniform, de, or one number per teacher such as 0.5,0.3,0.2 (default: ${DEFAULT-VALUE})")
    String weights;

    @Option(
            names = "--mode",
            paramLabel = "MODE",
            defaultValue = "targets",
            completionCandidates = Modes.class,
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE})")
    String mode;

    @Option(
            names = "--fitness",
            paramLabel = "FITNESS",
            defaultValue = "nll",
            description = "what de minimises on validation: nll or error (default: ${DEFAULT-VALUE})")
    String fitness;

    @Option(
            names = "--evaluations",
            paramLabel = "N",
            defaultValue = "600",
            description = "de's budget of fitness evaluations (default: ${DEFAULT-VALUE})")
    int evaluations;

    @Option(
            names = "--seed",
            paramLabel = "SEED",
            defaultValue = "0",
            description = "de's seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Override
    public Ensemble run(String body) {
        Workbench wb = ctx.workbench();
        if (teachers.size() < 2) {
            throw new MagicUsageException(
                    "%ensemble",
                    "--teachers needs two or more teachers, got " + teachers,
                    ctx.catalog().line("ensemble").usage());
        }
        List<ExperimentSpec.TeacherSpec> members = new ArrayList<>();
        for (String t : teachers) {
            members.add(wb.networkTeacher(t.trim(), "%ensemble").spec());
        }
        ExperimentSpec.DataSpec data = wb.teacher(teachers.get(0).trim()).data();
        ExperimentSpec.EnsembleSpec es;
        try {
            es = new ExperimentSpec.EnsembleSpec(
                    name, members, weights, EnsembleMode.parse(mode), fitness, evaluations, seed);
            dev.distillery.distill.EnsembleWeights.Fitness.parse(es.fitness());
        } catch (dev.distillery.spec.SpecException e) {
            throw new MagicUsageException(
                    "%ensemble", e.getMessage(), ctx.catalog().line("ensemble").usage());
        }
        Backend.start(1);
        LiveProgress progress = ctx.progress("%ensemble " + name);
        Splits all = wb.data(data);
        Ensemble e = Experiment.ensemble(es, all, all, wb.store(), List.of(progress), progress::message);
        double acc = Accuracy.of(e.logits(all.test()), all.test().labels());
        wb.putEnsemble(new Workbench.EnsembleEntry(name, e, es, data, acc));
        progress.done(String.format(
                "%s: test accuracy %.2f%% on %,d test examples",
                e, 100 * acc, all.test().size()));
        return e;
    }
}
