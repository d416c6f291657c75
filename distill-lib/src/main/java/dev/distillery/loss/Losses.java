package dev.distillery.loss;

import dev.distillery.model.SpecException;
import java.util.Locale;

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

    /** Reads {@code scratch}, {@code none} or {@code hinton:T=4,alpha=0.5} (keys {@code T}/{@code temperature}, {@code alpha}). */
    public static LossSpec parse(String text) {
        String s = text.trim();
        String kind = s.contains(":") ? s.substring(0, s.indexOf(':')) : s;
        String args = s.contains(":") ? s.substring(s.indexOf(':') + 1) : "";
        switch (kind.toLowerCase(Locale.ROOT)) {
            case "scratch", "ce", "cross-entropy" -> {
                if (!args.isBlank()) {
                    throw new SpecException("loss '" + text + "': scratch takes no settings");
                }
                return scratch();
            }
            case "none", "task-agnostic" -> {
                if (!args.isBlank()) {
                    throw new SpecException("loss '" + text + "': none takes no settings");
                }
                return none();
            }
            case "hinton", "kd" -> {
                Double t = null;
                Double a = null;
                for (String kv : args.split(",")) {
                    if (kv.isBlank()) continue;
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
                        default -> throw new SpecException("loss '" + text + "': unknown key '" + p[0]
                                + "'; hinton takes T (temperature) and alpha (weight of the hard-label term)");
                    }
                }
                return new HintonLoss(t, a);
            }
            default -> throw new SpecException("loss '" + text + "': unknown loss '" + kind
                    + "'; known: scratch, hinton:T=4,alpha=0.5, none (features loss only)");
        }
    }
}
