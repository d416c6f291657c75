package dev.distillery.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Latency as recorded: the median time of one forward pass over a single example, in microseconds. */
class FootprintTest {

    /**
     * A forward pass that pauses 3 ms on six examples and 100 ms on three of nine: the median is a
     * 3 ms pass, read in microseconds. The upper bound is not a speed claim: it tells the median
     * (3 ms and a little) from the mean (35 ms) and from a reading in other units.
     */
    @Test
    void latencyIsTheMedianSingleExamplePassInMicroseconds() {
        List<Long> batchRows = new ArrayList<>();
        int[] calls = {0};
        Footprint f = Footprint.measure(
                1234,
                5678,
                x -> {
                    batchRows.add((long) x.rows());
                    int call = calls[0]++;
                    pause(call == 10 || call == 13 || call == 16 ? 100 : 3);
                    return x;
                },
                Nd4j.zeros(DataType.FLOAT, 9, 4),
                9);
        assertEquals(1234, f.parameters());
        assertEquals(5678, f.bytesOnDisk());
        assertEquals(1, f.latencyBatch());
        assertTrue(batchRows.stream().allMatch(n -> n == 1L), "every pass sees one example: " + batchRows);
        assertEquals(18, batchRows.size(), "a warm-up pass and a timed pass per example");
        assertTrue(
                f.latencyMicros() >= 3_000 && f.latencyMicros() < 20_000,
                "the median pass paused 3 ms, so it took 3,000 µs or a little more: " + f.latencyMicros());
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
