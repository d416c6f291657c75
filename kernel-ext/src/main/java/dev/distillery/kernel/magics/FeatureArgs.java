package dev.distillery.kernel.magics;

import dev.distillery.loss.FeatureLoss;
import dev.distillery.loss.LossSpec;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The feature-distillation options %distill and %sweep share: with any of them the loss becomes a features loss. */
final class FeatureArgs {

    @Option(
            names = "--feature",
            paramLabel = "TERM",
            description = {
                "a feature term, repeatable: "
                        + "TEACHER[>STUDENT][:LOSS][,w=W][,proj=PROJECTION], e.g. features:cka or layer5>layer1:mse,w=0.5 (feature losses and projections: below)"
            })
    List<String> features = new ArrayList<>();

    @Option(
            names = "--map",
            paramLabel = "MAPPING",
            description = "student layers onto teacher layers: uniform or last-K, "
                    + "[:hidden|attention][,loss=L][,w=W][,proj=P], e.g. uniform or last-2:attention")
    String mapping;

    @Option(
            names = "--predict",
            paramLabel = "LAYERS",
            description = "DistilHuBERT prediction heads from the student's last "
                    + "layer to these teacher layers: 3,7,11[:LOSS][,w=W]")
    String heads;

    @Option(
            names = "--supervise",
            paramLabel = "LAYER",
            description =
                    "intermediate-layer supervision, repeatable: " + "LAYER[:task|kd][,w=W], e.g. layer1:task,w=0.3")
    List<String> supervise = new ArrayList<>();

    /** {@code logits} alone, or a features loss around it when any feature option is given. */
    LossSpec around(LossSpec logits) {
        if (features.isEmpty() && mapping == null && heads == null && supervise.isEmpty()) {
            return logits;
        }
        return new FeatureLoss(
                logits,
                features.stream().map(FeatureLoss.Match::parse).toList(),
                mapping == null ? null : FeatureLoss.Mapping.parse(mapping),
                heads == null ? null : FeatureLoss.Heads.parse(heads),
                supervise.stream().map(FeatureLoss.Supervision::parse).toList());
    }
}
