package dev.distillery.experiment;

import java.util.List;
import tech.tablesaw.api.DoubleColumn;

/**
 * The speech studies' probe columns: word and voice probe accuracy in percent, mean and sample
 * standard deviation over a group of run records (one per seed), rounded to a tenth.
 */
final class ProbeColumns {

    final DoubleColumn wordMean = DoubleColumn.create("word_%");
    final DoubleColumn wordSd = DoubleColumn.create("word_sd");
    final DoubleColumn voiceMean = DoubleColumn.create("voice_%");
    final DoubleColumn voiceSd = DoubleColumn.create("voice_sd");

    /** Appends one row: the group's word and voice probes. */
    void append(List<RunRecord> group) {
        double[] w = percent(group, "word");
        double[] v = percent(group, "voice");
        wordMean.append(round(Results.mean(w)));
        wordSd.append(round(Results.std(w)));
        voiceMean.append(round(Results.mean(v)));
        voiceSd.append(round(Results.std(v)));
    }

    private static double[] percent(List<RunRecord> group, String task) {
        return group.stream().mapToDouble(r -> 100 * r.probes().get(task)).toArray();
    }

    static double round(double v) {
        return Double.isNaN(v) ? v : Math.round(10 * v) / 10.0;
    }
}
