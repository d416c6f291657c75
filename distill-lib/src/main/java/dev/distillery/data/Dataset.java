package dev.distillery.data;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A data set a spec can name ({@code data.dataset}, {@code --data}): how to load its splits, and
 * which source files a run on it used, each with its SHA-256, for the run record.
 */
public interface Dataset {

    /**
     * The train, validation and test splits. {@code dir}: where the files are (null: the data set's
     * default search path); {@code validation} rows are held out of the training file with
     * {@code splitSeed} where the set has no fixed validation split.
     */
    Splits load(Path dir, int validation, long splitSeed);

    /**
     * The source files a load from {@code dir} reads, by file name, each with its SHA-256: the files
     * themselves, or a manifest that lists every file with its own checksum.
     */
    Map<String, String> checksums(Path dir);

    /**
     * The names of the classes, by index, where the data set learned them from its files (a user's
     * own data: folder names, a label column's values); empty when its classes are fixed.
     */
    default List<String> classes(Path dir) {
        return List.of();
    }
}
