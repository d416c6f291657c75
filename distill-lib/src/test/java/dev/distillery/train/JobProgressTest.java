package dev.distillery.train;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The bar and ETA of a job of several runs: never "0 s left" while a seed is still to run. */
class JobProgressTest {

    static final long S = 1_000_000_000L;

    static Progress at(int epoch, int epochs, double eta) {
        return new Progress("tiny · kd · seed 1", epoch, epochs, 10, 10, 0.5, 0.8, 0, eta);
    }

    @Test
    void runsToComeAreEstimatedFromThoseFinishedOrTheFirstRunsPace() {
        AtomicLong clock = new AtomicLong();
        JobProgress job = new JobProgress(clock::get);
        job.runStarted(1, 3);
        clock.set(10 * S);
        // run 1 has taken 10 s and says 5 s are left: each run about 15 s, two more to come
        assertEquals(5 + 2 * 15, job.etaSeconds(at(2, 3, 5)), 1e-9);
        assertEquals((2.0 / 3) / 3, job.fraction(at(2, 3, 5)), 1e-9);
        // the last step of run 1: its own ETA is 0, the job's is not
        assertTrue(job.etaSeconds(at(3, 3, 0)) > 0);

        clock.set(14 * S);
        job.runStarted(2, 3);
        clock.set(20 * S);
        // run 1 took 14 s: one more run after this one
        assertEquals(3 + 14, job.etaSeconds(at(2, 3, 3)), 1e-9);
        clock.set(30 * S);
        job.runStarted(3, 3);
        assertEquals(4, job.etaSeconds(at(1, 3, 4)), 1e-9, "the last run: its own ETA");
        assertEquals((2 + 1.0 / 3) / 3, job.fraction(at(1, 3, 4)), 1e-9);
        assertEquals(3, job.run());
        assertEquals(3, job.runs());
    }

    @Test
    void beforeAnyRunStartsItReportsTheOneTraining() {
        JobProgress job = new JobProgress(() -> 0L);
        Progress teacher = at(2, 4, 12);
        assertEquals(teacher.fraction(), job.fraction(teacher), 1e-12);
        assertEquals(12, job.etaSeconds(teacher), 1e-12);
        assertEquals(0, job.runs());
    }
}
