package dev.distillery.nn;

import dev.distillery.tensor.Var;
import java.util.Map;

/** {@code length} frames of {@code frame} features each ({@code [B, length·frame]}), each projected to {@code width}, plus a learned position embedding. */
public final class FrameEmbedding extends Module implements SequenceEmbedding {

    private final int frame;
    private final int length;
    private final int width;
    private final Linear proj;
    private final Parameter positions;

    public FrameEmbedding(int frame, int length, int width, Activation activation) {
        this.frame = frame;
        this.length = length;
        this.width = width;
        this.proj = child("proj", new Linear(frame, width, activation));
        this.positions = parameter("positions", Init.normal(0.02), length, width);
    }

    /** {@code [B, length·frame]} to {@code [B, length, width]}. */
    @Override
    public Embedded forward(Forward f, Var frames) {
        return new Embedded(project(f, frames), null);
    }

    private Var project(Forward f, Var frames) {
        long b = f.batch();
        return proj.forward(f, frames.reshape(b * length, frame))
                .reshape(b, length, width)
                .add(f.value(positions));
    }

    @Override
    public Embedded.Onnx exportOnnx(OnnxWriter w, String frames) {
        String x = w.node("Reshape", frames, w.ints(-1, length, frame));
        return Embedded.Onnx.of(w.node("Add", proj.exportOnnx(w, x), w.parameter(positions)));
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public Map<String, Object> settings() {
        return ordered("frame", frame, "length", length, "width", width);
    }
}
