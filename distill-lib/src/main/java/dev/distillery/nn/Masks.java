package dev.distillery.nn;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Dropout masks for one training step: each site's {@code [B, width]} of 0 and 1/(1−rate). */
@FunctionalInterface
public interface Masks {

    INDArray mask(Dropout site, int batch);

    /** Masks drawn from {@code rng}, site by site in forward order. */
    static Masks from(SplittableRandom rng) {
        return (d, batch) -> {
            float keep = (float) (1 - d.rate());
            float scale = 1f / keep;
            float[] mk = new float[batch * d.width()];
            for (int i = 0; i < mk.length; i++) {
                mk[i] = rng.nextDouble() < keep ? scale : 0f;
            }
            return Nd4j.create(mk, new long[] {batch, d.width()}, DataType.FLOAT);
        };
    }
}
