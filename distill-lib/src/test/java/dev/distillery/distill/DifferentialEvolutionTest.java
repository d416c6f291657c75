package dev.distillery.distill;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;

class DifferentialEvolutionTest {

    private static final double[] SHIFT = {0.3, -1.2, 2.0};

    private static double shiftedSphere(double[] x) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += (x[i] - SHIFT[i]) * (x[i] - SHIFT[i]);
        }
        return s;
    }

    private static double rosenbrock(double[] x) {
        return 100 * Math.pow(x[1] - x[0] * x[0], 2) + Math.pow(1 - x[0], 2);
    }

    private static DifferentialEvolution box(int dims, double lo, double hi) {
        double[] lower = new double[dims];
        double[] upper = new double[dims];
        Arrays.fill(lower, lo);
        Arrays.fill(upper, hi);
        return new DifferentialEvolution(lower, upper);
    }

    private static void assertWellFormed(DifferentialEvolution.Result r) {
        List<Double> h = r.history();
        assertEquals(r.generations() + 1, h.size(), "one history entry per generation plus the initial population");
        for (int i = 1; i < h.size(); i++) {
            assertTrue(h.get(i) <= h.get(i - 1), "history must not increase: " + h);
        }
        assertEquals(r.value(), h.get(h.size() - 1));
    }

    @Test
    void findsTheShiftedSphereOptimum() {
        DifferentialEvolution.Result r =
                box(3, -5, 5).evaluations(6000).minimize(DifferentialEvolutionTest::shiftedSphere);
        assertArrayEquals(SHIFT, r.best(), 1e-3);
        assertTrue(r.value() < 1e-6, "value " + r.value());
        assertEquals(shiftedSphere(r.best()), r.value());
        assertTrue(r.evaluations() <= 6000);
        assertWellFormed(r);
    }

    @Test
    void findsTheRosenbrockValley() {
        DifferentialEvolution.Result r =
                box(2, -2, 2).population(20).evaluations(20000).seed(7).minimize(DifferentialEvolutionTest::rosenbrock);
        assertArrayEquals(new double[] {1, 1}, r.best(), 1e-2);
        assertTrue(r.value() < 1e-4, "value " + r.value());
        assertWellFormed(r);
    }

    @Test
    void sameSeedIsBitIdenticalAndAnotherSeedTakesAnotherPath() {
        ToDoubleFunction<double[]> f = DifferentialEvolutionTest::shiftedSphere;
        DifferentialEvolution.Result a =
                box(3, -5, 5).evaluations(6000).seed(42).minimize(f);
        DifferentialEvolution.Result b =
                box(3, -5, 5).evaluations(6000).seed(42).minimize(f);
        assertTrue(Arrays.equals(a.best(), b.best()), Arrays.toString(a.best()) + " vs " + Arrays.toString(b.best()));
        assertEquals(Double.doubleToRawLongBits(a.value()), Double.doubleToRawLongBits(b.value()));
        assertEquals(a.evaluations(), b.evaluations());
        assertEquals(a.generations(), b.generations());
        assertEquals(a.history(), b.history());

        DifferentialEvolution.Result c =
                box(3, -5, 5).evaluations(6000).seed(43).minimize(f);
        assertNotEquals(a.history(), c.history());
        assertArrayEquals(SHIFT, c.best(), 1e-3);
        assertTrue(c.value() < 1e-6, "value " + c.value());
    }

    @Test
    void respectsTheEvaluationBudgetExactly() {
        // 1037 is not a multiple of the population: the last generation is cut short
        AtomicInteger calls = new AtomicInteger();
        DifferentialEvolution.Result r = box(2, -2, 2)
                .population(20)
                .evaluations(1037)
                .tolerance(0)
                .minimize(x -> {
                    calls.incrementAndGet();
                    return rosenbrock(x);
                });
        assertEquals(calls.get(), r.evaluations());
        assertEquals(1037, r.evaluations());
        assertEquals(51, r.generations(), "after the initial 20, 50 full generations of 20 and one of 17");
        assertWellFormed(r);

        // a budget equal to the population evaluates the initial population only
        calls.set(0);
        DifferentialEvolution.Result only = box(2, -2, 2)
                .population(20)
                .evaluations(20)
                .minimize(x -> {
                    calls.incrementAndGet();
                    return rosenbrock(x);
                });
        assertEquals(20, calls.get());
        assertEquals(20, only.evaluations());
        assertEquals(0, only.generations());
        assertEquals(1, only.history().size());

        // the tolerance stops early, under budget, and the count still matches
        calls.set(0);
        DifferentialEvolution.Result early = box(3, -5, 5)
                .evaluations(100_000)
                .tolerance(1e-8)
                .minimize(x -> {
                    calls.incrementAndGet();
                    return shiftedSphere(x);
                });
        assertEquals(calls.get(), early.evaluations());
        assertTrue(early.evaluations() < 100_000, "stopped at " + early.evaluations());
    }

    @Test
    void findsAnOptimumOnTheBoundaryAndNeverLeavesTheBox() {
        AtomicBoolean outside = new AtomicBoolean();
        DifferentialEvolution.Result r = new DifferentialEvolution(new double[] {2}, new double[] {3})
                .mutation(1.5) // large steps: many mutants fall outside and must be brought back
                .minimize(x -> {
                    if (!(x[0] >= 2 && x[0] <= 3)) {
                        outside.set(true);
                    }
                    return x[0];
                });
        assertFalse(outside.get(), "the objective was called outside the bounds");
        assertEquals(2, r.best()[0], 1e-6);
        assertEquals(r.best()[0], r.value());
    }

    @Test
    void avoidsARegionWhereTheObjectiveIsNaN() {
        // x^2 + y^2 is undefined for x < 0.5, where its unconstrained minimum lies: the best defined point is (0.5, 0)
        AtomicInteger nans = new AtomicInteger();
        DifferentialEvolution.Result r = box(2, -3, 3).evaluations(4000).minimize(x -> {
            if (x[0] < 0.5) {
                nans.incrementAndGet();
                return Double.NaN;
            }
            return x[0] * x[0] + x[1] * x[1];
        });
        assertTrue(nans.get() > 0, "the test should reach the NaN region");
        assertTrue(Double.isFinite(r.value()));
        assertTrue(r.best()[0] >= 0.5);
        assertArrayEquals(new double[] {0.5, 0}, r.best(), 1e-3);
        assertEquals(0.25, r.value(), 1e-3);
        for (double h : r.history()) {
            assertTrue(Double.isFinite(h), "history " + r.history());
        }
    }

    @Test
    void everywhereNaNGivesInfinityAndAPointInTheBox() {
        DifferentialEvolution.Result r = box(2, -1, 1).evaluations(200).minimize(x -> Double.NaN);
        assertEquals(Double.POSITIVE_INFINITY, r.value());
        assertEquals(200, r.evaluations());
        for (double v : r.best()) {
            assertTrue(v >= -1 && v <= 1);
        }
    }

    @Test
    void theObjectiveGetsACopyItMayScribbleOn() {
        DifferentialEvolution.Result r = box(3, -5, 5).evaluations(6000).minimize(x -> {
            double v = shiftedSphere(x);
            Arrays.fill(x, 99);
            return v;
        });
        assertArrayEquals(SHIFT, r.best(), 1e-3);
        double[] best = r.best();
        best[0] = 99;
        assertNotEquals(99, r.best()[0], "the result's best point is not shared with callers");
    }

    @Test
    void rejectsBadArgumentsNamingThem() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new DifferentialEvolution(new double[] {0, 0}, new double[] {1, 1, 1}));
        assertTrue(e.getMessage().contains("lower") && e.getMessage().contains("upper"), e.getMessage());

        e = assertThrows(
                IllegalArgumentException.class,
                () -> new DifferentialEvolution(new double[] {0, 3}, new double[] {1, 3}));
        assertTrue(e.getMessage().contains("lower[1]") && e.getMessage().contains("upper[1]"), e.getMessage());

        e = assertThrows(
                IllegalArgumentException.class,
                () -> new DifferentialEvolution(new double[] {0, 2}, new double[] {1, 1}));
        assertTrue(e.getMessage().contains("lower[1]"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> new DifferentialEvolution(new double[0], new double[0]));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());

        e = assertThrows(
                IllegalArgumentException.class,
                () -> new DifferentialEvolution(new double[] {Double.NEGATIVE_INFINITY}, new double[] {1}));
        assertTrue(e.getMessage().contains("finite"), e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> box(2, 0, 1).population(3));
        assertTrue(e.getMessage().contains("population") && e.getMessage().contains("3"), e.getMessage());

        e = assertThrows(
                IllegalArgumentException.class,
                () -> box(2, 0, 1).population(50).evaluations(40).minimize(x -> x[0]));
        assertTrue(
                e.getMessage().contains("evaluations")
                        && e.getMessage().contains("40")
                        && e.getMessage().contains("population"),
                e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> box(2, 0, 1).mutation(0));
        assertTrue(e.getMessage().contains("mutation"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> box(2, 0, 1).mutation(2.5));
        assertTrue(e.getMessage().contains("mutation"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> box(2, 0, 1).crossover(1.5));
        assertTrue(e.getMessage().contains("crossover"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> box(2, 0, 1).crossover(Double.NaN));
        assertTrue(e.getMessage().contains("crossover"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> box(2, 0, 1).tolerance(-1));
        assertTrue(e.getMessage().contains("tolerance"), e.getMessage());
    }
}
