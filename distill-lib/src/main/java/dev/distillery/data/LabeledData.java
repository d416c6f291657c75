package dev.distillery.data;

import dev.distillery.backend.Rows;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Examples with class labels: features {@code [N, D]} (float), integer labels, and a fingerprint
 * that identifies exactly these rows (source file checksums plus the selection), used as the key
 * of caches and recorded in every run.
 *
 * <p>A label mask marks which labels training may use: the rest of the examples are still
 * there for a teacher's soft targets ("the student sees 1,000 labels").
 *
 * <p>Audio data may also keep each clip's waveform ({@link #waveforms()}, {@code [N, samples]}),
 * for a teacher that listens to the sound rather than reading the features: the rows, the
 * fingerprint and every selection stay the same, since the features are made from the waveforms.
 */
public final class LabeledData {

    private final String name;
    private final INDArray features;
    private final int[] labels;
    private final int numClasses;
    private final boolean[] labeled;
    private final String fingerprint;
    private final INDArray waveforms;
    private final String imageShape;
    private INDArray oneHot;

    public LabeledData(String name, INDArray features, int[] labels, int numClasses, String fingerprint) {
        this(name, features, labels, numClasses, null, fingerprint, null, null);
    }

    private LabeledData(
            String name,
            INDArray features,
            int[] labels,
            int numClasses,
            boolean[] labeled,
            String fingerprint,
            INDArray waveforms,
            String imageShape) {
        if (features.rank() != 2 || features.rows() != labels.length) {
            throw new IllegalArgumentException(name + ": features " + Arrays.toString(features.shape())
                    + " do not match " + labels.length + " labels; expected [" + labels.length + ", D]");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException(
                        name + ": label " + labels[i] + " at row " + i + " is outside 0.." + (numClasses - 1));
            }
        }
        this.name = name;
        this.features = features;
        this.labels = labels;
        this.numClasses = numClasses;
        this.labeled = labeled;
        this.fingerprint = fingerprint;
        if (waveforms != null && (waveforms.rank() != 2 || waveforms.rows() != labels.length)) {
            throw new IllegalArgumentException(name + ": waveforms " + Arrays.toString(waveforms.shape())
                    + " do not match " + labels.length + " rows; expected [" + labels.length + ", samples]");
        }
        this.waveforms = waveforms;
        this.imageShape = imageShape;
    }

    /** The same rows with each one's waveform, {@code [N, samples]}. */
    public LabeledData withWaveforms(INDArray waveforms) {
        return new LabeledData(name, features, labels, numClasses, labeled, fingerprint, waveforms, imageShape);
    }

    /** The same rows with other features {@code [N, D]} (e.g. scaled): labels, mask and fingerprint kept. */
    public LabeledData withFeatures(INDArray scaled) {
        return new LabeledData(name, scaled, labels, numClasses, labeled, fingerprint, waveforms, imageShape);
    }

    /** The same rows, said to be images of {@code shape} ({@code 3x32x32}: channels, height, width). */
    public LabeledData withImageShape(String shape) {
        return new LabeledData(name, features, labels, numClasses, labeled, fingerprint, waveforms, shape);
    }

    /** The shape of each row when the rows are images ({@code 3x32x32}), else null. */
    public String imageShape() {
        return imageShape;
    }

    /** Each row's waveform {@code [N, samples]} (audio data only). */
    public INDArray waveforms() {
        if (waveforms == null) {
            throw new dev.distillery.spec.SpecException(name + " keeps no waveforms, only features of "
                    + inputSize() + " values per row; a teacher that listens to audio needs a speech set "
                    + "(speech-commands-synth keeps each clip's waveform)");
        }
        return waveforms;
    }

    public boolean hasWaveforms() {
        return waveforms != null;
    }

    public String name() {
        return name;
    }

    public INDArray features() {
        return features;
    }

    public int[] labels() {
        return labels;
    }

    public int numClasses() {
        return numClasses;
    }

    public int size() {
        return labels.length;
    }

    public int inputSize() {
        return features.columns();
    }

    public String fingerprint() {
        return fingerprint;
    }

    /** How many examples training may use the label of. */
    public int labeledCount() {
        if (labeled == null) {
            return size();
        }
        int n = 0;
        for (boolean b : labeled) {
            n += b ? 1 : 0;
        }
        return n;
    }

    public boolean isLabeled(int row) {
        return labeled == null || labeled[row];
    }

    /** One-hot labels {@code [N, C]}, made once. */
    public synchronized INDArray oneHot() {
        if (oneHot == null) {
            float[] buf = new float[labels.length * numClasses];
            for (int i = 0; i < labels.length; i++) {
                buf[i * numClasses + labels[i]] = 1f;
            }
            oneHot = Nd4j.create(buf, new long[] {labels.length, numClasses}, DataType.FLOAT);
        }
        return oneHot;
    }

    /** 1 where the label may be used, else 0: {@code [N, 1]}. */
    public INDArray labelMask() {
        float[] m = new float[labels.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = isLabeled(i) ? 1f : 0f;
        }
        return Nd4j.create(m, new long[] {m.length, 1}, DataType.FLOAT);
    }

    /** The given rows, in that order. */
    public LabeledData rows(int[] rows, String what) {
        int[] l = new int[rows.length];
        boolean[] lab = labeled == null ? null : new boolean[rows.length];
        for (int i = 0; i < rows.length; i++) {
            l[i] = labels[rows[i]];
            if (lab != null) {
                lab[i] = labeled[rows[i]];
            }
        }
        INDArray f = Rows.gather(features, rows);
        String fp = DataLocator.sha256(fingerprint + "|" + what + "|" + Arrays.hashCode(rows) + "|" + rows.length);
        INDArray w = waveforms == null ? null : Rows.gather(waveforms, rows);
        return new LabeledData(name + "[" + what + "]", f, l, numClasses, lab, fp, w, imageShape);
    }

    /** A seeded random sample of {@code n} rows (all rows if {@code n >= size()}). */
    public LabeledData sample(int n, long seed) {
        if (n <= 0) {
            throw new IllegalArgumentException(name + ": sample size must be positive, got " + n);
        }
        if (n >= size()) {
            return this;
        }
        int[] perm = permutation(size(), new SplittableRandom(seed));
        return rows(Arrays.copyOf(perm, n), "sample " + n + " seed " + seed);
    }

    /**
     * Keeps the labels of {@code n} examples, the same number from each class as far as possible,
     * chosen by {@code seed}; the other examples stay, unlabeled, for soft targets.
     */
    public LabeledData keepLabels(int n, long seed) {
        if (n <= 0) {
            throw new IllegalArgumentException(name + ": labels to keep must be positive, got " + n);
        }
        if (n >= labeledCount()) {
            return this;
        }
        int[] perm = permutation(size(), new SplittableRandom(seed));
        int[] perClass = new int[numClasses];
        int quota = (int) Math.ceil(n / (double) numClasses);
        boolean[] keep = new boolean[size()];
        int kept = 0;
        for (int i = 0; i < perm.length && kept < n; i++) {
            int r = perm[i];
            if (isLabeled(r) && perClass[labels[r]] < quota) {
                perClass[labels[r]]++;
                keep[r] = true;
                kept++;
            }
        }
        String fp = DataLocator.sha256(fingerprint + "|labels " + n + " seed " + seed);
        return new LabeledData(name, features, labels, numClasses, keep, fp, waveforms, imageShape);
    }

    /**
     * These rows followed by {@code extra} rows without labels (a transfer set: the teacher's soft targets
     * only), e.g. images of an unlabelled folder; {@code source} names them in the fingerprint.
     */
    public LabeledData withUnlabelled(INDArray extra, INDArray extraWaveforms, String source) {
        if (extra.rank() != 2 || extra.columns() != features.columns()) {
            throw new IllegalArgumentException(name + ": unlabelled rows " + Arrays.toString(extra.shape())
                    + " do not have the " + features.columns() + " values of its rows");
        }
        int n = size() + extra.rows();
        boolean[] lab = new boolean[n];
        for (int i = 0; i < size(); i++) {
            lab[i] = isLabeled(i);
        }
        int[] l = Arrays.copyOf(labels, n); // the extra rows' label 0 is never read: they are masked
        INDArray w = waveforms == null || extraWaveforms == null ? null : Nd4j.concat(0, waveforms, extraWaveforms);
        return new LabeledData(
                name,
                Nd4j.concat(0, features, extra),
                l,
                numClasses,
                lab,
                DataLocator.sha256(fingerprint + "|unlabelled " + source),
                w,
                imageShape);
    }

    /** Only the examples whose labels training may use. */
    public LabeledData labeledOnly() {
        if (labeled == null) {
            return this;
        }
        int[] rows = IntStream.range(0, size()).filter(i -> labeled[i]).toArray();
        LabeledData d = rows(rows, "labeled");
        return new LabeledData(d.name, d.features, d.labels, numClasses, null, d.fingerprint, d.waveforms, imageShape);
    }

    static int[] permutation(int n, SplittableRandom rng) {
        int[] p = IntStream.range(0, n).toArray();
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    @Override
    public String toString() {
        return name + " (" + size() + " examples, " + labeledCount() + " labeled, " + numClasses + " classes)";
    }
}
