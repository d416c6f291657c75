package dev.distillery.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds a dataset file in the explicit directory, {@code $DISTILLERY_DATA/<dataset>},
 * {@code ~/.cache/distillery/<dataset>}, then the system path, and checks its SHA-256. The first
 * file found is the one used: a corrupt file is reported, never silently skipped.
 */
public final class DataLocator {

    private static final Map<Path, String> HASHED = new ConcurrentHashMap<>();

    private final String dataset;
    private final Path systemDir;
    private final String provider;

    /**
     * @param dataset   folder name under each search root, e.g. {@code fashion-mnist}
     * @param systemDir where the operating-system package puts the files
     * @param provider  the command that provides the files, quoted in errors
     */
    public DataLocator(String dataset, Path systemDir, String provider) {
        this.dataset = dataset;
        this.systemDir = systemDir;
        this.provider = provider;
    }

    /** The search order, most specific first; {@code explicitDir} may be null. */
    public List<Path> searchPath(Path explicitDir) {
        List<Path> dirs = new ArrayList<>();
        if (explicitDir != null) {
            dirs.add(explicitDir);
        }
        String env = System.getenv("DISTILLERY_DATA");
        if (env != null && !env.isBlank()) {
            dirs.add(Path.of(env).resolve(dataset));
        }
        dirs.add(Path.of(System.getProperty("user.home"), ".cache", "distillery", dataset));
        dirs.add(systemDir);
        return dirs;
    }

    /** Where a dataset made here is built: {@code $DISTILLERY_DATA/<dataset>}, else {@code ~/.cache/distillery/<dataset>}. */
    public static Path buildDir(String dataset) {
        String env = System.getenv("DISTILLERY_DATA");
        return env != null && !env.isBlank()
                ? Path.of(env, dataset)
                : Path.of(System.getProperty("user.home"), ".cache", "distillery", dataset);
    }

    /** The verified file, or an error that names every place searched and the command that provides it. */
    public Path locate(String fileName, String expectedSha256, Path explicitDir) {
        List<Path> dirs = searchPath(explicitDir);
        for (Path dir : dirs) {
            Path file = dir.resolve(fileName);
            if (Files.isRegularFile(file)) {
                String actual = sha256(file);
                if (!actual.equals(expectedSha256)) {
                    throw new DataUnavailableException(dataset + " file " + file + " is corrupt: SHA-256 is "
                            + actual + ", expected " + expectedSha256 + ". Delete it or reinstall with: "
                            + provider.replace("apt-get install", "apt-get install --reinstall"));
                }
                return file;
            }
        }
        throw new DataUnavailableException(dataset + " file '" + fileName + "' not found; searched "
                + dirs + ". Install it with: " + provider
                + " (or put the file in $DISTILLERY_DATA/" + dataset + "/)");
    }

    /** SHA-256 of a file, hex; remembered per path and modification time for this JVM. */
    public static String sha256(Path file) {
        try {
            Path key = file.toAbsolutePath()
                    .resolve("@" + Files.getLastModifiedTime(file).toMillis() + "-" + Files.size(file));
            String cached = HASHED.get(key);
            if (cached != null) {
                return cached;
            }
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    md.update(buf, 0, n);
                }
            }
            String hex = HexFormat.of().formatHex(md.digest());
            HASHED.put(key, hex);
            return hex;
        } catch (IOException e) {
            throw new DataUnavailableException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SHA-256 of a string, hex: used to derive fingerprints of subsets and caches. */
    public static String sha256(String text) {
        return sha256(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** SHA-256 of bytes, hex. */
    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
