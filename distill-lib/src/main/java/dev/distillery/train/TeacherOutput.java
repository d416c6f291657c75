package dev.distillery.train;

/**
 * A reference to one of a teacher's outputs that a loss reads each batch: teacher {@code teacher}
 * (0 for a single teacher, k for an ensemble's k-th member) and its output {@code output}
 * ({@code logits}, {@code layer3}, …). The trainer is given one array per reference, rows aligned
 * with the training data.
 */
public record TeacherOutput(int teacher, String output) {

    public TeacherOutput {
        if (teacher < 0 || output == null || output.isBlank()) {
            throw new IllegalArgumentException("a teacher output needs a teacher index ≥ 0 and an output name");
        }
    }

    /** Output {@code output} of the only teacher. */
    public static TeacherOutput of(String output) {
        return new TeacherOutput(0, output);
    }

    @Override
    public String toString() {
        return teacher == 0 ? output : "teacher " + teacher + "'s " + output;
    }
}
