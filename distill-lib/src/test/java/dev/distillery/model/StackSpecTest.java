package dev.distillery.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillery.spec.SpecException;
import dev.distillery.spec.Specs;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A student composed from modules in code: its spec rebuilds it, counts its parameters, and names its outputs. */
class StackSpecTest {

    static StackSpec convolutional() {
        return Student.image(1, 28, 28)
                .conv(8)
                .relu()
                .maxPool(2)
                .conv(16, 5)
                .relu()
                .maxPool(2)
                .linear(64)
                .gelu()
                .layerNorm()
                .dropout(0.1)
                .classifier(10);
    }

    @Test
    void theCompactFormAndTheJsonRebuildTheSameStudent() throws Exception {
        StackSpec spec = convolutional();
        assertEquals(
                "stack:conv:8>relu>maxpool:2>conv:16k5>relu>maxpool:2>linear:64>gelu>layernorm>dropout:0.1,shape=1x28x28",
                spec.compact());
        assertEquals(spec.compact(), spec.toString(), "%distill {student} reads the compact form");
        assertEquals(spec, ModelSpec.parse(spec.compact()));
        String json = Specs.json().writeValueAsString(spec).replaceAll("\\s", "");
        assertTrue(json.contains("\"type\":\"stack\"") && json.contains("\"steps\":[\"conv:8\""), json);
        assertEquals(spec, Specs.json().readValue(json, ModelSpec.class));
        assertEquals(
                Student.input(30).linear(8).relu().classifier(3),
                ModelSpec.parse("stack:linear:8>relu,inputs=30,outputs=3"));
    }

    @Test
    void parametersCountedFromTheSpecAreTheModulesOwn() {
        StackSpec spec = convolutional();
        Network net = Network.build(spec, 1);
        long expected = (9 * 1 * 8 + 8) + (25 * 8 * 16 + 16) + (7 * 7 * 16 * 64 + 64) + 2 * 64 + (64 * 10 + 10);
        assertEquals(expected, spec.parameterCount());
        assertEquals(expected, net.parameterCount());
        String tree = net.model().tree();
        for (String part : List.of(
                "Conv2d(in=1, out=8, kernel=3)", "MaxPool2d(size=2)", "gelu", "LayerNorm(width=64)", "Dropout")) {
            assertTrue(tree.contains(part), part + " in\n" + tree);
        }
    }

    @Test
    void eachLayerAndTheFeaturesAreNamedOutputs() {
        Network net = Network.build(convolutional(), 1);
        INDArray x = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 5, 784);
        assertEquals(List.of("layer0", "layer1", "layer2", "features", "logits"), net.outputNames());
        assertEquals("[8, 14, 14]", Arrays.toString(net.outputShape("layer0")), "after its activation and pooling");
        assertEquals("[16, 7, 7]", Arrays.toString(net.outputShape("layer1")));
        assertEquals("[64]", Arrays.toString(net.outputShape("features")));
        Map<String, INDArray> out = net.outputs(x, List.of("logits"));
        assertEquals("[5, 10]", Arrays.toString(out.get("logits").shape()));
    }

    @Test
    void aMisplacedStepIsRefusedWhereItIsWritten() {
        assertMessage(
                () -> Student.input(784).linear(32).conv(8),
                "step 2 'conv:8': a convolution reads images, and this step gets 32 flat values; give the stack an "
                        + "image shape");
        assertMessage(() -> Student.image(1, 28, 28).layerNorm(), "step 1 'layernorm': layer norm reads flat values");
        assertMessage(
                () -> Student.image(1, 4, 4).maxPool(2).maxPool(4),
                "step 2 'maxpool:4': the images here are 2x2, smaller than the 4x4 window");
        assertMessage(() -> Student.input(10).dropout(1.5), "step 1 'dropout:1.5': the rate must lie in (0, 1)");
        assertMessage(
                () -> ModelSpec.parse("stack:linear:8>swish"), "step 2 'swish': unknown step; steps are linear:N");
        assertMessage(() -> ModelSpec.parse("stack:linear:x"), "step 1 'linear:x': give a positive whole number");
        assertMessage(() -> ModelSpec.parse("stack:linear:8,depth=3"), "unknown key 'depth'");
        assertMessage(() -> Budgets.scaled(Student.input(10).linear(8).classifier(2), 1000), "not resized to a budget");
    }

    private static void assertMessage(Runnable r, String expected) {
        SpecException e = assertThrows(SpecException.class, r::run);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
