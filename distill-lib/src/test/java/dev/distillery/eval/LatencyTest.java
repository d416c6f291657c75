package dev.distillery.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Latency as recorded: the median of timed passes after a warm-up, read in the unit it says. */
class LatencyTest {

    /**
     * A pass that pauses 3 ms, except 100 ms on three of nine timed passes: the median is a 3 ms
     * pass, read in microseconds. The upper bound is not a speed claim: it tells the median (3 ms
     * and a little) from the mean (35 ms) and from a reading in other units.
     */
    @Test
    void theFigureIsTheMedianPassInMicrosecondsAfterAWarmUp() {
        int[] calls = {0};
        double median = Latency.median(
                () -> {
                    int call = calls[0]++;
                    pause(call == 0 || call == 2 || call == 5 || call == 8 ? 100 : 3);
                },
                9,
                1e9);
        assertEquals(10, calls[0], "one warm-up pass, then nine timed");
        assertTrue(median >= 3_000 && median < 20_000, "the median pass paused 3 ms: " + median);
    }

    /** Past three passes, timing stops once the budget is spent: a slow model is not timed 100 times. */
    @Test
    void timingStopsWhenTheBudgetIsSpent() {
        int[] calls = {0};
        Latency.median(
                () -> {
                    calls[0]++;
                    pause(20);
                },
                100,
                30_000);
        assertEquals(1 + 3, calls[0], "a warm-up and the three passes every figure takes");
    }

    @Test
    void figuresAreFoundByEngineAndBatchAndReadInTheirUnit() {
        List<Latency> all = List.of(
                new Latency(Latency.TAPE, "tape", 1, 310), new Latency(Latency.ONNX_RUNTIME, "ort", 256, 3_200));
        assertEquals(12.5, all.get(1).microsPerExample());
        assertEquals("ONNX Runtime 3.2 ms at batch 256", all.get(1).toString());
        assertEquals(
                "tape 310 µs at batch 1", Latency.find(all, Latency.TAPE, 1).toString());
        assertNull(Latency.find(all, Latency.TAPE, 256));
        assertNull(Latency.find(null, Latency.TAPE, 1), "records from before the figures were kept");
        assertEquals("1.25 s", Latency.time(1_250_000));
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
