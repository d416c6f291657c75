package dev.distillery.train;

/** Receives progress while a model trains: every step, every finished epoch, and each run of a job. */
public interface TrainingListener {

    default void onStep(Progress progress) {}

    default void onEpoch(String stage, EpochStats stats) {}

    /** Free-form news: resumed from a checkpoint, early stop, and the like. */
    default void onMessage(String stage, String message) {}

    /**
     * Run {@code run} (1-based) of the {@code runs} one job makes (students × recipes × seeds) starts;
     * a listener showing progress over the whole job counts them.
     */
    default void onRunStart(int run, int runs) {}

    /** What the runs compute on (library, BLAS, threads, cores): kept in every record, shown where wanted. */
    default void onEngine(String engine) {}
}
