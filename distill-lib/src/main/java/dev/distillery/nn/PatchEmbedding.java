package dev.distillery.nn;

import dev.distillery.tensor.Var;
import java.util.Map;

/**
 * Images of {@code channels} planes of {@code height × width} pixels, {@code [B, C·H·W]} laid out
 * channel by channel, cut into {@code patch × patch} patches; each patch (all its channels) is
 * projected to {@code dim} ({@code proj}), plus a learned position embedding.
 */
public final class PatchEmbedding extends Module implements SequenceEmbedding {

    private final int channels;
    private final int height;
    private final int width;
    private final int patch;
    private final int dim;
    private final Linear proj;
    private final Parameter positions;

    public PatchEmbedding(int channels, int height, int width, int patch, int dim, Activation activation) {
        if (height % patch != 0 || width % patch != 0) {
            throw new IllegalArgumentException(
                    "patch " + patch + " does not tile a " + height + "×" + width + " image");
        }
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.patch = patch;
        this.dim = dim;
        this.proj = child("proj", new Linear((long) channels * patch * patch, dim, activation));
        this.positions = parameter("positions", Init.normal(0.02), length(), dim);
    }

    /** {@code [B, C·H·W]} to {@code [B, patches, dim]}. */
    @Override
    public Embedded forward(Forward f, Var image) {
        return new Embedded(project(f, image), null);
    }

    private Var project(Forward f, Var image) {
        long b = f.batch();
        int rows = height / patch;
        int cols = width / patch;
        // [B, C, rows, p, cols, p] -> [B, rows, cols, C, p, p]: one patch's pixels together, channel by channel
        Var pieces = image.reshape(b, channels, rows, patch, cols, patch)
                .permute(0, 2, 4, 1, 3, 5)
                .reshape(b * rows * cols, (long) channels * patch * patch);
        return proj.forward(f, pieces).reshape(b, length(), dim).add(f.value(positions));
    }

    @Override
    public Embedded.Onnx exportOnnx(OnnxWriter w, String image) {
        int rows = height / patch;
        int cols = width / patch;
        String x = w.node("Reshape", image, w.ints(-1, channels, rows, patch, cols, patch));
        x = w.node("Transpose", java.util.List.of(x), Map.of("perm", new long[] {0, 2, 4, 1, 3, 5}));
        x = w.node("Reshape", x, w.ints(-1, length(), (long) channels * patch * patch));
        return Embedded.Onnx.of(w.node("Add", proj.exportOnnx(w, x), w.parameter(positions)));
    }

    @Override
    public int length() {
        return (height / patch) * (width / patch);
    }

    @Override
    public Map<String, Object> settings() {
        return ordered("image", channels + "x" + height + "x" + width, "patch", patch, "width", dim);
    }
}
