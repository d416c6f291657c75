package dev.distillery.loss;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.distillery.nn.Init;
import dev.distillery.nn.Linear;
import dev.distillery.nn.MlpProjection;
import dev.distillery.nn.Module;
import dev.distillery.registry.Registry;
import dev.distillery.spec.SpecException;
import java.util.Locale;

/** How a feature term maps the student's width onto the teacher's. */
public enum Projection {
    /** Linear where the widths differ, none where they agree. */
    AUTO,
    /** Compare the outputs as they are. */
    NONE,
    /** A learned linear map. */
    LINEAR,
    /** A learned two-layer MLP (GELU). */
    MLP;

    private static final Registry<Projection> REGISTRY = new Registry<>("projection");

    static {
        REGISTRY.register("auto", "linear where the widths differ, none where they agree", AUTO)
                .register(
                        "none", "compare the outputs as they are (shapes must agree, or the loss be width-free)", NONE)
                .register("linear", "a learned linear map from the student's width to the teacher's", LINEAR)
                .register("mlp", "a learned two-layer MLP (GELU) through max(student, teacher) hidden units", MLP);
    }

    /** Every projection with its description: for help screens and the README. */
    public static Registry<Projection> registry() {
        return REGISTRY;
    }

    @JsonValue
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code auto}, {@code none}, {@code linear} or {@code mlp}; null means {@code auto}. */
    @JsonCreator
    public static Projection parse(String text) {
        if (text == null) {
            return AUTO;
        }
        try {
            return REGISTRY.get(text);
        } catch (Registry.UnknownNameException e) {
            throw new SpecException(e.getMessage() + " (auto: linear when widths differ)", e);
        }
    }

    /** The module that maps width {@code from} to {@code to}: a {@link Linear} or an {@link MlpProjection}. */
    Module create(long from, long to) {
        return switch (this) {
            case LINEAR -> new Linear(from, to, Init.xavier(from, to));
            case MLP -> new MlpProjection(from, to);
            default -> throw new IllegalStateException(this + " has no module");
        };
    }

    @Override
    public String toString() {
        return label();
    }
}
