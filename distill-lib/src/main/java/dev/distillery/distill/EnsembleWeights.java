package dev.distillery.distill;

import dev.distillery.data.LabeledData;
import dev.distillery.provenance.Lineage;
import dev.distillery.spec.SpecException;
import dev.distillery.teacher.Ensemble;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Ensemble weights found by differential evolution on a validation split: each candidate is a
 * point of {@code [0, 1]^K}, normalised to sum to 1, and scores the fitness of the weighted average
 * of the teachers' distributions (temperature 1) on the split: its negative log-likelihood
 * ({@code nll}, smooth, the default) or its error rate ({@code error}). The report says how the
 * weights found compare with uniform weights on the same split.
 */
public final class EnsembleWeights {

    /** What a candidate's weights are scored by on the validation split. */
    public enum Fitness {
        NLL,
        ERROR;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Fitness parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new SpecException("ensemble fitness '" + text + "': use nll (negative log-likelihood) or error");
            }
        }
    }

    /** The search's settings: fitness, population (0: 10 per teacher, at least 10), evaluation budget and seed. */
    public record Options(Fitness fitness, int population, int evaluations, long seed) {
        public static Options defaults() {
            return new Options(Fitness.NLL, 0, 600, 0);
        }

        public Options seed(long s) {
            return new Options(fitness, population, evaluations, s);
        }
    }

    private EnsembleWeights() {}

    /** {@code ensemble} with the weights that minimise the fitness on {@code validation}, and the search's report. */
    public static Ensemble search(Ensemble ensemble, LabeledData validation, Options options) {
        int k = ensemble.members().size();
        List<double[][]> probs = ensemble.memberLogits(validation).stream()
                .map(z -> dev.distillery.eval.Fidelity.probabilities(z, 1.0))
                .toList();
        int[] labels = validation.labels();
        double[] lower = new double[k];
        double[] upper = new double[k];
        Arrays.fill(upper, 1.0);
        int population = options.population() > 0 ? options.population() : Math.max(10, 10 * k);
        DifferentialEvolution de = new DifferentialEvolution(lower, upper)
                .population(population)
                .evaluations(Math.max(options.evaluations(), population))
                .seed(options.seed());
        DifferentialEvolution.Result r =
                de.minimize(w -> score(probs, normalise(w), labels).of(options.fitness()));
        double[] uniform = new double[k];
        Arrays.fill(uniform, 1.0 / k);
        double[] found = normalise(r.best());
        Score before = score(probs, uniform, labels);
        Lineage.Search report = new Lineage.Search(
                "de",
                options.fitness().label(),
                r.evaluations(),
                options.seed(),
                before.of(options.fitness()),
                r.value(),
                1 - before.error(),
                1 - score(probs, found, labels).error());
        return ensemble.searched(found, report);
    }

    /** The weighted ensemble's mean negative log-likelihood and error rate on the split. */
    record Score(double nll, double error) {
        double of(Fitness f) {
            return f == Fitness.NLL ? nll : error;
        }
    }

    /** The score of weights {@code w} (summing to 1) for per-teacher probabilities {@code probs}. */
    static Score score(List<double[][]> probs, double[] w, int[] labels) {
        int n = labels.length;
        int c = probs.get(0)[0].length;
        double nll = 0;
        int wrong = 0;
        double[] p = new double[c];
        for (int i = 0; i < n; i++) {
            Arrays.fill(p, 0);
            for (int m = 0; m < probs.size(); m++) {
                double[] row = probs.get(m)[i];
                for (int j = 0; j < c; j++) {
                    p[j] += w[m] * row[j];
                }
            }
            int best = 0;
            for (int j = 1; j < c; j++) {
                if (p[j] > p[best]) best = j;
            }
            wrong += best == labels[i] ? 0 : 1;
            nll -= Math.log(Math.max(p[labels[i]], 1e-30));
        }
        return new Score(nll / n, wrong / (double) n);
    }

    static double[] normalise(double[] w) {
        double sum = Arrays.stream(w).sum();
        double[] out = new double[w.length];
        for (int i = 0; i < w.length; i++) {
            out[i] = sum > 0 ? w[i] / sum : 1.0 / w.length;
        }
        return out;
    }
}
