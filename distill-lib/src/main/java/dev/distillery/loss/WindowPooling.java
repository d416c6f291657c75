package dev.distillery.loss;

import dev.distillery.spec.SpecException;
import dev.distillery.tensor.Var;
import java.util.Arrays;

/**
 * How a student's frames meet a teacher whose positions are windows of the clip (the pretrained
 * speech teacher: 0.78 s windows every 80 ms, see {@code Layered.spans}): the frames are averaged
 * over each window, so a {@code [S, D]} student layer becomes {@code [W, D]}.
 */
public final class WindowPooling {

    private WindowPooling() {}

    /**
     * A student's frames {@code [B, S, D]} pooled over a teacher's windows: {@code [B, W, D]}, window
     * {@code k} the mean of the frames whose centre {@code (j + ½) / S} lies in {@code spans[k]}
     * ({@code [start, end)} as fractions of the clip; the student's frames are taken as spread evenly
     * over it). The sequence length is read from the value, so a student whose stride changes is
     * pooled correctly at every step.
     */
    public static Var pool(dev.distillery.tensor.Tape tape, Var student, double[][] spans) {
        long b = student.size(0);
        int frames = (int) student.size(1);
        long d = student.size(2);
        return student.permute(0, 2, 1)
                .reshape(b * d, frames)
                .mmul(tape.constant(matrix(frames, spans)))
                .reshape(b, d, spans.length)
                .permute(0, 2, 1);
    }

    /** {@code [S, W]}: column k averages the frames inside window k. */
    public static org.nd4j.linalg.api.ndarray.INDArray matrix(int frames, double[][] spans) {
        float[] p = new float[frames * spans.length];
        for (int k = 0; k < spans.length; k++) {
            int count = 0;
            for (int j = 0; j < frames; j++) {
                double centre = (j + 0.5) / frames;
                if (centre >= spans[k][0] && centre < spans[k][1]) {
                    count++;
                }
            }
            if (count == 0) {
                throw new SpecException("the student's " + frames + " frames leave the teacher's window " + k + " ("
                        + Arrays.toString(spans[k]) + " of the clip) empty; use a student with more frames (a "
                        + "smaller stride)");
            }
            for (int j = 0; j < frames; j++) {
                double centre = (j + 0.5) / frames;
                if (centre >= spans[k][0] && centre < spans[k][1]) {
                    p[j * spans.length + k] = 1f / count;
                }
            }
        }
        return org.nd4j.linalg.factory.Nd4j.create(
                p, new long[] {frames, spans.length}, org.nd4j.linalg.api.buffer.DataType.FLOAT);
    }
}
