package dev.distillery.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.distillery.backend.Backend;
import dev.distillery.data.FashionMnist;
import dev.distillery.data.LabeledData;
import dev.distillery.spec.SpecException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A network exported to ONNX runs in ONNX Runtime to the logits of Distillery's own forward pass,
 * on real test images, with any batch size.
 */
public class OnnxExportTest {

    static LabeledData test;

    @TempDir
    Path tmp;

    @BeforeAll
    static void data() {
        Backend.start();
        test = FashionMnist.load(FashionMnist.Part.TEST, null).sample(300, 1);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "mlp:64x32",
                "mlp:32,activation=gelu",
                "mlp:16,activation=tanh,dropout=0.2",
                "cnn:8x16,dense=32",
                "cnn:4,dense=8,activation=sigmoid",
                "cnn:6x8,shape=3x12x20,dense=16,outputs=5",
                "vit:2x32,heads=4,patch=7",
                "vit:1x16,heads=2,shape=3x12x20,patch=4,outputs=5",
                "vit:2x16,heads=2,patch=7,norm=post,activation=relu",
                "speech:2x32,heads=4,ffn=2,frame=40,length=98,stride=2,outputs=20",
                "speech:1x16,heads=2,frame=40,length=98,stride=3,outputs=20",
                "text:2x32,heads=4,length=16,vocab=50,outputs=3",
                "multihead:3:mlp:16",
                "multihead:3,combine=weighted,weights=0.5/0.3/0.2:mlp:16",
                "multihead:2,combine=learned:cnn:4,dense=8",
                "multihead:3,combine=learned:vit:1x16,heads=2,patch=7",
                "stack:conv:4>relu>maxpool:2>conv:6k5>gelu>maxpool:2>linear:16>tanh>layernorm>dropout:0.2,shape=1x28x28",
                "stack:linear:24>sigmoid>dropout:0.1>linear:12,inputs=30,outputs=4",
                "stack:conv:3>maxpool:3,shape=3x12x20,outputs=5",
                "multihead:2:stack:linear:16>gelu"
            })
    void exportedLogitsMatchTheNetworksOwn(String spec) throws Exception {
        Network net = Network.build(ModelSpec.parse(spec), 7);
        if (net.parameters().containsKey("heads.mix")) {
            // learned mixing scores start equal; make them differ, so each head's share is tested
            net.parameters()
                    .get("heads.mix")
                    .assign(Nd4j.create(new float[] {0.5f, -1f, 2f}, new long[] {1, 3})
                            .get(
                                    org.nd4j.linalg.indexing.NDArrayIndex.all(),
                                    org.nd4j.linalg.indexing.NDArrayIndex.interval(
                                            0, net.parameters().get("heads.mix").columns())));
        }
        INDArray x = net.spec() instanceof TransformerSpec t && t.input().equals(TransformerSpec.TOKENS)
                ? tokens(200, t.inputs(), t.vocab())
                : net.spec().inputs() == 784
                        ? test.features()
                        : random(200, net.spec().inputs());
        Path file = tmp.resolve("model.onnx");
        net.exportOnnx(file, "features");
        INDArray want = net.logits(x);
        Map<String, INDArray> got = run(file, x, List.of("logits", "features"));
        double diff = Math.abs(want.sub(got.get("logits")).maxNumber().doubleValue());
        diff = Math.max(diff, Math.abs(want.sub(got.get("logits")).minNumber().doubleValue()));
        System.out.printf("%s: max |logit difference| %.2e over %d examples%n", spec, diff, x.rows());
        assertTrue(diff <= 1e-4, spec + ": max |difference| " + diff);
        INDArray features = net.outputs(x, List.of("features")).get("features");
        assertEquals(0, features.sub(got.get("features")).norm1Number().doubleValue() / features.length(), 1e-5);
        // one example at a time: the batch dimension is free
        Map<String, INDArray> one = run(file, x.getRows(0), List.of("logits"));
        assertEquals(
                0,
                Math.abs(want.getRow(0)
                        .sub(one.get("logits").reshape(-1))
                        .maxNumber()
                        .doubleValue()),
                1e-4);
    }

    @org.junit.jupiter.api.Test
    void anOutputTheNetworkDoesNotMakeIsRefused() {
        Network net = Network.build(ModelSpec.parse("mlp:8"), 1);
        String msg = assertThrows(SpecException.class, () -> net.exportOnnx(tmp.resolve("m.onnx"), "nothing"))
                .getMessage();
        assertTrue(msg.contains("output 'nothing' is not one") && msg.contains("layer0, features, logits"), msg);
    }

    public static Map<String, INDArray> run(Path file, INDArray x, List<String> outputs) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(file.toString(), new OrtSession.SessionOptions());
                OnnxTensor in = OnnxTensor.createTensor(
                        env, FloatBuffer.wrap(x.dup('c').data().asFloat()), x.shape());
                OrtSession.Result r = s.run(Map.of("input", in), new java.util.LinkedHashSet<>(outputs))) {
            Map<String, INDArray> out = new java.util.LinkedHashMap<>();
            for (String o : outputs) {
                OnnxTensor t = (OnnxTensor) r.get(o).orElseThrow();
                float[] v = new float[(int) t.getInfo().getNumElements()];
                t.getFloatBuffer().get(v);
                out.put(o, Nd4j.create(v, t.getInfo().getShape(), 'c'));
            }
            return out;
        }
    }

    /** Token ids 1..vocab-1, each row padded with 0 after a random length (at least one real token). */
    private static INDArray tokens(int n, int length, int vocab) {
        java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
        float[] ids = new float[n * length];
        for (int i = 0; i < n; i++) {
            int real = 1 + rng.nextInt(length);
            for (int j = 0; j < real; j++) {
                ids[i * length + j] = 1 + rng.nextInt(vocab - 1);
            }
        }
        return Nd4j.create(ids, new long[] {n, length}, DataType.FLOAT);
    }

    private static INDArray random(int n, int d) {
        Nd4j.getRandom().setSeed(3);
        return Nd4j.rand(DataType.FLOAT, n, d);
    }
}
