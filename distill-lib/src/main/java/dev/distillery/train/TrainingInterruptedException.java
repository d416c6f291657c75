package dev.distillery.train;

import java.nio.file.Path;
import java.util.List;

/** Training stopped because its thread was interrupted; the last epoch checkpoint is kept. */
public class TrainingInterruptedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String stage;
    private final int epoch;
    private final int step;
    private final Path checkpoint;
    private final List<EpochStats> curve;

    public TrainingInterruptedException(String stage, int epoch, int step, Path checkpoint) {
        this(stage, epoch, step, checkpoint, List.of());
    }

    /** {@code curve}: the epochs finished before the interrupt. */
    public TrainingInterruptedException(String stage, int epoch, int step, Path checkpoint, List<EpochStats> curve) {
        this(
                stage,
                epoch,
                step,
                checkpoint,
                curve,
                checkpoint == null
                        ? "no checkpoint was kept (set a checkpoint directory to resume)"
                        : "resume from " + checkpoint + " with resume(true)");
    }

    private TrainingInterruptedException(
            String stage, int epoch, int step, Path checkpoint, List<EpochStats> curve, String howToResume) {
        super(stage + " interrupted at epoch " + epoch + ", step " + step + "; " + howToResume);
        this.stage = stage;
        this.epoch = epoch;
        this.step = step;
        this.checkpoint = checkpoint;
        this.curve = List.copyOf(curve);
    }

    /** The same interrupt, saying how its caller resumes it (e.g. by running the same spec again). */
    public TrainingInterruptedException resumedBy(String howToResume) {
        TrainingInterruptedException e =
                new TrainingInterruptedException(stage, epoch, step, checkpoint, curve, howToResume);
        e.setStackTrace(getStackTrace());
        return e;
    }

    public int epoch() {
        return epoch;
    }

    public int step() {
        return step;
    }

    public Path checkpoint() {
        return checkpoint;
    }
    /** The epochs that finished before the interrupt. */
    public List<EpochStats> curve() {
        return curve;
    }
}
