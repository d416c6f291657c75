package dev.distillery.data;

import dev.distillery.spec.SpecException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A folder of examples: one sub-folder per class (the folder's name is the label), or files
 * directly inside (unlabelled). Hidden files (a leading dot) are passed over; every other file must
 * be an image or a WAV file, all of one kind.
 */
record ClassFolders(Path root, Map<String, List<Path>> classes, List<Path> unlabelled, Kind kind) {

    /** What the files are. */
    enum Kind {
        IMAGES,
        AUDIO
    }

    static final List<String> IMAGE_TYPES = List.of("png", "jpg", "jpeg", "bmp", "gif");

    /** The folder's class sub-folders (sorted by name) or its unlabelled files; refused with the fix when neither. */
    static ClassFolders scan(Path root) {
        if (!Files.isDirectory(root)) {
            throw new SpecException(
                    "data folder " + root + (Files.exists(root) ? " is a file, not a folder" : " does not exist")
                            + "; give a folder with one sub-folder of examples per class");
        }
        List<Path> dirs = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        for (Path p : list(root)) {
            (Files.isDirectory(p) ? dirs : files).add(p);
        }
        if (!dirs.isEmpty() && !files.isEmpty()) {
            throw new SpecException("data folder " + root + " holds both class folders ("
                    + dirs.get(0).getFileName()
                    + ") and loose files (" + files.get(0).getFileName() + "); put every file in its class's folder, "
                    + "or keep unlabelled files in a folder of their own (unlabelled=PATH)");
        }
        Map<String, List<Path>> classes = new LinkedHashMap<>();
        for (Path d : dirs) {
            List<Path> inside = list(d);
            for (Path p : inside) {
                if (Files.isDirectory(p)) {
                    throw new SpecException("class folder " + d + " holds a folder (" + p.getFileName()
                            + "); a class folder holds its examples' files only");
                }
            }
            if (inside.isEmpty()) {
                throw new SpecException("class folder " + d + " is empty; add examples of class '" + d.getFileName()
                        + "' or remove the folder");
            }
            classes.put(d.getFileName().toString(), inside);
        }
        if (classes.isEmpty() && files.isEmpty()) {
            throw new SpecException("data folder " + root + " is empty; give it one sub-folder of examples per class");
        }
        List<Path> all = new ArrayList<>(files);
        classes.values().forEach(all::addAll);
        return new ClassFolders(root, classes, files, kindOf(all));
    }

    boolean labelled() {
        return !classes.isEmpty();
    }

    /** Every file, class by class (unlabelled: as listed). */
    List<Path> files() {
        List<Path> all = new ArrayList<>(unlabelled);
        classes.values().forEach(all::addAll);
        return all;
    }

    /** Each file's label (its folder's name), in the order of {@link #files()}; null when unlabelled. */
    List<String> labels() {
        if (!labelled()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        classes.forEach((name, files) -> files.forEach(f -> out.add(name)));
        return out;
    }

    /**
     * One checksum for every file: the SHA-256 of the list of each file's path (relative to the root)
     * and SHA-256, in order, so that a renamed, added, removed or changed file changes it.
     */
    String manifestSha256() {
        StringBuilder m = new StringBuilder();
        for (Path f : files()) {
            m.append(root.relativize(f).toString().replace('\\', '/'))
                    .append('\t')
                    .append(DataLocator.sha256(f))
                    .append('\n');
        }
        return DataLocator.sha256(m.toString());
    }

    private static Kind kindOf(List<Path> files) {
        Path firstImage = null;
        Path firstWav = null;
        for (Path f : files) {
            String ext = extension(f);
            if (ext.equals("wav")) {
                firstWav = firstWav == null ? f : firstWav;
            } else if (IMAGE_TYPES.contains(ext)) {
                firstImage = firstImage == null ? f : firstImage;
            } else {
                throw new SpecException(f + " is neither an image (" + String.join(", ", IMAGE_TYPES)
                        + ") nor a WAV file; remove it from the data folder, or convert it");
            }
        }
        if (firstImage != null && firstWav != null) {
            throw new SpecException("data folder mixes images (" + firstImage + ") and WAV files (" + firstWav
                    + "); keep one kind of example per data set");
        }
        return firstWav != null ? Kind.AUDIO : Kind.IMAGES;
    }

    static String extension(Path f) {
        String n = f.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    /** The entries of {@code dir} but hidden ones, sorted by name. */
    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("reading folder " + dir + ": " + e.getMessage(), e);
        }
    }
}
