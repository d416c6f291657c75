package dev.distillery.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.distillery.backend.Backend;
import dev.distillery.tensor.Tape;
import java.util.IdentityHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A colour image is cut into patches that each hold all channels of the same pixels. */
class PatchEmbeddingTest {

    @Test
    void aPixelChangesOnlyThePatchItLiesIn() {
        Backend.start();
        // 3 channels of 8 × 12 pixels in 4 × 4 patches: 2 rows of 3 patches
        PatchEmbedding embed = new PatchEmbedding(3, 8, 12, 4, 5, Activation.of("relu"));
        assertEquals(6, embed.length());
        Nd4j.getRandom().setSeed(7);
        INDArray image = Nd4j.rand(DataType.FLOAT, 1, 3 * 8 * 12);
        INDArray changed = image.dup();
        // channel 2, row 5, column 9: patch row 1, patch column 2, so position 1 * 3 + 2 = 5
        changed.putScalar(0, 2 * 8 * 12 + 5 * 12 + 9, 10f);
        INDArray a = run(embed, image);
        INDArray b = run(embed, changed);
        assertArrayEquals(new long[] {1, 6, 5}, a.shape());
        for (int p = 0; p < 6; p++) {
            double diff = a.get(
                            org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                            org.nd4j.linalg.indexing.NDArrayIndex.point(p))
                    .sub(b.get(
                            org.nd4j.linalg.indexing.NDArrayIndex.point(0),
                            org.nd4j.linalg.indexing.NDArrayIndex.point(p)))
                    .norm1Number()
                    .doubleValue();
            assertEquals(p == 5, diff > 1e-6, "position " + p + " changed by " + diff);
        }
    }

    private static INDArray run(PatchEmbedding embed, INDArray image) {
        Tape tape = new Tape();
        Map<Parameter, dev.distillery.tensor.Var> values = new IdentityHashMap<>();
        Nd4j.getRandom().setSeed(3);
        embed.parameters().forEach((name, p) -> values.put(p, tape.constant(Nd4j.randn(DataType.FLOAT, p.shape()))));
        return embed.forward(new Forward(tape, values, image.rows(), null), tape.constant(image))
                .hidden()
                .value();
    }
}
