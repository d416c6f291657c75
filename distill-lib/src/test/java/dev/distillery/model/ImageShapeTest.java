package dev.distillery.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillery.backend.Backend;
import dev.distillery.spec.SpecException;
import dev.distillery.spec.Specs;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** CNN and ViT students read images of any channel count and size, and count their parameters exactly. */
class ImageShapeTest {

    @Test
    void aColourCnnCountsItsParametersByHandAndRuns() {
        ModelSpec s = ModelSpec.parse("cnn:8x16,shape=3x32x32,outputs=5");
        assertEquals(3072, s.inputs());
        // conv 3→8 and 8→16 (3×3), two poolings to 8×8, dense 128, head 5
        long byHand = (27 * 8 + 8) + (72 * 16 + 16) + (16 * 8 * 8 * 128 + 128) + (128 * 5 + 5);
        assertEquals(byHand, s.parameterCount());
        Network net = Network.build(s, 1);
        assertEquals(byHand, net.parameterCount());
        assertArrayEquals(new long[] {4, 5}, net.logits(rows(4, 3072)).shape());
    }

    @Test
    void aRectangularGreyCnnPoolsEachSideOnItsOwn() {
        ModelSpec s = ModelSpec.parse("cnn:4,shape=1x12x20,dense=8,outputs=3");
        // one pooling: 6 × 10
        assertEquals((9 * 4 + 4) + (4 * 6 * 10 * 8 + 8) + (8 * 3 + 3), s.parameterCount());
        Network net = Network.build(s, 1);
        assertEquals(s.parameterCount(), net.parameterCount());
        assertArrayEquals(new long[] {2, 3}, net.logits(rows(2, 240)).shape());
    }

    @Test
    void aColourVitCutsPatchesAcrossChannels() {
        TransformerSpec s = (TransformerSpec) ModelSpec.parse("vit:2x32,shape=3x32x32,patch=4,outputs=7");
        assertEquals(64, s.length());
        assertEquals(48, s.patchSize());
        Network net = Network.build(s, 1);
        assertEquals(s.parameterCount(), net.parameterCount());
        assertArrayEquals(new long[] {3, 7}, net.logits(rows(3, 3072)).shape());
        TransformerSpec wide = (TransformerSpec) ModelSpec.parse("vit:1x16,heads=2,shape=3x16x24,patch=8");
        assertEquals(6, wide.length());
        assertEquals(wide.parameterCount(), Network.build(wide, 1).parameterCount());
    }

    @Test
    void theShapeTravelsThroughCompactFormAndJson() {
        for (String text : new String[] {"cnn:8x16,shape=3x32x32,outputs=5", "vit:2x32,shape=3x32x32,outputs=7"}) {
            ModelSpec s = ModelSpec.parse(text);
            assertEquals(s, ModelSpec.parse(s.compact()), s.compact());
            String json = Specs.toJson(s);
            assertTrue(json.replace(" ", "").contains("\"shape\":\"3x32x32\""), json);
            assertEquals(s, Specs.parse(json, ModelSpec.class, "test"));
            assertTrue(s.describe().endsWith("on 3x32x32"), s.describe());
        }
    }

    @Test
    void aSquareGreyShapeIsTheSpecWithoutOne() {
        ModelSpec plain = ModelSpec.parse("cnn:8");
        ModelSpec shaped = ModelSpec.parse("cnn:8,shape=1x28x28");
        assertEquals(plain, shaped);
        assertFalse(Specs.toJson(shaped).contains("shape"), Specs.toJson(shaped));
        assertEquals(ModelSpec.parse("vit:1x16,heads=2"), ModelSpec.parse("vit:1x16,heads=2,shape=28x28"));
    }

    @Test
    void shapesThatCannotWorkAreRefusedWithTheFix() {
        assertTrue(msg("cnn:8,inputs=784,shape=3x32x32").contains("disagrees with shape 3x32x32"));
        assertTrue(msg("mlp:8,shape=3x32x32").contains("image key of cnn and vit"));
        assertTrue(msg("vit:1x16,shape=3x30x32,patch=4").contains("pick a patch size that divides both sides"));
        assertTrue(msg("cnn:8,shape=0x32x32").contains("positive"));
        assertTrue(msg("cnn:8,shape=3xtwo").contains("not a whole number"));
        assertTrue(msg("cnn:8,inputs=3072").contains("shape=3x32x32"));
        assertTrue(msg("cnn:8x8x8x8x8x8,shape=3x32x16").contains("shrink a 32x16 image to nothing"));
    }

    private static String msg(String spec) {
        return assertThrows(SpecException.class, () -> ModelSpec.parse(spec)).getMessage();
    }

    private static org.nd4j.linalg.api.ndarray.INDArray rows(int n, int d) {
        Backend.start();
        Nd4j.getRandom().setSeed(1);
        return Nd4j.rand(DataType.FLOAT, n, d);
    }
}
