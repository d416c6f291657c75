package dev.distillery.train;

import java.util.List;

/**
 * How training went: the curve, the epoch whose weights were kept (best validation accuracy),
 * why it stopped, steps and seconds, and from which epoch it resumed (0 when it started fresh).
 */
public record TrainingOutcome(
        List<EpochStats> curve,
        int bestEpoch,
        double bestValAccuracy,
        String stopReason,
        long steps,
        double seconds,
        int resumedFromEpoch) {}
