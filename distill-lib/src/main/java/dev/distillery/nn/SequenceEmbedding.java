package dev.distillery.nn;

import dev.distillery.tensor.Var;

/** A transformer's input stage: model inputs {@code [B, inputs]} to a sequence {@code [B, length, D]}. */
public interface SequenceEmbedding {

    Embedded forward(Forward f, Var input);

    /** Positions in the sequence it gives. */
    int length();

    /** {@link #forward} as ONNX nodes on {@code input} ({@code [batch, inputs]}). */
    Embedded.Onnx exportOnnx(OnnxWriter w, String input);
}
