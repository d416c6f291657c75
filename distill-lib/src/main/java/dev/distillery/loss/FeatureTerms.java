package dev.distillery.loss;

import dev.distillery.registry.Registry;
import dev.distillery.spec.SpecException;
import dev.distillery.tensor.Var;

/**
 * The registry of feature terms. Built in:
 * <ul>
 * <li>{@code mse}, {@code l1}: mean over every element;
 * <li>{@code cosine}: 1 − mean cosine similarity along the last axis;
 * <li>{@code l1-logsig-cos}: DistilHuBERT's mean L1 − log σ(cos), per position;
 * <li>{@code attention-kl}: KL(teacher ‖ student) of attention rows ({@code [B, H, S, S]} probabilities),
 *     averaged over batch, heads and query positions (TinyBERT); {@code attention-mse} the MSE of the maps;
 * <li>{@code cka}: 1 − linear CKA between the two feature matrices (rows are examples; widths may differ);
 * <li>{@code infonce}: contrastive loss with in-batch negatives at temperature 0.1: each student
 *     embedding must pick its own teacher embedding out of the batch ({@code [B, D]});
 * <li>{@code local-relation}: MSE between the batch's cosine-similarity matrices ({@code [B, B]}) of
 *     student and teacher ({@code [B, D]}; widths may differ): the local inter-feature relations;
 * <li>{@code intra-relation}: MSE between each example's position-by-position cosine similarities
 *     ({@code [B, S, S]}) of student and teacher ({@code [B, S, D]}; widths may differ).
 * </ul>
 * Every built-in is made of {@link Var} ops, so its gradient comes from the tape.
 */
public final class FeatureTerms {

    private static final double EPS = 1e-8;
    private static final Registry<FeatureTerm> TERMS = new Registry<>("feature loss");

    static {
        builtIn("mse", "mean squared error", (s, t) -> s.sub(t).square().mean());
        builtIn("l1", "mean absolute error", (s, t) -> s.sub(t).abs().mean());
        builtIn(
                "cosine",
                "1 − cosine similarity along the last axis",
                (s, t) -> cosine(s, t).mean().rsub(1.0));
        builtIn("l1-logsig-cos", "L1 minus log-sigmoid of the cosine (DistilHuBERT's prediction loss)", (s, t) -> {
            Var l1 = s.sub(t).abs().mean(false, -1);
            Var logSig = cosine(s, t).sigmoid().log();
            return l1.sub(logSig).mean();
        });
        builtIn(
                "attention-kl",
                "KL divergence between attention maps (TinyBERT, MiniLM)",
                (s, t) -> t.mul(t.add(EPS).log().sub(s.add(EPS).log()))
                        .sum(false, 3)
                        .mean());
        builtIn(
                "attention-mse",
                "mean squared error between attention maps",
                (s, t) -> s.sub(t).square().mean());
        builtIn("cka", "1 − linear CKA between the batch's representations; widths may differ", FeatureTerms::cka);
        builtIn(
                "infonce",
                "InfoNCE: each student row picks its own teacher row among the batch's (τ = 0.1)",
                infoNce(0.1));
        builtIn("local-relation", "MSE between example-by-example cosine similarities; widths may differ", (s, t) -> {
            Var sn = normalize(s);
            Var tn = normalize(t);
            return sn.mmulT(sn).sub(tn.mmulT(tn)).square().mean();
        });
        builtIn("intra-relation", "MSE between position-by-position cosine similarities; widths may differ", (s, t) -> {
            Var sn = s.div(s.square().sum(true, 2).add(EPS).sqrt());
            Var tn = t.div(t.square().sum(true, 2).add(EPS).sqrt());
            return sn.mmulT(sn).sub(tn.mmulT(tn)).square().mean();
        });
    }

    private static void builtIn(String name, String description, FeatureTerm term) {
        TERMS.register(name, description, term);
    }

    /** Terms that compare structure (similarities between examples or positions), so the widths may differ. */
    public static boolean widthFree(String name) {
        return name.equals("cka") || name.equals("local-relation") || name.equals("intra-relation");
    }

    private FeatureTerms() {}

    /** Adds or replaces a term under {@code name}, described by {@code description} in help and errors. */
    public static void register(String name, String description, FeatureTerm term) {
        TERMS.replace(new Registry.Entry<>(name, java.util.List.of(), description, java.util.List.of(), term));
    }

    /** Adds or replaces a term under {@code name}. */
    public static void register(String name, FeatureTerm term) {
        register(name, "a user-registered feature loss", term);
    }

    public static FeatureTerm get(String name) {
        try {
            return TERMS.get(name);
        } catch (Registry.UnknownNameException e) {
            throw new SpecException(e.getMessage() + " (FeatureTerms.register adds your own)", e);
        }
    }

    public static java.util.Set<String> names() {
        return java.util.Set.copyOf(TERMS.names());
    }

    /** Every feature loss with its description: for help screens and the README. */
    public static Registry<FeatureTerm> registry() {
        return TERMS;
    }

    /** InfoNCE at {@code temperature}: mean over the batch of −log softmax(s·tᵀ/τ) on the diagonal. */
    public static FeatureTerm infoNce(double temperature) {
        return (s, t) -> {
            Var sn = normalize(s);
            Var tn = normalize(t);
            Var logits = sn.mmulT(tn).div(temperature);
            // log-sum-exp by rows, shifted by the row max for stability (the shift cancels in the gradient)
            Var max = logits.maxDetached(true, 1);
            Var lse = logits.sub(max).exp().sum(true, 1).log().add(max);
            Var diag = sn.mul(tn).sum(true, 1).div(temperature);
            return lse.sub(diag).mean();
        };
    }

    /** Cosine along the last axis, so any rank works. */
    private static Var cosine(Var s, Var t) {
        Var dot = s.mul(t).sum(false, -1);
        Var ns = s.square().sum(false, -1).add(EPS).sqrt();
        Var nt = t.square().sum(false, -1).add(EPS).sqrt();
        return dot.div(ns.mul(nt));
    }

    private static Var normalize(Var x) {
        return x.div(x.square().sum(true, 1).add(EPS).sqrt());
    }

    /** 1 − ‖Yᶜᵀ Xᶜ‖²_F / (‖Xᶜᵀ Xᶜ‖_F ‖Yᶜᵀ Yᶜ‖_F) with column-centred X (student) and Y (teacher). */
    private static Var cka(Var s, Var t) {
        Var x = s.sub(s.mean(true, 0));
        Var y = t.sub(t.mean(true, 0));
        Var xy = y.tmmul(x).square().sum();
        Var xx = x.tmmul(x).square().sum().sqrt();
        Var yy = y.tmmul(y).square().sum().sqrt();
        return xy.div(xx.mul(yy).add(EPS)).rsub(1.0);
    }
}
