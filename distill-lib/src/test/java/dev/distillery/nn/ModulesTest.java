package dev.distillery.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillery.model.ModelSpec;
import dev.distillery.model.Network;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Models are compositions of modules whose structure, names and parameters can be read off. */
class ModulesTest {

    @Test
    void parametersAreNamedByTheirPathFromTheRoot() {
        assertEquals(
                List.of(
                        "layers.0.weight",
                        "layers.0.bias",
                        "layers.1.weight",
                        "layers.1.bias",
                        "head.weight",
                        "head.bias"),
                names("mlp:32x16"));
        assertEquals(
                List.of(
                        "convs.0.weight",
                        "convs.0.bias",
                        "convs.1.weight",
                        "convs.1.bias",
                        "layers.0.weight",
                        "layers.0.bias",
                        "head.weight",
                        "head.bias"),
                names("cnn:4x8,dense=16"));
        List<String> vit = names("vit:2x16,heads=2");
        assertEquals(
                List.of(
                        "embed.proj.weight",
                        "embed.proj.bias",
                        "embed.positions",
                        "blocks.0.norm1.weight",
                        "blocks.0.norm1.bias",
                        "blocks.0.attn.q.weight"),
                vit.subList(0, 6));
        assertTrue(vit.containsAll(
                List.of("blocks.1.ffn.up.weight", "blocks.1.ffn.down.bias", "norm.weight", "head.weight")));
        List<String> text = names("text:1x16,length=8,vocab=30");
        assertEquals(List.of("embed.tokens", "embed.positions"), text.subList(0, 2));
        assertEquals(
                List.of("heads.0.weight", "heads.0.bias", "heads.1.weight", "heads.1.bias", "heads.mix"),
                names("multihead:2,combine=learned:mlp:8").subList(2, 7));
    }

    @Test
    void postNormBlocksDeclareTheirNormsAfterTheBranchTheyFollow() {
        Map<String, Module> block = compose("vit:1x16,heads=2,norm=post")
                .children()
                .get("blocks")
                .children()
                .get("0")
                .children();
        assertEquals(List.of("attn", "norm1", "ffn", "norm2"), List.copyOf(block.keySet()));
        block = compose("vit:1x16,heads=2,dropout=0.1")
                .children()
                .get("blocks")
                .children()
                .get("0")
                .children();
        assertEquals(List.of("norm1", "attn", "attn_drop", "norm2", "ffn", "ffn_drop"), List.copyOf(block.keySet()));
    }

    @Test
    void everyFamilysModulesCountWhatTheSpecCounts() {
        for (String s : List.of(
                "mlp:32x16",
                "mlp:64,dropout=0.2,activation=tanh",
                "cnn:4x8,dense=16",
                "vit:2x16,heads=2",
                "vit:1x16,heads=2,norm=post,stride=2",
                "speech:2x16,heads=2,frame=40,length=20",
                "text:1x16,length=8,vocab=30",
                "multihead:3,combine=learned:vit:1x16,heads=2")) {
            ModelSpec spec = ModelSpec.parse(s);
            assertEquals(spec.parameterCount(), spec.compose().parameterCount(), s);
        }
    }

    @Test
    void structureIsReadableWithoutRunningAnything() {
        Model m = compose("vit:2x16,heads=2,ffn=2");
        Module attn = m.children().get("blocks").children().get("1").children().get("attn");
        assertInstanceOf(MultiHeadAttention.class, attn);
        assertEquals(Map.of("width", 16, "heads", 2), attn.settings());
        assertEquals("MultiHeadAttention(width=16, heads=2)", attn.toString());
        Parameter q = attn.children().get("q").ownParameters().get("weight");
        assertArrayEquals(new long[] {16, 16}, q.shape());
        assertEquals(Init.Kind.NORMAL, q.init().kind());
        assertEquals(Math.sqrt(2.0 / 16), q.init().std(), 1e-12, "He-scaled before GELU");
        assertEquals(
                Init.Kind.ONES,
                m.parameters().get("blocks.0.norm1.weight").init().kind());
        String tree = m.tree();
        assertTrue(tree.contains("embed: PatchEmbedding(image=1x28x28, patch=4, width=16)"), tree);
        assertTrue(tree.contains("ffn: FeedForward(activation=gelu)"), tree);
        assertTrue(tree.contains("weight: [16, 32] N(0,"), tree);
    }

    @Test
    void aNetworksDropoutSitesAreItsModelsInForwardOrder() {
        Network net = Network.build(ModelSpec.parse("mlp:32x16,dropout=0.3"), 0);
        assertEquals(
                List.of(32, 16), net.dropouts().stream().map(Dropout::width).toList());
        assertEquals(net.model().dropouts(), net.dropouts());
    }

    @Test
    void aModuleRefusesTwoPartsOfOneName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Module() {
            {
                child("norm", new LayerNorm(2));
                parameter("norm", Init.zeros(), 2);
            }
        });
        assertTrue(e.getMessage().contains("already has a part named 'norm'"), e.getMessage());
    }

    private static Model compose(String spec) {
        return ModelSpec.parse(spec).compose();
    }

    private static List<String> names(String spec) {
        return List.copyOf(compose(spec).parameters().keySet());
    }
}
