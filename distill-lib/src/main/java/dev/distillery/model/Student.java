package dev.distillery.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Composes a student from modules in code, one step at a time, and gives its {@link StackSpec}:
 *
 * <pre>{@code
 * StackSpec student = Student.image(1, 28, 28)
 *         .conv(8).relu().maxPool(2)
 *         .linear(64).gelu().layerNorm().dropout(0.1)
 *         .classifier(10);
 * }</pre>
 *
 * The spec distils, saves, loads and exports like any other; its compact form ({@code
 * student.toString()}) is what records and {@code %distill {student}} carry, and it rebuilds the
 * same modules. Each call checks the shapes as it goes, so a misplaced step fails where it is written.
 */
public final class Student {

    private final Integer inputs;
    private final ImageShape shape;
    private final List<String> steps = new ArrayList<>();

    private Student(Integer inputs, ImageShape shape) {
        this.inputs = inputs;
        this.shape = shape;
    }

    /** A stack on rows of {@code values} numbers (tabular data, audio features, flattened images). */
    public static Student input(int values) {
        return new Student(values, null);
    }

    /** A stack on images of {@code channels} planes of {@code height × width} pixels, read channel by channel. */
    public static Student image(int channels, int height, int width) {
        return new Student(null, new ImageShape(channels, height, width));
    }

    /** A dense layer to {@code out} values (flattening images first). */
    public Student linear(int out) {
        return add("linear:" + out);
    }

    /** A 3×3 same-padded convolution to {@code channels} planes. */
    public Student conv(int channels) {
        return add("conv:" + channels);
    }

    /** A {@code kernel × kernel} same-padded convolution to {@code channels} planes. */
    public Student conv(int channels, int kernel) {
        return add("conv:" + channels + "k" + kernel);
    }

    /** Max pooling over {@code size × size} windows. */
    public Student maxPool(int size) {
        return add("maxpool:" + size);
    }

    public Student layerNorm() {
        return add("layernorm");
    }

    /** Dropout at {@code rate} while training; nothing at inference. */
    public Student dropout(double rate) {
        return add("dropout:" + rate);
    }

    public Student relu() {
        return add("relu");
    }

    public Student gelu() {
        return add("gelu");
    }

    public Student tanh() {
        return add("tanh");
    }

    public Student sigmoid() {
        return add("sigmoid");
    }

    /** The student: these steps, then a classifier to {@code classes} logits. */
    public StackSpec classifier(int classes) {
        return new StackSpec(inputs, shape, steps, classes);
    }

    private Student add(String step) {
        steps.add(step);
        new StackSpec(inputs, shape, steps, null); // checks the new step against the ones before it
        return this;
    }
}
