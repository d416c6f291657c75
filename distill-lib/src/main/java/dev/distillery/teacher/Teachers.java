package dev.distillery.teacher;

import dev.distillery.data.Splits;
import dev.distillery.eval.Accuracy;
import dev.distillery.model.CrossEntropy;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.Network;
import dev.distillery.model.Provenance;
import dev.distillery.model.Trainer;
import dev.distillery.model.TrainingListener;
import dev.distillery.model.TrainingOptions;
import dev.distillery.model.TrainingOutcome;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Teacher sources: trained here from a spec (cross-entropy on the labels), or loaded from a file. */
public final class Teachers {

    /** A trained teacher and how its training went. */
    public record Trained(Teacher teacher, TrainingOutcome outcome, double testAccuracy) {}

    private Teachers() {}

    /** Trains {@code spec} on all labels of {@code data.train()}, keeps the best epoch by validation accuracy. */
    public static Trained train(String name, ModelSpec spec, Splits data, TrainingOptions options,
            List<TrainingListener> listeners) {
        Network net = Network.build(spec, options.seed());
        TrainingOutcome out = new Trainer(net, new CrossEntropy(), options.stage("teacher " + name))
                .listeners(listeners)
                .fit(data.train().labeledOnly(), null, data.validation(), null);
        double test = Accuracy.of(net.logits(data.test().features()), data.test().labels());
        Map<String, Double> metrics = new LinkedHashMap<>();
        metrics.put("test_accuracy", test);
        metrics.put("val_accuracy", out.bestValAccuracy());
        metrics.put("parameters", (double) net.parameterCount());
        Provenance p = Provenance.of(name, "teacher", options.seed(), data.train().name(), data.fingerprint(),
                "cross-entropy", null, out.curve().size(), metrics);
        return new Trained(new Teacher(name, net, p), out, test);
    }
}
