package dev.distillery.train;

import java.nio.file.Path;

/**
 * How to train: epochs, batch size, Adam learning rate, early-stop patience (epochs without a
 * better validation accuracy; 0 turns it off), seed, where checkpoints go (null: none), whether to
 * resume from one, and the stage name shown in progress.
 */
public record TrainingOptions(
        int epochs,
        int batchSize,
        double learningRate,
        int patience,
        long seed,
        Path checkpointDir,
        boolean resume,
        String stage) {

    public TrainingOptions {
        if (epochs < 1) throw new IllegalArgumentException("epochs must be at least 1, got " + epochs);
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be a positive number, got " + learningRate);
        }
        if (patience < 0) throw new IllegalArgumentException("patience must be 0 (off) or more, got " + patience);
        stage = stage == null ? "train" : stage;
    }

    public static TrainingOptions defaults() {
        return new TrainingOptions(10, 128, 1e-3, 0, 1, null, false, "train");
    }

    public TrainingOptions epochs(int n) {
        return new TrainingOptions(n, batchSize, learningRate, patience, seed, checkpointDir, resume, stage);
    }

    public TrainingOptions batchSize(int n) {
        return new TrainingOptions(epochs, n, learningRate, patience, seed, checkpointDir, resume, stage);
    }

    public TrainingOptions learningRate(double lr) {
        return new TrainingOptions(epochs, batchSize, lr, patience, seed, checkpointDir, resume, stage);
    }

    public TrainingOptions patience(int n) {
        return new TrainingOptions(epochs, batchSize, learningRate, n, seed, checkpointDir, resume, stage);
    }

    public TrainingOptions seed(long s) {
        return new TrainingOptions(epochs, batchSize, learningRate, patience, s, checkpointDir, resume, stage);
    }

    public TrainingOptions checkpointDir(Path d) {
        return new TrainingOptions(epochs, batchSize, learningRate, patience, seed, d, resume, stage);
    }

    public TrainingOptions resume(boolean r) {
        return new TrainingOptions(epochs, batchSize, learningRate, patience, seed, checkpointDir, r, stage);
    }

    public TrainingOptions stage(String s) {
        return new TrainingOptions(epochs, batchSize, learningRate, patience, seed, checkpointDir, resume, s);
    }
}
