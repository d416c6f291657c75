package dev.distillery.kernel.magics;

import dev.distillery.model.ModelSpec;
import dev.distillery.model.SpecException;
import dev.distillery.model.Specs;
import java.nio.file.Files;
import java.nio.file.Path;

/** A model given on a magic line: a compact spec ({@code mlp:800x800}) or a JSON/YAML file. */
final class ModelSpecs {

    private ModelSpecs() {}

    static ModelSpec read(String text) {
        String t = text.trim();
        boolean fileLike = t.endsWith(".json") || t.endsWith(".yaml") || t.endsWith(".yml");
        if (fileLike || (!t.contains(":") && Files.isRegularFile(Path.of(t)))) {
            Path p = Path.of(t);
            if (!Files.isRegularFile(p)) {
                throw new SpecException("model spec file " + p.toAbsolutePath() + " does not exist; give a path to a "
                        + "JSON/YAML spec or a compact spec such as mlp:800x800 or cnn:32x64");
            }
            return Specs.read(p, ModelSpec.class);
        }
        return ModelSpec.parse(t);
    }
}
