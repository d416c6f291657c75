package dev.distillery.kernel.magics;

import dev.distillery.model.ModelSpec;
import dev.distillery.spec.SpecException;
import dev.distillery.spec.Specs;
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

    /** A student declared with %student, else a spec as {@link #read} takes it; the error names both possibilities. */
    static ModelSpec student(dev.distillery.kernel.Workbench wb, String text) {
        ModelSpec s = wb.student(text);
        if (s != null) {
            return s;
        }
        try {
            return read(text);
        } catch (SpecException e) {
            java.util.List<String> known = wb.studentNames();
            throw new IllegalArgumentException(
                    "'" + text + "' is neither a student declared with %student"
                            + (known.isEmpty() ? "" : " (known: " + String.join(", ", known) + ")")
                            + " nor a model spec: "
                            + e.getMessage(),
                    e);
        }
    }
}
