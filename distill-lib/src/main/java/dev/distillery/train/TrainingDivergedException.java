package dev.distillery.train;

import java.nio.file.Path;
import java.util.List;

/** The loss or a gradient stopped being a finite number; the step's update was not applied. */
public class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int epoch;
    private final int step;
    private final long globalStep;
    private final Path checkpoint;
    private final List<EpochStats> curve;

    public TrainingDivergedException(
            String stage, String what, int epoch, int step, long globalStep, double learningRate, Path checkpoint) {
        this(stage, what, epoch, step, globalStep, learningRate, checkpoint, List.of());
    }

    public TrainingDivergedException(
            String stage,
            String what,
            int epoch,
            int step,
            long globalStep,
            double learningRate,
            Path checkpoint,
            List<EpochStats> curve) {
        super(stage + ": " + what + " at epoch " + epoch + ", step " + step + " (step " + globalStep + " overall); "
                + "that step's update was not applied and training stopped. "
                + (checkpoint == null ? "No checkpoint was kept. " : "The last good checkpoint is " + checkpoint + ". ")
                + "Lower the learning rate (now " + learningRate + ") or check the inputs for NaN or huge values.");
        this.epoch = epoch;
        this.step = step;
        this.globalStep = globalStep;
        this.checkpoint = checkpoint;
        this.curve = List.copyOf(curve);
    }

    public int epoch() {
        return epoch;
    }

    public int step() {
        return step;
    }

    public long globalStep() {
        return globalStep;
    }

    public Path checkpoint() {
        return checkpoint;
    }
    /** The epochs that finished before training diverged. */
    public List<EpochStats> curve() {
        return curve;
    }
}
