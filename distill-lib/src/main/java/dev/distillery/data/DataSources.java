package dev.distillery.data;

import dev.distillery.registry.Registry;
import dev.distillery.spec.SpecException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The kinds of a user's own data a spec can name as {@code KIND:PATH[,key=value...]}: class folders of
 * images or WAV files, a CSV table, NumPy arrays. Each kind lists its keys; {@link #open} reads a
 * source as a {@link Dataset} ({@link OwnDataset}) with seeded stratified splits, or the splits its
 * files give ({@code train/ val/ test/} sub-folders; {@code {split}} in a file name).
 */
public final class DataSources {

    /** A kind of source: the keys it takes, and how its files are found and read. */
    public record Kind(String name, List<String> keys, Reader reader) {}

    /** Reads a source's files at {@code path} as {@code options} say. */
    @FunctionalInterface
    interface Reader {
        SourceFiles.Files files(String path, Map<String, String> options);
    }

    private static final Registry.Param SPLIT = new Registry.Param(
            "split",
            "percentages of train/validation/test drawn (per class, by the data seed) when the files give no "
                    + "splits",
            "80/10/10");
    private static final Registry.Param SCALE = new Registry.Param(
            "scale", "standard (each column to mean 0, std 1 on the training rows) or none", "standard");

    public static final Registry<Kind> REGISTRY = new Registry<Kind>("data source")
            .register(new Registry.Entry<>(
                    "folder",
                    List.of(),
                    "folder:PATH, one sub-folder per class (its name is the label) of images (PNG, JPEG: grey or "
                            + "colour) or 16 kHz WAV files (as 40-band log-mel frames, waveforms kept); train/ val/ "
                            + "test/ sub-folders give the splits",
                    List.of(
                            new Registry.Param(
                                    "size", "HxW every image is resized to (needed when sizes differ)", null),
                            new Registry.Param("channels", "1 (grey) or 3 (colour)", "as the images are"),
                            new Registry.Param("seconds", "clip length audio is cut or padded to", "the longest clip"),
                            new Registry.Param(
                                    "unlabelled",
                                    "a folder of files without class folders, added to the training split without "
                                            + "labels (a transfer set for the teacher's soft targets)",
                                    null),
                            SPLIT),
                    new Kind(
                            "folder",
                            List.of("size", "channels", "seconds", "unlabelled", "split"),
                            SourceFiles::folder)))
            .register(new Registry.Entry<>(
                    "csv",
                    List.of(),
                    "csv:PATH,label=COLUMN, a CSV table with a header (Tablesaw): numeric feature columns, the label "
                            + "column by name (each distinct value a class); {split} in PATH names train, val, test files",
                    List.of(new Registry.Param("label", "the label column", null), SPLIT, SCALE),
                    new Kind("csv", List.of("label", "split", "scale"), SourceFiles::csv)))
            .register(new Registry.Entry<>(
                    "npy",
                    List.of(),
                    "npy:X.npy,labels=Y.npy, NumPy arrays (float or integer; [N, ...] features, [N] labels); "
                            + "{split} in both paths names train, val, test files",
                    List.of(
                            new Registry.Param("labels", "the labels file (labels=N alone limits labels)", null),
                            SPLIT,
                            SCALE),
                    new Kind("npy", List.of("labels", "split", "scale"), SourceFiles::npy)));

    private DataSources() {}

    public static Registry<Kind> registry() {
        return REGISTRY;
    }

    /** Whether {@code dataset} names a source ({@code folder:PATH}) rather than a registered data set. */
    public static boolean isSource(String dataset) {
        int colon = dataset == null ? -1 : dataset.indexOf(':');
        return colon > 0 && REGISTRY.contains(dataset.substring(0, colon));
    }

    /** The kind of source {@code dataset} names ({@code folder} of {@code folder:PATH}). */
    public static Kind kind(String dataset) {
        return REGISTRY.get(dataset.substring(0, dataset.indexOf(':')));
    }

    /** The path of source {@code dataset} ({@code PATH} of {@code folder:PATH}). */
    public static String path(String dataset) {
        return dataset.substring(dataset.indexOf(':') + 1);
    }

    /** Refuses a source without a path, keys its kind does not take, or values that cannot be right. */
    public static Map<String, String> check(String dataset, Map<String, String> options) {
        Kind k = kind(dataset);
        String path = path(dataset);
        if (path.isBlank()) {
            throw new SpecException("data '" + dataset + "': give the path, e.g. " + k.name() + ":data/"
                    + (k.name().equals("folder") ? "images" : "table." + k.name()));
        }
        Map<String, String> o = new LinkedHashMap<>();
        options.forEach((key, v) -> o.put(key.toLowerCase(Locale.ROOT), v));
        for (String key : o.keySet()) {
            if (!k.keys().contains(key)) {
                throw new SpecException("data '" + dataset + "': " + k.name() + " takes the keys "
                        + String.join(", ", k.keys()) + " (and labels, train, val, test, seed), not '" + key + "'");
            }
        }
        if (k.name().equals("csv") && !o.containsKey("label")) {
            throw new SpecException(
                    "data '" + dataset + "': a CSV source needs its label column: " + dataset + ",label=COLUMN");
        }
        if (k.name().equals("npy") && !o.containsKey("labels")) {
            throw new SpecException(
                    "data '" + dataset + "': NumPy features need their labels file: " + dataset + ",labels=Y.npy");
        }
        if (o.containsKey("split")) {
            OwnDataset.fractions(o.get("split"), dataset);
        }
        if (o.containsKey("scale") && !List.of("standard", "none").contains(o.get("scale"))) {
            throw new SpecException("data '" + dataset + "': scale is standard or none, not '" + o.get("scale") + "'");
        }
        return o;
    }

    /** The source {@code dataset} ({@code KIND:PATH}) read as {@code options} say. */
    public static Dataset open(String dataset, Map<String, String> options) {
        Map<String, String> o = check(dataset, options);
        return new OwnDataset(dataset, o, kind(dataset).reader());
    }
}
