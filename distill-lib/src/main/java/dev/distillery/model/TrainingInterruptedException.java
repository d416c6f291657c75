package dev.distillery.model;

import java.nio.file.Path;

/** Training stopped because its thread was interrupted; the last epoch checkpoint is kept. */
public class TrainingInterruptedException extends RuntimeException {

    private final int epoch;
    private final int step;
    private final Path checkpoint;

    public TrainingInterruptedException(String stage, int epoch, int step, Path checkpoint) {
        super(stage + " interrupted at epoch " + epoch + ", step " + step + "; "
                + (checkpoint == null ? "no checkpoint was kept (set a checkpoint directory to resume)"
                        : "resume from " + checkpoint + " with resume(true)"));
        this.epoch = epoch;
        this.step = step;
        this.checkpoint = checkpoint;
    }

    public int epoch() { return epoch; }
    public int step() { return step; }
    public Path checkpoint() { return checkpoint; }
}
