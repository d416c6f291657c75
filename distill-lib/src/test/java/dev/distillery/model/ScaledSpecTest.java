package dev.distillery.model;

import static org.junit.jupiter.api.Assertions.*;

import dev.distillery.spec.SpecException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Budgets#scaled}: one spec resized to a parameter count, family, depth and settings kept. */
class ScaledSpecTest {

    private static void assertWithin(double fraction, long target, ModelSpec s) {
        long p = s.parameterCount();
        assertTrue(
                Math.abs(p - target) <= fraction * target,
                s.describe() + " has " + p + " parameters, not within " + (100 * fraction) + "% of " + target);
    }

    @Test
    void oneHiddenLayerMlpLandsWithinOnePercentAndBuildsToTheSameCount() {
        ModelSpec spec = ModelSpec.parse("mlp:64");
        ModelSpec scaled = Budgets.scaled(spec, 131_000);
        MlpSpec m = assertInstanceOf(MlpSpec.class, scaled);
        assertEquals(1, m.hidden().size(), m.describe());
        assertEquals(784, m.inputs());
        assertEquals(10, m.outputs());
        assertWithin(0.01, 131_000, scaled);
        assertEquals(scaled.parameterCount(), Network.build(scaled, 1).parameterCount());
    }

    @Test
    void twoHiddenLayersKeepTheirRatio() {
        ModelSpec scaled = Budgets.scaled(ModelSpec.parse("mlp:128x64,dropout=0.2,activation=tanh"), 40_000);
        MlpSpec m = assertInstanceOf(MlpSpec.class, scaled);
        assertEquals(2, m.hidden().size(), m.describe());
        int a = m.hidden().get(0);
        int b = m.hidden().get(1);
        assertTrue(Math.abs(a - 2 * b) <= 3, "128:64 is 2:1, got " + m.describe());
        assertWithin(0.02, 40_000, scaled);
        assertEquals(0.2, m.dropout());
        assertEquals("tanh", m.activation());
    }

    @Test
    void cnnKeepsItsConvolutionsAndDenseLayers() {
        CnnSpec spec = (CnnSpec) ModelSpec.parse("cnn:32x64,dense=128,kernel=5");
        ModelSpec scaled = Budgets.scaled(ModelSpec.parse("cnn:32x64,dense=128"), 100_000);
        CnnSpec c = assertInstanceOf(CnnSpec.class, scaled);
        assertEquals(2, c.channels().size(), c.describe());
        assertEquals(1, c.dense().size(), c.describe());
        assertTrue(c.channels().get(0) < c.channels().get(1), c.describe());
        assertWithin(0.05, 100_000, scaled);

        CnnSpec k5 = (CnnSpec) Budgets.scaled(spec, 100_000);
        assertEquals(5, k5.kernel());
        assertEquals(spec.pool(), k5.pool());
        assertWithin(0.05, 100_000, k5);
    }

    @Test
    void vitKeepsDepthAndHeadsWithAWidthThatIsAMultipleOfTheHeads() {
        TransformerSpec spec = (TransformerSpec) ModelSpec.parse("vit:2x32,heads=2,patch=7");
        ModelSpec scaled = Budgets.scaled(spec, 60_000);
        TransformerSpec t = assertInstanceOf(TransformerSpec.class, scaled);
        assertEquals(2, t.depth());
        assertEquals(2, t.heads());
        assertEquals(0, t.width() % 2, t.describe());
        assertEquals(spec.patch(), t.patch());
        assertEquals(spec.ffnRatio(), t.ffnRatio());
        assertEquals(spec.preNorm(), t.preNorm());
        assertEquals(spec.input(), t.input());
        assertWithin(0.05, 60_000, scaled);
        assertEquals(scaled.parameterCount(), Network.build(scaled, 1).parameterCount());
    }

    @Test
    void speechFrontEndKeepsFrameAndStride() {
        TransformerSpec spec =
                (TransformerSpec) ModelSpec.parse("speech:2x32,heads=4,frame=8,length=16,stride=2,norm=post");
        TransformerSpec t = (TransformerSpec) Budgets.scaled(spec, 3 * spec.parameterCount());
        assertEquals(TransformerSpec.FRAMES, t.input());
        assertEquals(8, t.frame());
        assertEquals(2, t.stride());
        assertEquals(false, t.preNorm());
        assertEquals(spec.inputs(), t.inputs());
        assertEquals(0, t.width() % 4, t.describe());
        assertTrue(t.width() > spec.width(), t.describe());
        assertWithin(0.05, 3 * spec.parameterCount(), t);
    }

    @Test
    void scalingToItsOwnSizeReturnsAnEqualSpec() {
        for (ModelSpec s : List.of(
                ModelSpec.parse("mlp:64"),
                ModelSpec.parse("mlp:128x64"),
                ModelSpec.parse("cnn:32x64,dense=128"),
                ModelSpec.parse("vit:2x32,heads=2,patch=7"),
                ModelSpec.parse("vit:3x48,heads=6,ffn=2,patch=7,norm=post"))) {
            assertEquals(s, Budgets.scaled(s, s.parameterCount()), s.describe());
        }
    }

    @Test
    void aTargetOutOfReachReturnsTheNearestSpecInsteadOfFailing() {
        ModelSpec tiny = Budgets.scaled(ModelSpec.parse("mlp:64"), 10);
        assertEquals(List.of(1), ((MlpSpec) tiny).hidden(), "the smallest one-layer mlp");
        TransformerSpec t = (TransformerSpec) Budgets.scaled(ModelSpec.parse("vit:2x32,heads=2,patch=7"), 10);
        assertEquals(2, t.width(), "the smallest width for 2 heads");
    }

    @Test
    void anMlpWithoutHiddenLayersOrANonPositiveTargetIsRefused() {
        MlpSpec flat = new MlpSpec(null, List.of(), null, null, null);
        SpecException e = assertThrows(SpecException.class, () -> Budgets.scaled(flat, 10_000));
        assertTrue(e.getMessage().contains("cannot be resized: it has no hidden layers"), e.getMessage());
        assertTrue(e.getMessage().contains(flat.describe()), e.getMessage());

        SpecException zero = assertThrows(SpecException.class, () -> Budgets.scaled(ModelSpec.parse("mlp:64"), 0));
        assertTrue(zero.getMessage().contains("positive") && zero.getMessage().contains("0"), zero.getMessage());
        SpecException negative = assertThrows(SpecException.class, () -> Budgets.scaled(ModelSpec.parse("mlp:64"), -5));
        assertTrue(negative.getMessage().contains("-5"), negative.getMessage());
    }
}
