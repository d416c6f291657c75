package dev.distillery.nn;

import dev.distillery.tensor.Var;
import java.util.Map;

/**
 * A {@code side × side} single-channel image {@code [B, side²]} cut into {@code patch × patch}
 * patches, each projected to {@code width} ({@code proj}), plus a learned position embedding.
 */
public final class PatchEmbedding extends Module implements SequenceEmbedding {

    private final int side;
    private final int patch;
    private final int width;
    private final Linear proj;
    private final Parameter positions;

    public PatchEmbedding(int side, int patch, int width, Activation activation) {
        if (side % patch != 0) {
            throw new IllegalArgumentException("patch " + patch + " does not tile a " + side + "×" + side + " image");
        }
        this.side = side;
        this.patch = patch;
        this.width = width;
        this.proj = child("proj", new Linear((long) patch * patch, width, activation));
        int n = side / patch;
        this.positions = parameter("positions", Init.normal(0.02), (long) n * n, width);
    }

    /** {@code [B, side²]} to {@code [B, patches, width]}. */
    @Override
    public Embedded forward(Forward f, Var image) {
        return new Embedded(project(f, image), null);
    }

    private Var project(Forward f, Var image) {
        long b = f.batch();
        int n = side / patch;
        Var pieces =
                image.reshape(b, n, patch, n, patch).permute(0, 1, 3, 2, 4).reshape(b * n * n, (long) patch * patch);
        return proj.forward(f, pieces).reshape(b, (long) n * n, width).add(f.value(positions));
    }

    @Override
    public int length() {
        return (side / patch) * (side / patch);
    }

    @Override
    public Map<String, Object> settings() {
        return ordered("side", side, "patch", patch, "width", width);
    }
}
