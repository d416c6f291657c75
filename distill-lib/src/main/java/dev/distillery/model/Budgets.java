package dev.distillery.model;

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
    public record TransformerGrid(List<Integer> depths, List<Integer> heads, List<Double> ffnRatios, int patch,
            int widthStep) {
        public static TransformerGrid defaults() {
            return new TransformerGrid(List.of(1, 2, 3, 4, 6, 8, 12), List.of(2, 4), List.of(2.0, 4.0), 4, 4);
        }
    }

    private Budgets() {}

    /** Transformer students within {@code tolerance} (e.g. 0.03) of {@code budget} parameters, by depth then width. */
    public static List<Candidate> transformers(long budget, double tolerance, TransformerGrid grid) {
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
                        TransformerSpec s = new TransformerSpec(null, depth, width, heads, ffn, grid.patch(), null, null,
                                null, null);
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
    public static List<Candidate> grid(String family, List<Integer> depths, List<Integer> widths, int heads, double ffnRatio,
            int patch) {
        List<Candidate> out = new ArrayList<>();
        for (int depth : depths) {
            for (int width : widths) {
                ModelSpec s = switch (family) {
                    case "vit", "transformer" -> new TransformerSpec(null, depth, width, heads, ffnRatio, patch, null, null,
                            null, null);
                    case "mlp" -> new MlpSpec(null, java.util.Collections.nCopies(depth, width), null, null, null);
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
        if (spec instanceof TransformerSpec t) {
            return new int[] {t.depth(), t.width()};
        }
        if (spec instanceof MlpSpec m) {
            return new int[] {m.hidden().size(), m.hidden().stream().mapToInt(Integer::intValue).max().orElse(0)};
        }
        CnnSpec c = (CnnSpec) spec;
        return new int[] {c.channels().size() + c.dense().size(),
                java.util.stream.Stream.concat(c.channels().stream(), c.dense().stream()).mapToInt(Integer::intValue).max().orElse(0)};
    }

    /** MLP students of equal-width hidden layers (1 to {@code maxDepth}) within the tolerance. */
    public static List<Candidate> mlps(long budget, double tolerance, int maxDepth) {
        check(budget, tolerance);
        List<Candidate> out = new ArrayList<>();
        for (int depth = 1; depth <= maxDepth; depth++) {
            for (int width = 1; width <= 8192; width++) {
                List<Integer> hidden = new ArrayList<>();
                for (int i = 0; i < depth; i++) {
                    hidden.add(width);
                }
                if (consider(out, new MlpSpec(null, hidden, null, null, null), depth, width, budget, tolerance)) {
                    break;
                }
            }
        }
        return sorted(out, budget, tolerance, "mlp");
    }

    /** Adds {@code s} when within the tolerance; true once it is past the budget (wider only grows). */
    private static boolean consider(List<Candidate> out, ModelSpec s, int depth, int width, long budget, double tolerance) {
        long p = s.parameterCount();
        double dev = (p - budget) / (double) budget;
        if (Math.abs(dev) <= tolerance) {
            out.add(new Candidate(s, depth, width, p, dev));
        }
        return dev > tolerance;
    }

    private static List<Candidate> sorted(List<Candidate> out, long budget, double tolerance, String family) {
        if (out.isEmpty()) {
            throw new SpecException(String.format("no %s student has %,d parameters within ±%.1f%%; widen the "
                    + "tolerance or the grid, or pick another budget", family, budget, 100 * tolerance));
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
