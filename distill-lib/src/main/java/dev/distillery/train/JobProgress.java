package dev.distillery.train;

import java.util.function.LongSupplier;

/**
 * Where a job of several runs (students × recipes × seeds) stands, given the {@link Progress} of the run
 * under way: the share of the whole job done and the seconds left in it. Runs still to come are estimated
 * at the mean time of those finished or, before one has, at the current run's own pace. A listener feeds it
 * {@link TrainingListener#onRunStart}; before that (a teacher training alone) it reports the one training.
 */
public final class JobProgress {

    private final LongSupplier nanos;
    private int run;
    private int runs;
    private long runStarted;
    private double finishedSeconds;

    public JobProgress() {
        this(System::nanoTime);
    }

    /** With {@code nanos} as the clock (tests give their own). */
    JobProgress(LongSupplier nanos) {
        this.nanos = nanos;
    }

    /** Run {@code run} (1-based) of {@code runs} starts now; the one before it, if any, has finished. */
    public synchronized void runStarted(int run, int runs) {
        long now = nanos.getAsLong();
        if (this.run > 0) {
            finishedSeconds += (now - runStarted) / 1e9;
        }
        this.run = run;
        this.runs = runs;
        runStarted = now;
    }

    /** The run under way (1-based), 0 before the first. */
    public synchronized int run() {
        return run;
    }

    /** The runs the job makes, 0 before the first starts. */
    public synchronized int runs() {
        return runs;
    }

    /** How much of the whole job is done, 0..1: the runs finished and this one's share. */
    public synchronized double fraction(Progress p) {
        return runs <= 1 ? p.fraction() : (run - 1 + p.fraction()) / runs;
    }

    /** Seconds left in the whole job: this run's ETA plus each run to come at the estimated time of one. */
    public synchronized double etaSeconds(Progress p) {
        if (runs <= 1 || run >= runs) {
            return p.etaSeconds();
        }
        // the first run's length: its time so far (the trainer's, or the clock's if longer) plus its ETA
        double perRun = run > 1
                ? finishedSeconds / (run - 1)
                : Math.max(p.elapsedSeconds(), (nanos.getAsLong() - runStarted) / 1e9) + p.etaSeconds();
        return p.etaSeconds() + (runs - run) * perRun;
    }
}
