package dev.distillery.experiment;

import dev.distillery.spec.SpecException;
import dev.distillery.spec.Specs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Run records under one directory (default {@code runs/}), one folder per run. Safe for several
 * processes at once: a run's folder is created atomically when it starts (a clash takes the next
 * number), and every file in it is written by rename. While a run goes on, its process holds a lock
 * on the folder's {@value #LOCK} file, which the operating system lets go when the process ends,
 * however it ends: a record still {@code running} whose lock is free was stopped without a word
 * (e.g. killed), and is listed as {@code interrupted}. An interrupted run is resumed by the next run
 * with the same identity ({@link #begin}).
 */
public final class RunStore {

    /** The file a running run's process holds a lock on. */
    static final String LOCK = ".lock";

    static final String RECORD = "record.json";
    /** The trained model of a completed run, beside its record. */
    public static final String MODEL = "model.dtm";

    /** Leftover temporary files outside any run's folder (e.g. in {@code teachers/}) go after this long. */
    static final Duration TEMP_AGE = Duration.ofHours(1);

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private static final AtomicInteger COUNTER = new AtomicInteger();
    /** Lock files this process holds: never opened again here, as closing any channel would free them. */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path root;

    public RunStore(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    public Path dir(String id) {
        return root.resolve(id);
    }

    /**
     * A run of this process, from its start to its end: its folder exists and its lock is held until
     * {@link #close}. {@code resumed} is the record of the interrupted run it takes over (null: a new
     * run).
     */
    public final class Claim implements AutoCloseable {
        private final String id;
        private final FileChannel channel;
        private final FileLock lock;
        private final RunRecord resumed;

        private Claim(String id, FileChannel channel, FileLock lock, RunRecord resumed) {
            this.id = id;
            this.channel = channel;
            this.lock = lock;
            this.resumed = resumed;
        }

        public String id() {
            return id;
        }

        public Path dir() {
            return RunStore.this.dir(id);
        }

        public Path checkpointDir() {
            return dir().resolve("checkpoint");
        }

        public RunRecord resumed() {
            return resumed;
        }

        @Override
        public void close() {
            Path file = dir().resolve(LOCK);
            try {
                lock.release();
                channel.close();
            } catch (IOException e) {
                // the lock goes with the process in any case
            } finally {
                HELD.remove(file.toAbsolutePath());
            }
        }
    }

    /**
     * Starts a run: takes over the interrupted run with this {@code identity} when {@code resume} is
     * set and there is one (the newest, unless another process took it first), else creates a fresh
     * folder. {@code identity} is a digest of what makes two runs the same run (see
     * {@link Runner}).
     */
    public Claim begin(String experiment, String student, String recipe, long seed, String identity, boolean resume) {
        if (resume && identity != null) {
            Optional<Claim> c = resumable(identity);
            if (c.isPresent()) {
                return c.get();
            }
        }
        return create(experiment, student, recipe, seed);
    }

    /**
     * A fresh, unique run folder such as {@code 20261124-101500-003-quickstart-mlp64-kd-s1}, created
     * now. The number follows the time stamp so that ids sort in the order runs started; a folder
     * another process made first is skipped.
     */
    public Claim create(String experiment, String student, String recipe, long seed) {
        String rest = slug(experiment) + "-" + slug(student) + "-" + slug(recipe) + "-s" + seed;
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new SpecException(
                    "cannot create the runs directory " + root + " (" + e.getMessage()
                            + "); choose a writable one with --runs DIR",
                    e);
        }
        for (int attempt = 0; attempt < 10_000; attempt++) {
            String id = STAMP.format(LocalDateTime.now())
                    + String.format("-%03d-", COUNTER.incrementAndGet() % 1000)
                    + rest;
            try {
                Files.createDirectory(root.resolve(id));
            } catch (FileAlreadyExistsException e) {
                continue;
            } catch (IOException e) {
                throw new SpecException(
                        "cannot create a run folder in " + root + " (" + e.getMessage()
                                + "); choose a writable runs directory with --runs DIR",
                        e);
            }
            Claim c = lock(id);
            if (c == null) {
                throw new IllegalStateException("the new run folder " + dir(id) + " is locked by another process");
            }
            return c;
        }
        throw new IllegalStateException("no free run id in " + root + " for " + rest);
    }

    /** The newest interrupted run with {@code identity} that this process could lock, now claimed. */
    private Optional<Claim> resumable(String identity) {
        List<RunRecord> candidates = new ArrayList<>(scan().records().stream()
                .filter(r -> identity.equals(r.identity()) && RunRecord.INTERRUPTED.equals(r.status()))
                .toList());
        java.util.Collections.reverse(candidates);
        for (RunRecord r : candidates) {
            Claim c = lock(r.id());
            if (c == null) {
                continue;
            }
            // read again under the lock: another process may have resumed and finished it meanwhile
            RunRecord now = readOrNull(dir(r.id()).resolve(RECORD));
            if (now != null && (RunRecord.INTERRUPTED.equals(now.status()) || RunRecord.RUNNING.equals(now.status()))) {
                return Optional.of(new Claim(c.id, c.channel, c.lock, now));
            }
            c.close();
        }
        return Optional.empty();
    }

    /** The lock of run {@code id}, or null when another process holds it. */
    private Claim lock(String id) {
        Path file = dir(id).resolve(LOCK).toAbsolutePath();
        if (HELD.contains(file)) {
            return null;
        }
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock l = ch.tryLock();
            if (l == null) {
                ch.close();
                return null;
            }
            HELD.add(file);
            return new Claim(id, ch, l, null);
        } catch (OverlappingFileLockException e) {
            closeQuietly(ch);
            return null;
        } catch (IOException e) {
            closeQuietly(ch);
            throw new UncheckedIOException("cannot lock run " + dir(id) + ": " + e.getMessage(), e);
        }
    }

    /** Whether a process (this one or another) holds run {@code dir}'s lock: the run is going on. */
    private static boolean live(Path dir) {
        Path file = dir.resolve(LOCK).toAbsolutePath();
        if (HELD.contains(file)) {
            return true;
        }
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            FileLock l = ch.tryLock();
            if (l == null) {
                return true;
            }
            l.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void closeQuietly(FileChannel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing was locked
            }
        }
    }

    /** Writes (or replaces) {@code <root>/<id>/record.json}; readers never see half a record. */
    public Path write(RunRecord record) {
        Path file = root.resolve(record.id()).resolve(RECORD);
        Specs.write(record, file);
        return file;
    }

    /**
     * The run whose id is {@code idOrPrefix}, or the only one whose id starts with it; refused with the
     * candidates (the newest few) otherwise.
     */
    public RunRecord find(String idOrPrefix) {
        if (Files.isRegularFile(root.resolve(idOrPrefix).resolve(RECORD))) {
            return read(idOrPrefix);
        }
        List<RunRecord> all = list();
        List<RunRecord> match =
                all.stream().filter(r -> r.id().startsWith(idOrPrefix)).toList();
        if (match.size() == 1) {
            return match.get(0);
        }
        List<String> newest = (match.isEmpty() ? all : match)
                .stream()
                        .map(RunRecord::id)
                        .sorted(Comparator.reverseOrder())
                        .limit(5)
                        .toList();
        throw new SpecException((match.isEmpty()
                        ? "no run '" + idOrPrefix + "' in " + root
                        : match.size() + " runs in " + root + " start with '" + idOrPrefix + "'; give more of the id")
                + (newest.isEmpty() ? " (it holds no runs)" : "; newest: " + String.join(", ", newest)));
    }

    /** The trained model of completed run {@code id}; refused with the reason when the run kept none. */
    public Path model(RunRecord run) {
        Path file = root.resolve(run.id()).resolve(MODEL);
        if (!Files.isRegularFile(file)) {
            throw new SpecException("run " + run.id() + " (" + run.status() + ") kept no model: "
                    + (RunRecord.COMPLETED.equals(run.status())
                            ? "it completed before runs kept their models; run it again"
                            : "only completed runs keep theirs"));
        }
        return file;
    }

    public RunRecord read(String id) {
        return Specs.read(root.resolve(id).resolve(RECORD), RunRecord.class);
    }

    private static RunRecord readOrNull(Path file) {
        try {
            return Specs.read(file, RunRecord.class);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** A record that could not be read: its file and what was wrong. */
    public record Corrupt(Path file, String problem) {
        /** One line naming the file, the problem and the fix. */
        public String describe() {
            return "corrupt record " + file + ": " + problem + "; the other runs are unaffected: repair the "
                    + "file, or move its folder out of the runs directory";
        }
    }

    /**
     * Every record, oldest first (a run still marked {@code running} whose process is gone shown as
     * {@code interrupted}), and every record that could not be read.
     */
    public record Listing(List<RunRecord> records, List<Corrupt> corrupt) {}

    /** Every readable record, oldest first; corrupt ones are left out (see {@link #scan}). */
    public List<RunRecord> list() {
        return scan().records();
    }

    /** Every record, and every corrupt one by its file: one bad file never hides the others. */
    public Listing scan() {
        List<RunRecord> out = new ArrayList<>();
        List<Corrupt> corrupt = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return new Listing(out, corrupt);
        }
        for (Path d : runDirs()) {
            Path f = d.resolve(RECORD);
            if (!Files.isRegularFile(f)) {
                continue;
            }
            RunRecord r;
            try {
                r = Specs.read(f, RunRecord.class);
            } catch (RuntimeException e) {
                String problem = String.valueOf(e.getMessage());
                // the reader's message starts with the file, which the listing names already
                corrupt.add(new Corrupt(
                        f,
                        problem.startsWith(f.toString())
                                ? problem.substring(f.toString().length()).strip()
                                : problem));
                continue;
            }
            if (RunRecord.RUNNING.equals(r.status()) && !live(d)) {
                r = r.stopped(stoppedWhy(r));
            }
            out.add(r);
        }
        return new Listing(out, corrupt);
    }

    private static String stoppedWhy(RunRecord r) {
        int epochs = r.curve() == null ? 0 : r.curve().size();
        RunRecord.Heartbeat h = r.heartbeat();
        return "the process stopped without finishing (last heartbeat "
                + (h == null ? "unknown" : h.time() + ", pid " + h.pid() + " on " + h.host()) + ") after " + epochs
                + (epochs == 1 ? " epoch" : " epochs") + "; run the same spec again to resume it";
    }

    private List<Path> runDirs() {
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(Files::isDirectory)
                    .sorted(Comparator.naturalOrder())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list runs in " + root + ": " + e.getMessage(), e);
        }
    }

    /**
     * Removes temporary files left by writes that never finished (a process killed mid-write): in the
     * folders of runs that are not going on, and elsewhere under the root (e.g. {@code teachers/})
     * those older than {@link #TEMP_AGE}. Returns how many it removed.
     */
    public int sweep() {
        if (!Files.isDirectory(root)) {
            return 0;
        }
        int removed = 0;
        Instant cutoff = Instant.now().minus(TEMP_AGE);
        for (Path d : runDirs()) {
            List<Path> leftovers;
            try (Stream<Path> files = Files.walk(d)) {
                leftovers = files.filter(RunStore::temporary).toList();
            } catch (IOException e) {
                continue; // a folder that cannot be read is left as it is; listing it will say so
            }
            if (leftovers.isEmpty()) {
                continue;
            }
            boolean run = Files.exists(d.resolve(LOCK)) || Files.exists(d.resolve(RECORD));
            if (run && live(d)) {
                continue;
            }
            for (Path f : leftovers) {
                try {
                    if (run || Files.getLastModifiedTime(f).toInstant().isBefore(cutoff)) {
                        removed += Files.deleteIfExists(f) ? 1 : 0;
                    }
                } catch (IOException e) {
                    // gone meanwhile, or not ours to delete: left as it is
                }
            }
        }
        return removed;
    }

    /** Deletes a run's folder and everything in it (a run that never got going). */
    static void deleteRun(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir + ": " + e.getMessage(), e);
        }
    }

    private static boolean temporary(Path f) {
        String n = f.getFileName().toString();
        return n.startsWith(".") && n.endsWith(".tmp") && Files.isRegularFile(f);
    }

    static String slug(String s) {
        String t = s.toLowerCase().replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
        return t.length() > 24 ? t.substring(0, 24) : t;
    }
}
