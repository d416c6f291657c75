package dev.distillery.train;

/** Receives progress while a model trains: every step, and every finished epoch. */
public interface TrainingListener {

    default void onStep(Progress progress) {}

    default void onEpoch(String stage, EpochStats stats) {}

    /** Free-form news: resumed from a checkpoint, early stop, and the like. */
    default void onMessage(String stage, String message) {}
}
