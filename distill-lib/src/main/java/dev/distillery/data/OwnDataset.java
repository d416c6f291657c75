package dev.distillery.data;

import dev.distillery.spec.SpecException;
import java.lang.ref.SoftReference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A user's own data ({@link DataSources}): the files read, their labels turned into classes (the
 * distinct labels, sorted — numerically when all are numbers), split into train, validation and test
 * (as the files give them, or drawn per class by the seed), and scaled with statistics of the training
 * rows only. The last loads are kept (softly) under the files' checksums, so that a changed file is
 * read again.
 */
final class OwnDataset implements Dataset {

    static final List<String> PARTS = List.of("train", "validation", "test");

    /** The files as read, and their classes. */
    private record Read(SourceFiles.Files files, List<String> classes) {}

    private static final Map<String, SoftReference<Read>> READS = new LinkedHashMap<>();

    private final String dataset;
    private final Map<String, String> options;
    private final DataSources.Reader reader;

    OwnDataset(String dataset, Map<String, String> options, DataSources.Reader reader) {
        this.dataset = dataset;
        this.options = Map.copyOf(options);
        this.reader = reader;
    }

    @Override
    public Splits load(Path dir, int validation, long splitSeed) {
        return split(read(), splitSeed);
    }

    @Override
    public Map<String, String> checksums(Path dir) {
        return SourceFiles.sums(dataset, options);
    }

    @Override
    public List<String> classes(Path dir) {
        return read().classes();
    }

    /** The files, read again only when their checksums changed since the last read. */
    private Read read() {
        String key = dataset + "|" + new java.util.TreeMap<>(options);
        synchronized (READS) {
            SoftReference<Read> ref = READS.get(key);
            Read r = ref == null ? null : ref.get();
            if (r != null && r.files().sha256().equals(SourceFiles.sums(dataset, options))) {
                return r;
            }
            SourceFiles.Files files = reader.files(DataSources.path(dataset), options);
            r = new Read(files, classes(files.parts().values()));
            READS.put(key, new SoftReference<>(r));
            if (READS.size() > 8) {
                READS.remove(READS.keySet().iterator().next());
            }
            return r;
        }
    }

    private Splits split(Read read, long seed) {
        SourceFiles.Files files = read.files();
        List<String> classes = read.classes();
        Map<String, LabeledData> split = new LinkedHashMap<>();
        String base = DataLocator.sha256(files.sha256() + "|" + new java.util.TreeMap<>(options));
        double[] f = fractions(split(), dataset);
        if (files.parts().containsKey(SourceFiles.POOL)) {
            LabeledData whole = labeled(files.parts().get(SourceFiles.POOL), classes, SourceFiles.POOL, base);
            int[][] rows = stratified(whole.labels(), classes.size(), f, seed);
            enough(rows, whole.size());
            for (int i = 0; i < 3; i++) {
                split.put(PARTS.get(i), whole.rows(rows[i], PARTS.get(i) + " seed " + seed));
            }
        } else {
            LabeledData train = labeled(files.parts().get("train"), classes, "train", base);
            if (files.parts().containsKey("validation")) {
                split.put("train", train);
                split.put("validation", labeled(files.parts().get("validation"), classes, "validation", base));
            } else {
                // validation drawn from the training file at its share of train + validation
                double val = f[1] / (f[0] + f[1]);
                int[][] rows = stratified(train.labels(), classes.size(), new double[] {1 - val, val, 0}, seed);
                enough(new int[][] {rows[0], rows[1], {0}}, train.size());
                split.put("train", train.rows(rows[0], "train seed " + seed));
                split.put("validation", train.rows(rows[1], "validation seed " + seed));
            }
            split.put("test", labeled(files.parts().get("test"), classes, "test", base));
        }
        LabeledData train = split.get("train");
        if (files.unlabelled() != null) {
            RawExamples u = files.unlabelled();
            train = train.withUnlabelled(u.features(), u.waveforms(), options.get("unlabelled"));
        }
        split.put("train", train);
        return scale(new Splits(split.get("train"), split.get("validation"), split.get("test")), files.scaling());
    }

    /** Refuses splits that would be empty, naming how many examples there are. */
    private void enough(int[][] rows, int total) {
        for (int p = 0; p < 3; p++) {
            if (rows[p].length == 0) {
                throw new SpecException("data '" + dataset + "': its " + total + " examples leave the "
                        + PARTS.get(p) + " split empty at split=" + split() + "; add examples (a few per class "
                        + "for each split), or give the split other percentages");
            }
        }
    }

    private String split() {
        return options.getOrDefault("split", "80/10/10");
    }

    /** The training-row statistics applied to every split (copies: the read arrays stay as read). */
    private static Splits scale(Splits s, SourceFiles.Scaling scaling) {
        if (scaling == SourceFiles.Scaling.NONE) {
            return s;
        }
        INDArray x = s.train().features();
        int d = x.columns();
        int groups = scaling == SourceFiles.Scaling.PER_BAND ? AudioFiles.MELS : d;
        float[] v = x.data().asFloat();
        double[] sum = new double[groups];
        double[] sq = new double[groups];
        for (int i = 0; i < v.length; i++) {
            int g = (i % d) % groups;
            sum[g] += v[i];
            sq[g] += (double) v[i] * v[i];
        }
        long perGroup = (long) v.length / groups;
        float[] mean = new float[groups];
        float[] std = new float[groups];
        for (int g = 0; g < groups; g++) {
            double m = sum[g] / perGroup;
            mean[g] = (float) m;
            double sd = Math.sqrt(Math.max(0, sq[g] / perGroup - m * m));
            std[g] = (float) (sd > 1e-6 ? sd : 1);
        }
        return new Splits(
                standardised(s.train(), mean, std),
                standardised(s.validation(), mean, std),
                standardised(s.test(), mean, std));
    }

    private static LabeledData standardised(LabeledData d, float[] mean, float[] std) {
        int cols = d.features().columns();
        float[] v = d.features().dup().data().asFloat();
        for (int i = 0; i < v.length; i++) {
            int g = (i % cols) % mean.length;
            v[i] = (v[i] - mean[g]) / std[g];
        }
        return d.withFeatures(Nd4j.create(v, d.features().shape(), DataType.FLOAT));
    }

    private LabeledData labeled(RawExamples raw, List<String> classes, String part, String base) {
        if (!raw.labelled()) {
            throw new SpecException("data '" + dataset + "' (" + part + ") has no labels: a folder without class "
                    + "folders is unlabelled; give labelled class folders and add this one as unlabelled=PATH");
        }
        LabeledData d = new LabeledData(
                dataset + "/" + part,
                raw.features(),
                indices(raw, classes),
                classes.size(),
                DataLocator.sha256(base + "|" + part));
        d = raw.waveforms() == null ? d : d.withWaveforms(raw.waveforms());
        return raw.imageShape() == null ? d : d.withImageShape(raw.imageShape());
    }

    /** The distinct labels of every part, sorted (numerically when all are numbers). */
    static List<String> classes(java.util.Collection<RawExamples> parts) {
        TreeSet<String> names = new TreeSet<>();
        for (RawExamples r : parts) {
            if (r.labelled()) {
                names.addAll(r.labels());
            }
        }
        List<String> out = new ArrayList<>(names);
        boolean numbers = out.stream().allMatch(n -> n.matches("-?\\d+(\\.\\d+)?"));
        if (numbers) {
            out.sort(java.util.Comparator.comparingDouble(Double::parseDouble));
        }
        return out;
    }

    private static int[] indices(RawExamples raw, List<String> classes) {
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            index.put(classes.get(i), i);
        }
        return raw.labels().stream().mapToInt(index::get).toArray();
    }

    /**
     * Rows per split: within each class, rows shuffled by {@code seed}, the test share, then the
     * validation share (each rounded), the rest for training.
     */
    static int[][] stratified(int[] labels, int classes, double[] fractions, long seed) {
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < labels.length; i++) {
            byClass.get(labels[i]).add(i);
        }
        List<List<Integer>> out = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        SplittableRandom rng = new SplittableRandom(seed);
        for (List<Integer> rows : byClass) {
            int[] perm = LabeledData.permutation(rows.size(), rng);
            int test = (int) Math.round(rows.size() * fractions[2]);
            int val = (int) Math.round(rows.size() * fractions[1]);
            for (int i = 0; i < perm.length; i++) {
                int part = i < test ? 2 : i < test + val ? 1 : 0;
                out.get(part).add(rows.get(perm[i]));
            }
        }
        int[][] r = new int[3][];
        for (int p = 0; p < 3; p++) {
            r[p] = out.get(p).stream().mapToInt(Integer::intValue).sorted().toArray();
        }
        return r;
    }

    /** {@code 80/10/10} as fractions of train, validation and test. */
    static double[] fractions(String split, String dataset) {
        String[] p = split.split("/");
        double[] f = new double[3];
        try {
            if (p.length != 3) {
                throw new NumberFormatException();
            }
            for (int i = 0; i < 3; i++) {
                f[i] = Double.parseDouble(p[i].trim());
            }
        } catch (NumberFormatException e) {
            throw new SpecException("data '" + dataset + "': split '" + split + "' should be three percentages "
                    + "train/validation/test, e.g. split=80/10/10");
        }
        double total = f[0] + f[1] + f[2];
        if (f[0] <= 0 || f[1] <= 0 || f[2] <= 0 || Math.abs(total - 100) > 1e-6) {
            throw new SpecException("data '" + dataset + "': split " + split + " should be three positive "
                    + "percentages that add up to 100, e.g. split=80/10/10");
        }
        return new double[] {f[0] / 100, f[1] / 100, f[2] / 100};
    }

    @Override
    public String toString() {
        return dataset + (options.isEmpty() ? "" : " " + options);
    }
}
