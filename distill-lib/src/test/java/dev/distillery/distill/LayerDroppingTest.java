package dev.distillery.distill;

import static org.junit.jupiter.api.Assertions.*;

import dev.distillery.backend.Backend;
import dev.distillery.model.Network;
import dev.distillery.model.TransformerSpec;
import dev.distillery.spec.SpecException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LayerDroppingTest {

    @Test
    void copiedLayersReproduceTheTeachersLayerOutputs() {
        Backend.start(1);
        Network teacher = Network.build(TransformerSpec.of(4, 32, 4), 3);
        INDArray x = Nd4j.rand(DataType.FLOAT, 5, 784);
        Map<String, INDArray> t = teacher.run(
                x, java.util.List.of(Network.EMBEDDING, Network.layer(0), Network.layer(1), Network.layer(2)));

        // bottom layers: the student's layer i is the teacher's layer i, output for output
        Network bottom = LayerDropping.keep(teacher, LayerDropping.bottom(2));
        assertEquals(2, ((TransformerSpec) bottom.spec()).depth());
        Map<String, INDArray> s =
                bottom.run(x, java.util.List.of(Network.EMBEDDING, Network.layer(0), Network.layer(1)));
        assertEquals(t.get(Network.EMBEDDING), s.get(Network.EMBEDDING));
        assertEquals(t.get(Network.layer(0)), s.get(Network.layer(0)));
        assertEquals(t.get(Network.layer(1)), s.get(Network.layer(1)));

        // skipping layers: the student's layer i carries the weights of the i-th kept teacher layer
        Network skip = LayerDropping.keep(teacher, List.of(1, 3));
        for (String p : List.of("attn.q.weight", "attn.k.bias", "ffn.up.weight", "norm2.weight")) {
            org.junit.jupiter.api.Assertions.assertNotNull(skip.parameters().get("blocks.1." + p), p);
            assertEquals(
                    teacher.parameters().get("blocks.3." + p), skip.parameters().get("blocks.1." + p), p);
            assertEquals(
                    teacher.parameters().get("blocks.1." + p), skip.parameters().get("blocks.0." + p), p);
        }
        assertEquals(teacher.parameters().get("head.weight"), skip.parameters().get("head.weight"));
        assertEquals(List.of(0, 2), LayerDropping.alternate(4));
        assertEquals(List.of(2, 3), LayerDropping.top(2, 4));
        assertTrue(bottom.parameterCount() < teacher.parameterCount());
    }

    @Test
    void badRequestsSayWhatIsWrong() {
        Backend.start(1);
        Network teacher = Network.build(TransformerSpec.of(2, 16, 2), 0);
        assertTrue(assertThrows(SpecException.class, () -> LayerDropping.keep(teacher, List.of(0, 5)))
                .getMessage()
                .contains("has 2 layers (0-1); layer dropping asks for layer 5"));
        assertTrue(assertThrows(SpecException.class, () -> LayerDropping.keep(teacher, List.of(1, 0)))
                .getMessage()
                .contains("must increase"));
        Network mlp = Network.build(dev.distillery.model.MlpSpec.of(32), 0);
        assertTrue(assertThrows(SpecException.class, () -> LayerDropping.keep(mlp, List.of(0)))
                .getMessage()
                .contains("needs a transformer teacher"));
    }
}
