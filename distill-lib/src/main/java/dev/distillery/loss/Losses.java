package dev.distillery.loss;

import dev.distillery.registry.Registry;
import dev.distillery.spec.SpecException;
import java.util.List;

/** The named losses: {@code Losses.hinton(4.0, 0.5)}, {@code Losses.scratch()}, or parsed from text. */
public final class Losses {

    private Losses() {}

    public static HintonLoss hinton(double temperature, double alpha) {
        return new HintonLoss(temperature, alpha);
    }

    public static ScratchLoss scratch() {
        return new ScratchLoss();
    }

    /** No logit loss: the logit part of a task-agnostic features loss (DistilHuBERT). */
    public static NoLogitLoss none() {
        return new NoLogitLoss();
    }

    /** Builds a logit loss from the settings after the colon ({@code T=4,alpha=0.5}); {@code text} is the whole spec, for errors. */
    @FunctionalInterface
    public interface Factory {
        LossSpec create(String text, String args);
    }

    private static final Registry<Factory> LOGIT = new Registry<Factory>("loss")
            .register(new Registry.Entry<>(
                    "scratch",
                    List.of("ce", "cross-entropy"),
                    "cross-entropy on the labels alone: the baseline to beat",
                    List.of(),
                    (text, args) -> {
                        noSettings(text, args, "scratch");
                        return scratch();
                    }))
            .register(new Registry.Entry<>(
                    "hinton",
                    List.of("kd"),
                    "Hinton KD: α·cross-entropy + (1 − α)·T²·KL(teacher ‖ student) at temperature T",
                    List.of(
                            new Registry.Param("T", "softmax temperature (also: temperature)", "4"),
                            new Registry.Param("alpha", "weight of the hard-label term, in [0, 1]", "0.5")),
                    Losses::hinton))
            .register(new Registry.Entry<>(
                    "none",
                    List.of("task-agnostic"),
                    "no logit loss: only feature terms teach (task-agnostic, DistilHuBERT)",
                    List.of(),
                    (text, args) -> {
                        noSettings(text, args, "none");
                        return none();
                    }));

    /** Every logit loss with its description and settings: for help screens and the README. */
    public static Registry<Factory> registry() {
        return LOGIT;
    }

    /** Reads {@code scratch}, {@code none} or {@code hinton:T=4,alpha=0.5} (keys {@code T}/{@code temperature}, {@code alpha}). */
    public static LossSpec parse(String text) {
        String s = text.trim();
        String kind = s.contains(":") ? s.substring(0, s.indexOf(':')) : s;
        String args = s.contains(":") ? s.substring(s.indexOf(':') + 1) : "";
        Factory f;
        try {
            f = LOGIT.get(kind);
        } catch (Registry.UnknownNameException e) {
            throw new SpecException(
                    "loss '" + text + "': " + e.getMessage() + " (feature terms go in a features loss)", e);
        }
        return f.create(text, args);
    }

    private static void noSettings(String text, String args, String name) {
        if (!args.isBlank()) {
            throw new SpecException("loss '" + text + "': " + name + " takes no settings");
        }
    }

    private static HintonLoss hinton(String text, String args) {
        Double t = null;
        Double a = null;
        for (String kv : args.split(",")) {
            if (kv.isBlank()) {
                continue;
            }
            String[] p = kv.split("=", 2);
            if (p.length != 2) {
                throw new SpecException("loss '" + text + "': '" + kv + "' should be key=value, e.g. T=4");
            }
            double v;
            try {
                v = Double.parseDouble(p[1].trim());
            } catch (NumberFormatException e) {
                throw new SpecException("loss '" + text + "': '" + p[1] + "' is not a number");
            }
            switch (p[0].trim()) {
                case "T", "t", "temperature" -> t = v;
                case "alpha", "a" -> a = v;
                default ->
                    throw new SpecException("loss '" + text + "': unknown key '" + p[0]
                            + "'; hinton takes T (temperature) and alpha (weight of the hard-label term)");
            }
        }
        return new HintonLoss(t, a);
    }
}
