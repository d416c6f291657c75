package dev.distillery.loss;

import dev.distillery.model.SpecException;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

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
 * Every built-in is made of primitive ops, so scaling a term scales its gradient.
 */
public final class FeatureTerms {

    private static final double EPS = 1e-8;
    private static final Map<String, FeatureTerm> TERMS = new TreeMap<>();

    static {
        register("mse", (sd, s, t) -> sd.math.square(s.sub(t)).mean());
        register("l1", (sd, s, t) -> sd.math.abs(s.sub(t)).mean());
        register("cosine", (sd, s, t) -> cosine(sd, s, t).mean().rsub(1.0));
        register("l1-logsig-cos", (sd, s, t) -> {
            SDVariable l1 = sd.math.abs(s.sub(t)).mean(-1);
            SDVariable logSig = sd.math.log(sd.nn.sigmoid(cosine(sd, s, t)));
            return l1.sub(logSig).mean();
        });
        register("attention-kl", (sd, s, t) ->
                t.mul(sd.math.log(t.add(EPS)).sub(sd.math.log(s.add(EPS)))).sum(3).mean());
        register("attention-mse", (sd, s, t) -> sd.math.square(s.sub(t)).mean());
        register("cka", FeatureTerms::cka);
        register("infonce", infoNce(0.1));
        register("local-relation", (sd, s, t) -> {
            SDVariable sn = normalize(sd, s);
            SDVariable tn = normalize(sd, t);
            return sd.math.square(sn.mmul(sn.permute(1, 0)).sub(tn.mmul(tn.permute(1, 0)))).mean();
        });
        register("intra-relation", (sd, s, t) -> {
            SDVariable sn = s.div(sd.math.sqrt(sd.math.square(s).sum(true, 2).add(EPS)));
            SDVariable tn = t.div(sd.math.sqrt(sd.math.square(t).sum(true, 2).add(EPS)));
            SDVariable gs = sd.linalg().mmul(sn, sn.permute(0, 2, 1));
            SDVariable gt = sd.linalg().mmul(tn, tn.permute(0, 2, 1));
            return sd.math.square(gs.sub(gt)).mean();
        });
    }

    /** Terms that compare structure (similarities between examples or positions), so the widths may differ. */
    public static boolean widthFree(String name) {
        return name.equals("cka") || name.equals("local-relation") || name.equals("intra-relation");
    }

    private FeatureTerms() {}

    /** Adds or replaces a term under {@code name}. */
    public static synchronized void register(String name, FeatureTerm term) {
        TERMS.put(name, term);
    }

    public static synchronized FeatureTerm get(String name) {
        FeatureTerm t = TERMS.get(name);
        if (t == null) {
            throw new SpecException("unknown feature loss '" + name + "'; known: " + String.join(", ", TERMS.keySet())
                    + " (FeatureTerms.register adds your own)");
        }
        return t;
    }

    public static synchronized java.util.Set<String> names() {
        return java.util.Set.copyOf(TERMS.keySet());
    }

    /** InfoNCE at {@code temperature}: mean over the batch of −log softmax(s·tᵀ/τ) on the diagonal. */
    public static FeatureTerm infoNce(double temperature) {
        return (sd, s, t) -> {
            SDVariable sn = normalize(sd, s);
            SDVariable tn = normalize(sd, t);
            SDVariable logits = sn.mmul(tn.permute(1, 0)).div(temperature);
            // log-sum-exp by rows, shifted by the row max for stability (no dim-taking log-softmax)
            SDVariable max = logits.max(true, 1);
            SDVariable lse = sd.math.log(sd.math.exp(logits.sub(max)).sum(true, 1)).add(max);
            SDVariable diag = sn.mul(tn).sum(true, 1).div(temperature);
            return lse.sub(diag).mean();
        };
    }

    /** Cosine along the last axis (-1), so any rank works, including outputs whose shape is known only at run time. */
    private static SDVariable cosine(SameDiff sd, SDVariable s, SDVariable t) {
        SDVariable dot = s.mul(t).sum(-1);
        SDVariable ns = sd.math.sqrt(sd.math.square(s).sum(-1).add(EPS));
        SDVariable nt = sd.math.sqrt(sd.math.square(t).sum(-1).add(EPS));
        return dot.div(ns.mul(nt));
    }

    private static SDVariable normalize(SameDiff sd, SDVariable x) {
        return x.div(sd.math.sqrt(sd.math.square(x).sum(true, 1).add(EPS)));
    }

    /** 1 − ‖Yᶜᵀ Xᶜ‖²_F / (‖Xᶜᵀ Xᶜ‖_F ‖Yᶜᵀ Yᶜ‖_F) with column-centred X (student) and Y (teacher). */
    private static SDVariable cka(SameDiff sd, SDVariable s, SDVariable t) {
        SDVariable x = s.sub(s.mean(true, 0));
        SDVariable y = t.sub(t.mean(true, 0));
        SDVariable xy = sd.math.square(y.permute(1, 0).mmul(x)).sum();
        SDVariable xx = sd.math.sqrt(sd.math.square(x.permute(1, 0).mmul(x)).sum());
        SDVariable yy = sd.math.sqrt(sd.math.square(y.permute(1, 0).mmul(y)).sum());
        return xy.div(xx.mul(yy).add(EPS)).rsub(1.0);
    }
}
