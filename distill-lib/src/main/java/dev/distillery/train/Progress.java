package dev.distillery.train;

/**
 * Where training stands, sent to listeners after every step: stage (e.g. "student kd seed 2"),
 * epoch and step (1-based), the running mean loss of the epoch, the last validation accuracy
 * (null before the first epoch ends), seconds so far and the estimated seconds left.
 */
public record Progress(
        String stage,
        int epoch,
        int epochs,
        int step,
        int steps,
        double loss,
        Double valAccuracy,
        double elapsedSeconds,
        double etaSeconds) {

    /** Fraction of all steps of this training done, 0..1. */
    public double fraction() {
        return ((epoch - 1) * (double) steps + step) / ((double) epochs * steps);
    }
}
