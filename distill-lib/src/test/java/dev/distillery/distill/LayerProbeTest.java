package dev.distillery.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillery.data.LabeledData;
import dev.distillery.data.Splits;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.Network;
import dev.distillery.spec.SpecException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** The SUPERB-style probe: frozen upstream, weighted layers, linear head. */
class LayerProbeTest {

    /** {@code n} sequences of 10 frames of 8 values: noise, plus a pattern that depends on the class. */
    private static LabeledData data(int n, long seed, String name) {
        return sequences(n, seed, name, 10, 2.0);
    }

    /**
     * {@code n} sequences of 10 frames of 8 values, four classes: noise, plus {@code strength} on the
     * class's value in the first {@code signalFrames} frames.
     */
    static LabeledData sequences(int n, long seed, String name, int signalFrames, double strength) {
        Random r = new Random(seed);
        float[] x = new float[n * 80];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 4;
            for (int t = 0; t < 10; t++) {
                for (int j = 0; j < 8; j++) {
                    x[i * 80 + t * 8 + j] =
                            (float) (r.nextGaussian() + (t < signalFrames && j == labels[i] ? strength : 0.0));
                }
            }
        }
        return new LabeledData(name, Nd4j.create(x, new long[] {n, 80}, DataType.FLOAT), labels, 4, name + seed);
    }

    @Test
    void aProbeOnAFrozenTransformerFindsTheClassAndWeighsItsLayers() {
        Network upstream = Network.build(ModelSpec.parse("speech:2x16,heads=2,frame=8,length=10,outputs=4"), 1);
        var before = upstream.snapshot();
        Splits s = new Splits(data(400, 1, "train"), data(100, 2, "validation"), data(100, 3, "test"));
        LayerProbe.Result r = LayerProbe.fit(upstream, s, new LayerProbe.Options(15, 1e-2, 32, 1));
        assertEquals(List.of(Network.EMBEDDING, "layer0", "layer1"), r.layers());
        assertEquals(0.25, r.chance(), 1e-12);
        assertTrue(r.accuracy() > 0.9, "the class pattern is plain in the frames: " + r.accuracy());
        double sum = 0;
        for (double w : r.layerWeights()) {
            assertTrue(w > 0 && w < 1);
            sum += w;
        }
        assertEquals(1.0, sum, 1e-6, "the layer weights are a softmax");
        upstream.snapshot().forEach((k, v) -> assertEquals(before.get(k), v, k + " stays frozen"));
        LayerProbe.Result again = LayerProbe.fit(upstream, s, new LayerProbe.Options(15, 1e-2, 32, 1));
        assertEquals(r.accuracy(), again.accuracy(), "same seed, same probe");
    }

    @Test
    void aModelWithoutEqualHiddenStatesIsRefusedWithTheFix() {
        Network mlp = Network.build(ModelSpec.parse("mlp:32x16"), 1);
        SpecException e = assertThrows(SpecException.class, () -> LayerProbe.layers(mlp));
        assertTrue(e.getMessage().contains("probe a transformer"), e.getMessage());
    }
}
