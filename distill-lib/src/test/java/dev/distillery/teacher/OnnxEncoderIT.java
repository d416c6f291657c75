package dev.distillery.teacher;

import static org.junit.jupiter.api.Assertions.*;

import dev.distillery.spec.SpecException;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15.BgeSmallEnV15EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.bgesmallenv15q.BgeSmallEnV15QuantizedEmbeddingModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pretrained bge-small encoder from its Maven jar, against the jar's own embedding code. */
class OnnxEncoderIT {

    static final List<String> SENTENCES = List.of(
            "Call me Ishmael.",
            "The whale surfaced beside the ship, and the crew fell silent.",
            "Win a free prize now, click here!",
            "The State of the Union is strong.",
            "A huge whale swam up next to the boat.",
            "a");

    static OnnxEncoder bge;

    @BeforeAll
    static void load() {
        bge = OnnxEncoder.pretrained("bge-small-en-v1.5", 2);
    }

    @AfterAll
    static void close() {
        bge.close();
    }

    static double cosine(float[] a, float[] b) {
        double d = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            d += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return d / Math.sqrt(na * nb);
    }

    @Test
    void bgeSmallEmbeddingsMatchTheModelJarsOwnCodeInBatchesOrOneByOne() {
        BgeSmallEnV15EmbeddingModel reference = new BgeSmallEnV15EmbeddingModel();
        float[][] batched = bge.embed(SENTENCES, 3);
        for (int i = 0; i < SENTENCES.size(); i++) {
            float[] ref = reference.embed(SENTENCES.get(i)).content().vector();
            assertEquals(384, batched[i].length);
            double c = cosine(batched[i], ref);
            assertTrue(c > 0.9999, "'" + SENTENCES.get(i) + "': cosine " + c + " to the jar's own embedding");
            float[] alone = bge.embed(List.of(SENTENCES.get(i)), 1)[0];
            assertTrue(cosine(alone, batched[i]) > 0.99999, "padding in a batch changes nothing");
        }
        assertTrue(
                cosine(batched[1], batched[4]) > cosine(batched[1], batched[2]) + 0.1,
                "two whale sentences are nearer each other than either is to the spam: "
                        + cosine(batched[1], batched[4]) + " vs " + cosine(batched[1], batched[2]));
    }

    @Test
    void longSentencesAreTruncatedAndBadFilesAreNamed(@TempDir Path tmp) throws Exception {
        String longText = "whale ".repeat(2000);
        assertEquals(512, bge.tokens(longText).length, "2,000 words are cut to the model's 512 tokens");
        assertEquals(384, bge.embed(List.of(longText), 1)[0].length);

        Path junk = tmp.resolve("junk.onnx");
        Files.writeString(junk, "this is not an ONNX model");
        Path tok = tmp.resolve("tokenizer.json");
        Files.writeString(tok, "{}");
        SpecException e =
                assertThrows(SpecException.class, () -> OnnxEncoder.onnx(junk, tok, OnnxEncoder.Pooling.CLS, 128, 1));
        assertTrue(e.getMessage().contains("is not a model ONNX Runtime can load"), e.getMessage());
        e = assertThrows(
                SpecException.class,
                () -> OnnxEncoder.onnx(tmp.resolve("missing.onnx"), tok, OnnxEncoder.Pooling.CLS, 128, 1));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
        // a real ONNX model, but not a text encoder: y = Identity(x)
        Path identity = tmp.resolve("identity.onnx");
        Files.write(identity, identityModel());
        e = assertThrows(SpecException.class, () -> OnnxEncoder.onnx(identity, tok, OnnxEncoder.Pooling.CLS, 128, 1));
        assertTrue(
                e.getMessage().contains("is not a BERT-style encoder: it needs inputs input_ids and attention_mask")
                        && e.getMessage().contains("it has inputs [x], outputs [y]"),
                e.getMessage());
        e = assertThrows(SpecException.class, () -> OnnxEncoder.pretrained("gpt-5", 1));
        assertTrue(e.getMessage().contains("known:") && e.getMessage().contains("bge-small-en-v1.5"), e.getMessage());
    }

    @Test
    void theRewrittenGraphReturnsThirteenHiddenStatesTheLastEqualToLastHiddenState() {
        try (OnnxEncoder withStates = OnnxEncoder.pretrained("bge-small-en-v1.5", 2, true)) {
            assertEquals(
                    13,
                    withStates.hiddenStateNames().size(),
                    withStates.hiddenStateNames().toString());
            assertEquals("embedding", withStates.hiddenStateNames().get(0));
            assertEquals("layer11", withStates.hiddenStateNames().get(12));
            OnnxEncoder.Batch b = withStates.hiddenStates(SENTENCES.subList(0, 3));
            float[][][] last = b.outputs().get("last_hidden_state");
            float[][][] layer11 = b.outputs().get("layer11");
            assertEquals(3, last.length);
            double worst = 0;
            for (int i = 0; i < last.length; i++)
                for (int t = 0; t < last[i].length; t++)
                    for (int d = 0; d < last[i][t].length; d++)
                        worst = Math.max(worst, Math.abs(last[i][t][d] - layer11[i][t][d]));
            assertEquals(0.0, worst, 1e-6, "the last layer's output is last_hidden_state");
            float[][][] layer10 = b.outputs().get("layer10");
            assertNotEquals(layer10[0][1][0], layer11[0][1][0], "each layer is its own tensor");
            float[][][] emb = b.outputs().get("embedding");
            assertEquals(384, emb[0][0].length);
            assertNotEquals(emb[0][1][0], layer11[0][1][0], "the embedding is not the last layer");
            // the rewritten graph embeds exactly as the original does
            float[][] e = withStates.embed(SENTENCES, 8);
            float[][] plain = bge.embed(SENTENCES, 8);
            for (int i = 0; i < e.length; i++) assertTrue(cosine(e[i], plain[i]) > 0.999999);
        }
        assertThrows(IllegalStateException.class, () -> bge.hiddenStates(SENTENCES));
        SpecException e = assertThrows(SpecException.class, () -> OnnxGraph.nodeOutputs("not a model".getBytes()));
        assertTrue(e.getMessage().startsWith("not an ONNX model"), e.getMessage());
    }

    @Test
    void miniLmMeanPoolsMatchesItsJarPadsNothingAndHasSevenHiddenStates() {
        try (OnnxEncoder minilm = OnnxEncoder.pretrained("all-minilm-l6-v2", 2, true)) {
            AllMiniLmL6V2EmbeddingModel reference = new AllMiniLmL6V2EmbeddingModel();
            float[][] e = minilm.embed(SENTENCES, 4);
            for (int i = 0; i < SENTENCES.size(); i++) {
                double c =
                        cosine(e[i], reference.embed(SENTENCES.get(i)).content().vector());
                assertTrue(c > 0.9999, "'" + SENTENCES.get(i) + "': cosine " + c + " to the jar's own embedding");
            }
            assertEquals(3, minilm.tokens("a").length, "a one-word sentence is [CLS] a [SEP], not padded to 128");
            assertEquals(
                    256, minilm.tokens("whale ".repeat(1000)).length, "truncated at 256, not the tokenizer file's 128");
            assertEquals(
                    7,
                    minilm.hiddenStateNames().size(),
                    minilm.hiddenStateNames().toString());
            OnnxEncoder.Batch b = minilm.hiddenStates(SENTENCES.subList(0, 2));
            float[][][] last = b.outputs().get("last_hidden_state");
            float[][][] layer5 = b.outputs().get("layer5");
            for (int t = 0; t < last[1].length; t++) {
                assertArrayEquals(last[1][t], layer5[1][t], 1e-6f, "the last layer is last_hidden_state");
            }
        }
    }

    @Test
    void theInt8VariantsMatchTheirJarsStayCloseToFloatAndExposeTheSameLayers() {
        Map<String, EmbeddingModel> references = Map.of(
                "bge-small-en-v1.5-q",
                new BgeSmallEnV15QuantizedEmbeddingModel(),
                "all-minilm-l6-v2-q",
                new AllMiniLmL6V2QuantizedEmbeddingModel());
        Map<String, Integer> hiddenCounts = Map.of("bge-small-en-v1.5-q", 13, "all-minilm-l6-v2-q", 7);
        for (String name : references.keySet()) {
            String full = name.substring(0, name.length() - 2);
            try (OnnxEncoder q = OnnxEncoder.pretrained(name, 2);
                    OnnxEncoder f = OnnxEncoder.pretrained(full, 2);
                    OnnxEncoder states = OnnxEncoder.pretrained(name, 2, true)) {
                // dynamic int8 quantization scales activations per tensor, over the whole batch: one sentence at a
                // time is what the jar's code does, and batches of other sentences may shift the numbers slightly
                float[][] eq = q.embed(SENTENCES, 1);
                float[][] batched = q.embed(SENTENCES, 8);
                float[][] es = states.embed(SENTENCES, 1);
                for (int i = 0; i < SENTENCES.size(); i++) {
                    double cb = cosine(eq[i], batched[i]);
                    assertTrue(
                            cb > 0.98,
                            name + ": in a batch of 6 the int8 embedding stays near its embedding alone: " + cb);
                    assertTrue(cosine(eq[i], es[i]) > 0.999999, "the rewritten graph embeds as the original");
                }
                float[][] ef = f.embed(SENTENCES, 8);
                for (int i = 0; i < SENTENCES.size(); i++) {
                    double c = cosine(
                            eq[i],
                            references
                                    .get(name)
                                    .embed(SENTENCES.get(i))
                                    .content()
                                    .vector());
                    assertTrue(
                            c > 0.9999,
                            name + " '" + SENTENCES.get(i) + "': cosine " + c + " to the jar's own embedding");
                    double cf = cosine(eq[i], ef[i]);
                    assertTrue(
                            cf > 0.9 && cf < 0.999999, name + ": int8 is close to, not equal to, " + full + ": " + cf);
                }
                assertEquals(
                        hiddenCounts.get(name),
                        states.hiddenStateNames().size(),
                        name + " " + states.hiddenStateNames());
            }
        }
    }

    /** The smallest valid ONNX model, written field by field: opset 13, one Identity node from float x[1] to y. */
    static byte[] identityModel() {
        byte[] floatTensor = msg(field(1, varint(1)), field(2, bytes(field(1, bytes(field(1, varint(1)))))));
        byte[] typeX = field(1, bytes(floatTensor));
        byte[] node = msg(str(1, "x"), str(2, "y"), str(4, "Identity"));
        byte[] graph = msg(
                field(1, bytes(node)),
                str(2, "g"),
                field(11, bytes(msg(str(1, "x"), field(2, bytes(typeX))))),
                field(12, bytes(msg(str(1, "y"), field(2, bytes(typeX))))));
        byte[] opset = msg(str(1, ""), field(2, varint(13)));
        return msg(field(1, varint(8)), field(7, bytes(graph)), field(8, bytes(opset)));
    }

    /** A field: its key (number, wire type from the value's first byte marker) followed by the value. */
    private static byte[] field(int number, byte[] value) {
        int wire = value[0];
        byte[] v = java.util.Arrays.copyOfRange(value, 1, value.length);
        return msg(raw(number << 3 | wire), v);
    }

    private static byte[] str(int number, String s) {
        return field(number, bytes(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** A varint value, marked as wire type 0. */
    private static byte[] varint(long v) {
        return msg(new byte[] {0}, raw(v));
    }

    /** A length-delimited value, marked as wire type 2. */
    private static byte[] bytes(byte[] b) {
        return msg(new byte[] {2}, raw(b.length), b);
    }

    private static byte[] raw(long v) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
        return out.toByteArray();
    }

    private static byte[] msg(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }
}
