package dev.distillery.model;

import dev.distillery.backend.Backend;
import dev.distillery.data.LabeledData;
import dev.distillery.provenance.ModelFile;
import dev.distillery.provenance.Provenance;
import dev.distillery.train.Checkpoint;
import dev.distillery.train.CrossEntropy;
import dev.distillery.train.Trainer;
import dev.distillery.train.TrainingOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Model files and a checkpoint written by the code as it was before models became modules (one
 * file per family, tiny), with the logits they gave, so that later code can be held to loading them.
 * {@link #main} wrote the files under {@code src/test/resources/dev/distillery/model/legacy/} once,
 * at the commit that added them; it is kept to show how, not to be run again.
 */
final class LegacyFiles {

    /** Every family, small: the specs of the model files. */
    static final Map<String, String> SPECS = new LinkedHashMap<>();

    static {
        SPECS.put("mlp", "mlp:8x6");
        SPECS.put("mlp-dropout", "mlp:8,dropout=0.2");
        SPECS.put("cnn", "cnn:2x3,dense=5,kernel=3");
        SPECS.put("vit", "vit:1x8,heads=2,patch=7,ffn=2");
        SPECS.put("vit-postnorm", "vit:2x8,heads=2,patch=14,ffn=2,norm=post");
        SPECS.put("speech", "speech:2x8,heads=2,frame=4,length=6,stride=2,norm=post");
        SPECS.put("text", "text:2x8,heads=2,length=6,vocab=11");
        SPECS.put("multihead", "multihead:2,combine=learned:mlp:5");
        SPECS.put("multihead-vit", "multihead:3,combine=weighted,weights=0.5/0.3/0.2:vit:1x8,heads=2,patch=7");
    }

    /** The checkpoint's model: trained one epoch, then resumed for a second. */
    static final String CHECKPOINT_SPEC = "mlp:16";

    private LegacyFiles() {}

    /** Three seeded examples for {@code spec}: token ids for text models, Gaussian values otherwise. */
    static INDArray inputs(ModelSpec spec) {
        Random r = new Random(11);
        int n = spec.inputs();
        float[][] x = new float[3][n];
        boolean tokens = spec instanceof TransformerSpec t && t.input().equals(TransformerSpec.TOKENS);
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < n; j++) {
                x[i][j] = tokens
                        ? (j < n - i ? 1 + r.nextInt(((TransformerSpec) spec).vocab() - 1) : 0)
                        : (float) r.nextGaussian();
            }
        }
        return Nd4j.createFromArray(x);
    }

    /** 256 seeded examples of 784 values in 10 classes, split 192 / 64, for the checkpoint's run. */
    static LabeledData[] checkpointData() {
        Random r = new Random(12);
        float[][] x = new float[256][784];
        int[] y = new int[256];
        for (int i = 0; i < 256; i++) {
            y[i] = i % 10;
            for (int j = 0; j < 784; j++) {
                x[i][j] = (float) (r.nextGaussian() + (j % 10 == y[i] ? 1.0 : 0.0));
            }
        }
        LabeledData all = new LabeledData("legacy-synthetic", Nd4j.createFromArray(x), y, 10, "legacy-synthetic");
        return new LabeledData[] {
            all.rows(java.util.stream.IntStream.range(0, 192).toArray(), "train"),
            all.rows(java.util.stream.IntStream.range(192, 256).toArray(), "validation")
        };
    }

    static TrainingOptions checkpointOptions(int epochs, Path dir, boolean resume) {
        return TrainingOptions.defaults()
                .epochs(epochs)
                .batchSize(32)
                .seed(3)
                .checkpointDir(dir)
                .resume(resume);
    }

    public static void main(String[] args) throws IOException {
        Backend.start(1);
        Path out = Path.of(args[0]);
        Files.createDirectories(out);
        StringBuilder logits = new StringBuilder();
        for (Map.Entry<String, String> e : SPECS.entrySet()) {
            Network net = Network.build(ModelSpec.parse(e.getValue()), 7);
            ModelFile.save(
                    net,
                    Provenance.of(e.getKey(), "student", 7, "none", "none", "none", null, 0, Map.of()),
                    out.resolve(e.getKey() + ".dtm"));
            logits.append(e.getKey())
                    .append(' ')
                    .append(values(net.forward(inputs(net.spec()))))
                    .append('\n');
        }
        LabeledData[] data = checkpointData();
        Path first = Files.createTempDirectory("legacy-checkpoint");
        new Trainer(
                        Network.build(ModelSpec.parse(CHECKPOINT_SPEC), 5),
                        new CrossEntropy(),
                        checkpointOptions(1, first, false))
                .fit(data[0], null, data[1], null);
        Files.copy(first.resolve(Checkpoint.FILE), out.resolve("checkpoint-epoch1.zip"));
        Network after1 = Network.build(ModelSpec.parse(CHECKPOINT_SPEC), 0);
        after1.setParameters(Checkpoint.read(first.resolve(Checkpoint.FILE)).params());
        logits.append("checkpoint-epoch1 ")
                .append(values(after1.forward(inputs(after1.spec()))))
                .append('\n');
        Network resumed = Network.build(ModelSpec.parse(CHECKPOINT_SPEC), 5);
        new Trainer(resumed, new CrossEntropy(), checkpointOptions(2, first, true)).fit(data[0], null, data[1], null);
        logits.append("resumed-epoch2 ")
                .append(values(resumed.forward(inputs(resumed.spec()))))
                .append('\n');
        Files.writeString(out.resolve("logits.txt"), logits.toString());
    }

    /** Every value of {@code a}, c order, as exact float bit patterns in hex: nothing lost in text. */
    static String values(INDArray a) {
        StringBuilder s = new StringBuilder();
        for (float f : a.dup('c').data().asFloat()) {
            s.append(s.length() == 0 ? "" : ",").append(Integer.toHexString(Float.floatToRawIntBits(f)));
        }
        return s.toString();
    }

    /** The logits {@link #main} recorded, by name. */
    static Map<String, float[]> recorded() throws IOException {
        Map<String, float[]> m = new LinkedHashMap<>();
        try (var in = LegacyFiles.class.getResourceAsStream("legacy/logits.txt")) {
            for (String line : new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                String[] p = line.split(" ");
                String[] hex = p[1].split(",");
                float[] f = new float[hex.length];
                for (int i = 0; i < hex.length; i++) {
                    f[i] = Float.intBitsToFloat(Integer.parseUnsignedInt(hex[i], 16));
                }
                m.put(p[0], f);
            }
        }
        return m;
    }

    static Path resource(String name) {
        try {
            return Path.of(LegacyFiles.class.getResource("legacy/" + name).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
