package dev.distillery.model;

import dev.distillery.spec.SpecException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Students of one parameter budget: every shape of a family whose parameter count lies within a
 * tolerance of the budget, from shallow and wide to deep and narrow. This is the grid a
 * depth-versus-width study trains.
 */
public final class Budgets {

    /** One student of the grid and how far its size is from the budget (relative, signed). */
    public record Candidate(ModelSpec spec, int depth, int width, long parameters, double deviation) {}

    /**
     * The transformer grid: depths, head counts and FFN ratios to try; for each, the widths (multiples
     * of {@code widthStep} and of the head count, head size at least 8) that land within the tolerance.
     */
    public record TransformerGrid(
            List<Integer> depths, List<Integer> heads, List<Double> ffnRatios, int patch, int widthStep) {
        public static TransformerGrid defaults() {
            return new TransformerGrid(List.of(1, 2, 3, 4, 6, 8, 12), List.of(2, 4), List.of(2.0, 4.0), 4, 4);
        }
    }

    /**
     * What the students read and predict: {@code inputs} values per example (images of {@code image},
     * when they are images; null otherwise) and {@code outputs} classes. {@link #FASHION_MNIST} is 28×28
     * grey images of 10 classes.
     */
    public record Io(int inputs, ImageShape image, int outputs) {
        public static final Io FASHION_MNIST = new Io(784, null, 10);

        /** An MLP of {@code hidden} layers for this data. */
        MlpSpec mlp(List<Integer> hidden) {
            return new MlpSpec(inputs, hidden, outputs, null, null);
        }

        /** A ViT for this data; refused when the data are not images. */
        TransformerSpec vit(int depth, int width, int heads, double ffn, int patch) {
            if (image == null && inputs != 784) {
                throw new SpecException("vit students read images, but this data has " + inputs
                        + " values per row and no image shape; sweep the mlp family");
            }
            return new TransformerSpec(
                    inputs, depth, width, heads, ffn, patch, null, outputs, null, null, null, null, null, null, image);
        }
    }

    private Budgets() {}

    /** Transformer students within {@code tolerance} (e.g. 0.03) of {@code budget} parameters, by depth then width. */
    public static List<Candidate> transformers(long budget, double tolerance, TransformerGrid grid) {
        return transformers(budget, tolerance, grid, Io.FASHION_MNIST);
    }

    /** As above, for students that read and predict as {@code io} says. */
    public static List<Candidate> transformers(long budget, double tolerance, TransformerGrid grid, Io io) {
        check(budget, tolerance);
        List<Candidate> out = new ArrayList<>();
        for (int depth : grid.depths()) {
            for (int heads : grid.heads()) {
                for (double ffn : grid.ffnRatios()) {
                    int step = lcm(grid.widthStep(), heads);
                    for (int width = step; width <= 4096; width += step) {
                        if (width / heads < 8) {
                            continue;
                        }
                        TransformerSpec s = io.vit(depth, width, heads, ffn, grid.patch());
                        if (consider(out, s, depth, width, budget, tolerance)) {
                            break;
                        }
                    }
                }
            }
        }
        return sorted(out, budget, tolerance, "transformer");
    }

    /**
     * Every depth × width pair, whatever its size: the grid for accuracy against depth with one line
     * per width. {@code family} is {@code vit} (with {@code heads}, {@code ffnRatio}, {@code patch}) or {@code mlp}.
     */
    public static List<Candidate> grid(
            String family, List<Integer> depths, List<Integer> widths, int heads, double ffnRatio, int patch) {
        return grid(family, depths, widths, heads, ffnRatio, patch, Io.FASHION_MNIST);
    }

    /** As above, for students that read and predict as {@code io} says. */
    public static List<Candidate> grid(
            String family, List<Integer> depths, List<Integer> widths, int heads, double ffnRatio, int patch, Io io) {
        List<Candidate> out = new ArrayList<>();
        for (int depth : depths) {
            for (int width : widths) {
                ModelSpec s = switch (family) {
                    case "vit", "transformer" -> io.vit(depth, width, heads, ffnRatio, patch);
                    case "mlp" -> io.mlp(java.util.Collections.nCopies(depth, width));
                    default -> throw new SpecException("grid family '" + family + "': use vit or mlp");
                };
                out.add(new Candidate(s, depth, width, s.parameterCount(), 0));
            }
        }
        if (out.isEmpty()) {
            throw new SpecException("the grid is empty: give at least one depth and one width");
        }
        return List.copyOf(out);
    }

    /** The candidates as a table: depth, width, heads, FFN ratio, spec, parameters and distance from the budget (%). */
    public static tech.tablesaw.api.Table table(List<Candidate> grid) {
        tech.tablesaw.api.IntColumn depth = tech.tablesaw.api.IntColumn.create("depth");
        tech.tablesaw.api.IntColumn width = tech.tablesaw.api.IntColumn.create("width");
        tech.tablesaw.api.StringColumn spec = tech.tablesaw.api.StringColumn.create("spec");
        tech.tablesaw.api.LongColumn params = tech.tablesaw.api.LongColumn.create("params");
        tech.tablesaw.api.DoubleColumn dev = tech.tablesaw.api.DoubleColumn.create("vs_budget_pct");
        for (Candidate c : grid) {
            depth.append(c.depth());
            width.append(c.width());
            spec.append(c.spec().compact());
            params.append(c.parameters());
            dev.append(Math.round(1000 * c.deviation()) / 10.0);
        }
        return tech.tablesaw.api.Table.create("students", depth, width, spec, params, dev);
    }

    /** A model's depth (layers with hidden states) and width (the widest hidden layer, or the transformer width). */
    public static int[] shape(ModelSpec spec) {
        if (spec instanceof MultiHeadSpec mh) {
            return shape(mh.body());
        }
        if (spec instanceof TransformerSpec t) {
            return new int[] {t.depth(), t.width()};
        }
        if (spec instanceof StackSpec st) {
            return st.depthAndWidth();
        }
        if (spec instanceof MlpSpec m) {
            return new int[] {
                m.hidden().size(),
                m.hidden().stream().mapToInt(Integer::intValue).max().orElse(0)
            };
        }
        CnnSpec c = (CnnSpec) spec;
        return new int[] {
            c.channels().size() + c.dense().size(),
            java.util.stream.Stream.concat(c.channels().stream(), c.dense().stream())
                    .mapToInt(Integer::intValue)
                    .max()
                    .orElse(0)
        };
    }

    /** MLP students of equal-width hidden layers (1 to {@code maxDepth}) within the tolerance. */
    public static List<Candidate> mlps(long budget, double tolerance, int maxDepth) {
        return mlps(budget, tolerance, maxDepth, Io.FASHION_MNIST);
    }

    /** As above, for students that read and predict as {@code io} says. */
    public static List<Candidate> mlps(long budget, double tolerance, int maxDepth, Io io) {
        check(budget, tolerance);
        List<Candidate> out = new ArrayList<>();
        for (int depth = 1; depth <= maxDepth; depth++) {
            for (int width = 1; width <= 8192; width++) {
                List<Integer> hidden = new ArrayList<>();
                for (int i = 0; i < depth; i++) {
                    hidden.add(width);
                }
                if (consider(out, io.mlp(hidden), depth, width, budget, tolerance)) {
                    break;
                }
            }
        }
        return sorted(out, budget, tolerance, "mlp");
    }

    /**
     * {@code spec} resized to about {@code parameters} parameters, keeping its family, depth and every
     * other setting: MLP hidden widths, CNN channels and dense widths, or the transformer width
     * (a multiple of its heads) are all scaled by one common factor, found by bisection, then rounded.
     * Used to size teacher assistants between a teacher and a student.
     *
     * <p>The count of the rounded spec only grows with the factor, so bisection over [1e-3, 1e3] finds
     * the two factors whose rounded specs straddle the target; those two, and each with one of its
     * widths one step narrower or wider, are the candidates, and the one nearest the target wins. A
     * target out of reach (below the smallest or above the largest spec) is not an error: the
     * nearest spec is returned and the caller reads its {@link ModelSpec#parameterCount()}.
     */
    public static ModelSpec scaled(ModelSpec spec, long parameters) {
        if (spec == null) {
            throw new SpecException("no spec to resize");
        }
        if (parameters <= 0) {
            throw new SpecException(
                    "a resized spec needs a positive parameter count, got " + parameters + " for " + spec.describe());
        }
        if (spec instanceof MultiHeadSpec mh) {
            // the body takes what the extra heads leave; they scale with its feature width, so this is approximate
            return new MultiHeadSpec(
                    scaled(mh.body(), Math.max(1, parameters - mh.extraParameters())),
                    mh.heads(),
                    mh.combine(),
                    mh.weights());
        }
        int[] base = scalableWidths(spec);
        if (base.length == 0) {
            throw new SpecException("spec " + spec.describe() + " cannot be resized: it has no hidden layers to widen "
                    + "or narrow; give it at least one hidden layer, e.g. mlp:64");
        }
        double lo = 1e-3;
        double hi = 1e3;
        if (countAt(spec, base, lo) >= parameters) {
            hi = lo;
        } else if (countAt(spec, base, hi) < parameters) {
            lo = hi;
        } else {
            // invariant: count(lo) < target <= count(hi)
            for (int i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
                double mid = Math.sqrt(lo * hi);
                if (countAt(spec, base, mid) >= parameters) {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
        }
        ModelSpec best = null;
        long bestGap = Long.MAX_VALUE;
        for (double f : new double[] {hi, lo}) {
            int[] w = rounded(base, f);
            for (int[] candidate : neighbours(w)) {
                ModelSpec s = withWidths(spec, candidate);
                long gap = Math.abs(s.parameterCount() - parameters);
                if (gap < bestGap) {
                    best = s;
                    bestGap = gap;
                }
            }
        }
        return best;
    }

    /** The widths {@link #scaled} scales: MLP hidden sizes, CNN channels then dense sizes, or transformer width / heads. */
    private static int[] scalableWidths(ModelSpec spec) {
        if (spec instanceof StackSpec) {
            throw new SpecException("a stack student is composed step by step and is not resized to a budget; "
                    + "size its steps yourself, or sweep an mlp, cnn or vit family");
        }
        if (spec instanceof MlpSpec m) {
            return m.hidden().stream().mapToInt(Integer::intValue).toArray();
        }
        if (spec instanceof CnnSpec c) {
            return java.util.stream.Stream.concat(c.channels().stream(), c.dense().stream())
                    .mapToInt(Integer::intValue)
                    .toArray();
        }
        TransformerSpec t = (TransformerSpec) spec;
        return new int[] {t.width() / t.heads()};
    }

    /** Bounds a scaled width so that parameter counts stay well inside a long. */
    private static final int MAX_SCALED_WIDTH = 1 << 20;

    private static int[] rounded(int[] base, double f) {
        int[] w = new int[base.length];
        for (int i = 0; i < base.length; i++) {
            w[i] = (int) Math.max(1, Math.min(MAX_SCALED_WIDTH, Math.round(f * base[i])));
        }
        return w;
    }

    private static long countAt(ModelSpec spec, int[] base, double f) {
        return withWidths(spec, rounded(base, f)).parameterCount();
    }

    /** {@code w} itself first, then {@code w} with each single width one narrower (not below 1) or one wider. */
    private static List<int[]> neighbours(int[] w) {
        List<int[]> out = new ArrayList<>();
        out.add(w);
        for (int i = 0; i < w.length; i++) {
            for (int d : new int[] {-1, 1}) {
                int v = w[i] + d;
                if (v >= 1 && v <= MAX_SCALED_WIDTH) {
                    int[] n = w.clone();
                    n[i] = v;
                    out.add(n);
                }
            }
        }
        return out;
    }

    /** {@code spec} with its scalable widths replaced (transformer: width = w[0] × heads), all else kept. */
    private static ModelSpec withWidths(ModelSpec spec, int[] w) {
        List<Integer> all = java.util.Arrays.stream(w).boxed().toList();
        if (spec instanceof MlpSpec m) {
            return new MlpSpec(m.inputs(), all, m.outputs(), m.activation(), m.dropout());
        }
        if (spec instanceof CnnSpec c) {
            int n = c.channels().size();
            return new CnnSpec(
                    c.inputs(),
                    all.subList(0, n),
                    c.kernel(),
                    c.pool(),
                    all.subList(n, all.size()),
                    c.outputs(),
                    c.activation(),
                    c.dropout(),
                    c.shape());
        }
        TransformerSpec t = (TransformerSpec) spec;
        return new TransformerSpec(
                t.inputs(),
                t.depth(),
                w[0] * t.heads(),
                t.heads(),
                t.ffnRatio(),
                t.patch(),
                t.preNorm(),
                t.outputs(),
                t.activation(),
                t.dropout(),
                t.input(),
                t.frame(),
                t.stride(),
                t.vocab(),
                t.shape());
    }

    /** Adds {@code s} when within the tolerance; true once it is past the budget (wider only grows). */
    private static boolean consider(
            List<Candidate> out, ModelSpec s, int depth, int width, long budget, double tolerance) {
        long p = s.parameterCount();
        double dev = (p - budget) / (double) budget;
        if (Math.abs(dev) <= tolerance) {
            out.add(new Candidate(s, depth, width, p, dev));
        }
        return dev > tolerance;
    }

    private static List<Candidate> sorted(List<Candidate> out, long budget, double tolerance, String family) {
        if (out.isEmpty()) {
            throw new SpecException(String.format(
                    "no %s student has %,d parameters within ±%.1f%%; widen the "
                            + "tolerance or the grid, or pick another budget",
                    family, budget, 100 * tolerance));
        }
        out.sort(Comparator.comparingInt(Candidate::depth).thenComparingInt(Candidate::width));
        return List.copyOf(out);
    }

    private static void check(long budget, double tolerance) {
        if (budget <= 0) {
            throw new SpecException("budget must be a positive parameter count, got " + budget);
        }
        if (!(tolerance > 0 && tolerance < 1)) {
            throw new SpecException("tolerance is a fraction of the budget in (0, 1), e.g. 0.03; got " + tolerance);
        }
    }

    private static int lcm(int a, int b) {
        int x = a;
        int y = b;
        while (y != 0) {
            int t = y;
            y = x % y;
            x = t;
        }
        return a / x * b;
    }
}
