package dev.distillery.data;

import dev.distillery.spec.SpecException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * How each kind of a user's own data finds and reads its files ({@link DataSources}): class folders
 * (images or WAV clips, with {@code train/ val/ test/} sub-folders or one pool, and an unlabelled
 * folder beside them), a CSV table and NumPy arrays (one file, or one per split through
 * {@code {split}} in the path), and the checksums of every input.
 */
final class SourceFiles {

    /** The part of a source that is split by the seed, when its files give no splits. */
    static final String POOL = "all";

    /** How features are scaled: not at all, per column, or per mel band (audio frames). */
    enum Scaling {
        NONE,
        PER_COLUMN,
        PER_BAND
    }

    /**
     * A source's files: the parts ({@code all}, or {@code train}, {@code test} and maybe {@code validation}),
     * rows without labels for the training split (or null), each input's SHA-256 by name, the scaling.
     */
    record Files(Map<String, RawExamples> parts, RawExamples unlabelled, Map<String, String> sha256, Scaling scaling) {}

    private SourceFiles() {}

    /** The inputs' checksums as they are now (folders are hashed file by file, without decoding). */
    static Map<String, String> sums(String dataset, Map<String, String> options) {
        String path = DataSources.path(dataset);
        String kind = DataSources.kind(dataset).name();
        Map<String, String> m = new LinkedHashMap<>();
        if (kind.equals("folder")) {
            folderParts(Path.of(path)).forEach((part, f) -> m.put(manifestName(f), f.manifestSha256()));
            if (options.containsKey("unlabelled")) {
                ClassFolders u = ClassFolders.scan(Path.of(options.get("unlabelled")));
                m.put(manifestName(u), u.manifestSha256());
            }
            return m;
        }
        for (Path f : splitFiles(path).values()) {
            m.put(f.toString(), DataLocator.sha256(f));
        }
        if (kind.equals("npy")) {
            for (Path f : splitFiles(options.get("labels")).values()) {
                m.put(f.toString(), DataLocator.sha256(f));
            }
        }
        return m;
    }

    /** Class folders: {@code train/}, {@code val/} (or {@code validation/}) and {@code test/}, or one pool. */
    static Files folder(String path, Map<String, String> options) {
        Path root = Path.of(path);
        Map<String, ClassFolders> folders = folderParts(root);
        ClassFolders.Kind kind = folders.values().iterator().next().kind();
        int[] size = size(options.get("size"), path);
        int channels = channels(options.get("channels"), path);
        int samples = (int) Math.round(seconds(options.get("seconds"), path) * AudioFiles.SAMPLE_RATE);
        Map<String, RawExamples> parts = new LinkedHashMap<>();
        Map<String, String> sums = new LinkedHashMap<>();
        List<ClassFolders> read = new ArrayList<>(folders.values());
        ClassFolders unlabelled = null;
        if (options.containsKey("unlabelled")) {
            unlabelled = ClassFolders.scan(Path.of(options.get("unlabelled")));
            if (unlabelled.labelled()) {
                throw new SpecException("unlabelled=" + options.get("unlabelled") + " holds class folders; "
                        + "unlabelled data is a folder of files alone (labelled data belongs in folder:PATH)");
            }
            read.add(unlabelled);
        }
        for (ClassFolders f : read) {
            if (f.kind() != kind) {
                throw new SpecException(f.root() + " holds " + f.kind().name().toLowerCase() + " but " + root
                        + " holds " + kind.name().toLowerCase() + "; keep one kind of example per data set");
            }
        }
        // images of every part are read together, so that their sizes and channels are checked as one set
        List<Path> files = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (ClassFolders f : read) {
            files.addAll(f.files());
            labels.addAll(
                    f.labelled()
                            ? f.labels()
                            : java.util.Collections.nCopies(f.files().size(), ""));
            sums.put(manifestName(f), f.manifestSha256());
        }
        RawExamples all = kind == ClassFolders.Kind.AUDIO
                ? AudioFiles.read(files, labels, samples)
                : ImageFiles.read(files, labels, new ImageFiles.Options(channels, size[0], size[1]));
        int from = 0;
        RawExamples unlabelledRows = null;
        for (int i = 0; i < read.size(); i++) {
            ClassFolders f = read.get(i);
            int n = f.files().size();
            RawExamples r = slice(all, from, n, f.labelled());
            from += n;
            if (f == unlabelled) {
                unlabelledRows = r;
            } else {
                parts.put(new ArrayList<>(folders.keySet()).get(i), r);
            }
        }
        return new Files(
                parts, unlabelledRows, sums, kind == ClassFolders.Kind.AUDIO ? Scaling.PER_BAND : Scaling.NONE);
    }

    /** The folders of the parts: {@code train/}, {@code val/} and {@code test/} when there are, else the root. */
    private static Map<String, ClassFolders> folderParts(Path root) {
        Map<String, ClassFolders> out = new LinkedHashMap<>();
        if (java.nio.file.Files.isDirectory(root.resolve("train"))
                && java.nio.file.Files.isDirectory(root.resolve("test"))) {
            out.put("train", ClassFolders.scan(root.resolve("train")));
            for (String v : List.of("val", "validation")) {
                if (java.nio.file.Files.isDirectory(root.resolve(v))) {
                    out.put("validation", ClassFolders.scan(root.resolve(v)));
                    break;
                }
            }
            out.put("test", ClassFolders.scan(root.resolve("test")));
        } else {
            out.put(POOL, ClassFolders.scan(root));
        }
        return out;
    }

    private static String manifestName(ClassFolders f) {
        return f.root() + "/ (manifest of " + f.files().size() + " files)";
    }

    private static RawExamples slice(RawExamples all, int from, int n, boolean labelled) {
        int[] rows = java.util.stream.IntStream.range(from, from + n).toArray();
        INDArray w = all.waveforms() == null ? null : Nd4j.pullRows(all.waveforms(), 1, rows);
        return new RawExamples(
                Nd4j.pullRows(all.features(), 1, rows),
                labelled ? all.labels().subList(from, from + n) : null,
                w,
                all.imageShape(),
                all.origins().subList(from, from + n));
    }

    /** A CSV table, or its {@code {split}} files. */
    static Files csv(String path, Map<String, String> options) {
        Map<String, RawExamples> parts = new LinkedHashMap<>();
        Map<String, String> sums = new LinkedHashMap<>();
        splitFiles(path).forEach((part, file) -> {
            parts.put(part, CsvTable.read(file, options.get("label")));
            sums.put(file.toString(), DataLocator.sha256(file));
        });
        return new Files(parts, null, sums, scaling(options));
    }

    /** NumPy features and labels, or their {@code {split}} files. */
    static Files npy(String path, Map<String, String> options) {
        String labels = options.get("labels");
        if (path.contains("{split}") != labels.contains("{split}")) {
            throw new SpecException("npy:" + path + ",labels=" + labels + ": write {split} in both paths or in "
                    + "neither, so that each split's features meet its labels");
        }
        Map<String, Path> y = splitFiles(labels);
        Map<String, RawExamples> parts = new LinkedHashMap<>();
        Map<String, String> sums = new LinkedHashMap<>();
        splitFiles(path).forEach((part, file) -> {
            Path l = y.get(part);
            if (l == null) {
                throw new SpecException("npy: " + file + " has no labels file for its " + part + " split; write it "
                        + "beside the others (" + labels.replace("{split}", part.equals("validation") ? "val" : part)
                        + ")");
            }
            parts.put(part, NpyArrays.read(file, l));
            sums.put(file.toString(), DataLocator.sha256(file));
            sums.put(l.toString(), DataLocator.sha256(l));
        });
        return new Files(parts, null, sums, scaling(options));
    }

    /**
     * The file of each part: {@code PATH} alone, or with {@code {split}} the {@code train}, {@code val}
     * (optional) and {@code test} files.
     */
    private static Map<String, Path> splitFiles(String path) {
        Map<String, Path> out = new LinkedHashMap<>();
        if (!path.contains("{split}")) {
            out.put(POOL, Path.of(path));
            return out;
        }
        for (String part : List.of("train", "val", "test")) {
            Path f = Path.of(path.replace("{split}", part));
            if (java.nio.file.Files.isRegularFile(f)) {
                out.put(part.equals("val") ? "validation" : part, f);
            } else if (!part.equals("val")) {
                throw new SpecException(path + " names a file per split, but " + f + " does not exist; give the "
                        + "train and test files (val is optional: without it, validation is drawn from train)");
            }
        }
        return out;
    }

    private static Scaling scaling(Map<String, String> options) {
        return options.getOrDefault("scale", "standard").equals("none") ? Scaling.NONE : Scaling.PER_COLUMN;
    }

    private static int[] size(String size, String path) {
        if (size == null) {
            return new int[] {0, 0};
        }
        String[] p = size.split("x");
        try {
            int h = Integer.parseInt(p[0].trim());
            int w = Integer.parseInt(p[p.length - 1].trim());
            if (p.length > 2 || h <= 0 || w <= 0) {
                throw new NumberFormatException();
            }
            return new int[] {h, w};
        } catch (NumberFormatException e) {
            throw new SpecException(
                    "folder:" + path + ": size '" + size + "' should be HEIGHTxWIDTH in pixels, " + "e.g. size=32x32");
        }
    }

    private static int channels(String channels, String path) {
        if (channels == null) {
            return 0;
        }
        if (!channels.equals("1") && !channels.equals("3")) {
            throw new SpecException("folder:" + path + ": channels is 1 (grey) or 3 (colour), not '" + channels + "'");
        }
        return Integer.parseInt(channels);
    }

    private static double seconds(String seconds, String path) {
        if (seconds == null) {
            return 0;
        }
        try {
            double s = Double.parseDouble(seconds);
            if (!(s > 0)) {
                throw new NumberFormatException();
            }
            return s;
        } catch (NumberFormatException e) {
            throw new SpecException("folder:" + path + ": seconds '" + seconds + "' should be a positive "
                    + "length in seconds, e.g. seconds=1");
        }
    }
}
