package dev.distillery.distill;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * A box-constrained minimiser by differential evolution, DE/rand/1/bin (Storn &amp; Price, 1997).
 * Needs no gradients; used to search ensemble weights on a validation split. Each generation every
 * member {@code x_i} is challenged by a trial point: the mutant {@code x_r1 + F (x_r2 - x_r3)} of
 * three other members, crossed with {@code x_i} component by component with probability CR (one
 * component always from the mutant), reflected back into the bounds; the trial replaces {@code x_i}
 * if its value is no worse.
 *
 * <p>Configure with the fluent setters, then call {@link #minimize}. All randomness comes from one
 * {@link SplittableRandom} seeded by {@link #seed}, so a seed and a deterministic objective give
 * bit-identical results. A non-finite objective value counts as {@code +infinity}.
 */
public final class DifferentialEvolution {

    /**
     * What a search found: the best point, its value, how many evaluations it used, generations run,
     * and the best value after each generation.
     *
     * @param best the best point seen, within the bounds
     * @param value its objective value ({@code +infinity} if no evaluation was finite)
     * @param evaluations objective calls made, never more than the budget
     * @param generations generations run after the initial population, a last one cut short by the
     *     budget included
     * @param history the best value after the initial population and after each generation, so
     *     {@code generations + 1} entries, non-increasing, ending with {@code value}
     */
    public record Result(double[] best, double value, int evaluations, int generations, List<Double> history) {

        public Result {
            best = best.clone();
            history = List.copyOf(history);
        }

        /** A copy of the best point. */
        @Override
        public double[] best() {
            return best.clone();
        }
    }

    private final double[] lower;
    private final double[] upper;
    private int population;
    private double mutation = 0.7;
    private double crossover = 0.9;
    private int evaluations = 2000;
    private long seed;
    private double tolerance = 1e-12;

    /**
     * A minimiser over the box {@code lower[i] <= x[i] <= upper[i]}.
     *
     * @throws IllegalArgumentException if the bounds are empty, differ in length, are not finite, or
     *     some {@code lower[i] >= upper[i]}
     */
    public DifferentialEvolution(double[] lower, double[] upper) {
        if (lower == null || upper == null) {
            throw new IllegalArgumentException("bounds: lower and upper must not be null");
        }
        if (lower.length != upper.length) {
            throw new IllegalArgumentException("bounds: lower has " + lower.length + " entries but upper has "
                    + upper.length + "; give one lower and one upper bound per dimension");
        }
        if (lower.length == 0) {
            throw new IllegalArgumentException("bounds: lower and upper are empty; give at least one dimension");
        }
        for (int i = 0; i < lower.length; i++) {
            if (!Double.isFinite(lower[i]) || !Double.isFinite(upper[i])) {
                throw new IllegalArgumentException("bounds: lower[" + i + "] = " + lower[i] + " and upper[" + i + "] = "
                        + upper[i] + " must both be finite");
            }
            if (lower[i] >= upper[i]) {
                throw new IllegalArgumentException(
                        "bounds: lower[" + i + "] = " + lower[i] + " must be below upper[" + i + "] = " + upper[i]);
            }
        }
        this.lower = lower.clone();
        this.upper = upper.clone();
        this.population = Math.max(10, 10 * lower.length);
    }

    /**
     * Population size, at least 4 (a member and three others to build its mutant); default
     * {@code max(10, 10 * dimensions)}.
     */
    public DifferentialEvolution population(int n) {
        if (n < 4) {
            throw new IllegalArgumentException("population must be at least 4, got " + n);
        }
        this.population = n;
        return this;
    }

    /** Differential weight F, in (0, 2]; default 0.7. */
    public DifferentialEvolution mutation(double f) {
        if (!(f > 0 && f <= 2)) {
            throw new IllegalArgumentException("mutation (F) must be in (0, 2], got " + f);
        }
        this.mutation = f;
        return this;
    }

    /** Crossover probability CR, in [0, 1]; default 0.9. */
    public DifferentialEvolution crossover(double cr) {
        if (!(cr >= 0 && cr <= 1)) {
            throw new IllegalArgumentException("crossover (CR) must be in [0, 1], got " + cr);
        }
        this.crossover = cr;
        return this;
    }

    /**
     * Most objective evaluations in total, the initial population included; default 2000. Must be at
     * least the population, checked by {@link #minimize}. A generation is cut short when it runs out.
     */
    public DifferentialEvolution evaluations(int budget) {
        if (budget < 1) {
            throw new IllegalArgumentException("evaluations budget must be positive, got " + budget);
        }
        this.evaluations = budget;
        return this;
    }

    /** Seed of the random stream; default 0. */
    public DifferentialEvolution seed(long seed) {
        this.seed = seed;
        return this;
    }

    /**
     * Stop early once the population's values span less than {@code tol} (max minus min); default
     * 1e-12, 0 disables.
     */
    public DifferentialEvolution tolerance(double tol) {
        if (!(tol >= 0 && tol < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("tolerance must be finite and 0 (off) or more, got " + tol);
        }
        this.tolerance = tol;
        return this;
    }

    /**
     * Minimises {@code objective} over the bounds. The objective gets a fresh copy of each point,
     * which it may keep or modify; a non-finite value counts as {@code +infinity}.
     *
     * @throws IllegalArgumentException if the evaluations budget is smaller than the population
     */
    public Result minimize(ToDoubleFunction<double[]> objective) {
        int n = population;
        int d = lower.length;
        if (evaluations < n) {
            throw new IllegalArgumentException("evaluations budget " + evaluations + " is smaller than the population "
                    + n + "; the initial population alone needs " + n);
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[][] x = new double[n][d];
        double[] fx = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                x[i][j] = uniform(random, j);
            }
        }
        int used = 0;
        for (int i = 0; i < n; i++) {
            fx[i] = evaluate(objective, x[i]);
            used++;
        }
        List<Double> history = new ArrayList<>();
        history.add(fx[argmin(fx)]);
        int generations = 0;
        double[][] next = new double[n][d];
        double[] fnext = new double[n];
        double[] trial = new double[d];
        while (used < evaluations && !converged(fx)) {
            generations++;
            for (int i = 0; i < n; i++) {
                System.arraycopy(x[i], 0, next[i], 0, d);
                fnext[i] = fx[i];
            }
            for (int i = 0; i < n && used < evaluations; i++) {
                int r1;
                int r2;
                int r3;
                do {
                    r1 = random.nextInt(n);
                } while (r1 == i);
                do {
                    r2 = random.nextInt(n);
                } while (r2 == i || r2 == r1);
                do {
                    r3 = random.nextInt(n);
                } while (r3 == i || r3 == r1 || r3 == r2);
                int jrand = random.nextInt(d);
                for (int j = 0; j < d; j++) {
                    if (j == jrand || random.nextDouble() < crossover) {
                        trial[j] = bound(random, j, x[r1][j] + mutation * (x[r2][j] - x[r3][j]));
                    } else {
                        trial[j] = x[i][j];
                    }
                }
                double f = evaluate(objective, trial);
                used++;
                if (f <= fx[i]) {
                    System.arraycopy(trial, 0, next[i], 0, d);
                    fnext[i] = f;
                }
            }
            double[][] swap = x;
            x = next;
            next = swap;
            double[] fswap = fx;
            fx = fnext;
            fnext = fswap;
            history.add(fx[argmin(fx)]);
        }
        int best = argmin(fx);
        return new Result(x[best], fx[best], used, generations, history);
    }

    private static double evaluate(ToDoubleFunction<double[]> objective, double[] point) {
        double v = objective.applyAsDouble(point.clone());
        return Double.isFinite(v) ? v : Double.POSITIVE_INFINITY;
    }

    private double uniform(SplittableRandom random, int j) {
        double u = random.nextDouble();
        // the convex combination cannot overflow, even for bounds near +-Double.MAX_VALUE
        return Math.max(lower[j], Math.min(upper[j], (1 - u) * lower[j] + u * upper[j]));
    }

    /** {@code v} reflected at the violated bound, or resampled uniformly if that is still outside. */
    private double bound(SplittableRandom random, int j, double v) {
        if (v < lower[j]) {
            v = 2 * lower[j] - v;
        } else if (v > upper[j]) {
            v = 2 * upper[j] - v;
        }
        return v >= lower[j] && v <= upper[j] ? v : uniform(random, j);
    }

    private boolean converged(double[] fx) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double f : fx) {
            min = Math.min(min, f);
            max = Math.max(max, f);
        }
        return max - min < tolerance;
    }

    private static int argmin(double[] fx) {
        int best = 0;
        for (int i = 1; i < fx.length; i++) {
            if (fx[i] < fx[best]) {
                best = i;
            }
        }
        return best;
    }
}
