package dev.distillery.distill;

import dev.distillery.eval.Latency;
import dev.distillery.eval.Metrics;
import dev.distillery.model.Network;
import dev.distillery.provenance.ModelFile;
import dev.distillery.provenance.Provenance;
import dev.distillery.train.TrainingOutcome;
import java.nio.file.Path;

/**
 * One trained student: its spec and recipe, test metrics, the training curve and timings, and
 * the trained network with its provenance.
 */
public record DistillResult(
        String student,
        String loss,
        String teacher,
        long seed,
        Metrics metrics,
        TrainingOutcome training,
        Network network,
        Provenance provenance) {

    public void save(Path file) {
        ModelFile.save(network, provenance, file);
    }

    /**
     * The student as an ONNX model (dynamic batch, output {@code logits} and the {@code extra} named
     * outputs); see {@link Network#exportOnnx}.
     */
    public void exportOnnx(Path file, String... extra) {
        network.exportOnnx(file, extra);
    }

    /**
     * The run on one line, as a list of finished runs shows it: {@code tiny · kd T=4 a=0.1 · seed 1: test
     * accuracy 82.84%, agreement 89.64%, KL 0.109 · 50,890 parameters · 6 epochs (best 6), 3.2 s}; an early
     * stop is said once, as {@code stopped early}. {@link #summary()} has the sizes and latencies too.
     */
    public String line() {
        Metrics m = metrics;
        StringBuilder s = new StringBuilder(
                String.format("%s · %s · seed %d: test accuracy %.2f%%", student, loss, seed, 100 * m.testAccuracy()));
        if (m.agreement() != null) {
            s.append(String.format(", agreement %.2f%%, KL %.3f", 100 * m.agreement(), m.klDivergence()));
        }
        dev.distillery.provenance.Lineage l = provenance == null ? null : provenance.lineage();
        s.append(String.format(
                " · %,d parameters%s · %d epochs (best %d%s), %.1f s",
                m.parameters(),
                l == null || l.extraParameters() == null
                        ? ""
                        : String.format(" (%,d of them the extra heads)", l.extraParameters()),
                training.curve().size(),
                training.bestEpoch(),
                training.stopReason().startsWith("early stop") ? ", stopped early" : "",
                training.seconds()));
        if (l != null && (!"single".equals(l.mode()) || l.chain() != null)) {
            s.append(" · learned ").append(l.describe());
        }
        return s.toString();
    }

    /** A compact one-paragraph summary. */
    public String summary() {
        Metrics m = metrics;
        StringBuilder s = new StringBuilder();
        s.append(String.format("%s · %s · seed %d: test accuracy %.2f%%", student, loss, seed, 100 * m.testAccuracy()));
        if (m.agreement() != null) {
            s.append(String.format(
                    ", agreement with %s %.2f%%, KL %.3f, JS %.4f",
                    teacher, 100 * m.agreement(), m.klDivergence(), m.jsDivergence()));
        }
        dev.distillery.provenance.Lineage l = provenance == null ? null : provenance.lineage();
        if (l != null && (!"single".equals(l.mode()) || l.chain() != null)) {
            s.append(String.format("%n  learned %s", l.describe()));
        }
        if (l != null && l.extraParameters() != null) {
            s.append(String.format("%n  %,d of the parameters are the extra heads", l.extraParameters()));
        }
        s.append(String.format(
                "%n  %,d parameters, %,d bytes on disk; %d epochs (best %d), %.1f s; %s",
                m.parameters(),
                m.bytesOnDisk(),
                training.curve().size(),
                training.bestEpoch(),
                training.seconds(),
                training.stopReason()));
        String latency = latencyLine(m);
        if (!latency.isEmpty()) {
            s.append(String.format("%n  latency %s", latency));
        }
        return s.toString();
    }

    /** {@code tape 310 µs, ONNX Runtime 41 µs at batch 1; tape 9.1 ms, ONNX Runtime 3.2 ms at batch 256}. */
    static String latencyLine(Metrics m) {
        if (m.latencies() == null) {
            return String.format("%.0f µs per example on the tape", m.latencyMicros());
        }
        java.util.StringJoiner line = new java.util.StringJoiner("; ");
        for (int batch : Latency.BATCHES) {
            java.util.StringJoiner at = new java.util.StringJoiner(", ");
            for (Latency l : m.latencies()) {
                if (l.batch() == batch) {
                    at.add(l.engineName() + " " + Latency.time(l.microsPerBatch()));
                }
            }
            if (at.length() > 0) {
                line.add(at + " at batch " + batch);
            }
        }
        return line.toString();
    }

    @Override
    public String toString() {
        return summary();
    }
}
