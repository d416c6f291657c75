package dev.distillery.train;

/**
 * One point of a training curve: mean training loss of the epoch, validation accuracy, validation
 * agreement with the teacher (null without a teacher) and the epoch's seconds.
 */
public record EpochStats(int epoch, double trainLoss, double valAccuracy, Double valAgreement, double seconds) {}
