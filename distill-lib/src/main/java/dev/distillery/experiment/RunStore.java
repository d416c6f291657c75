package dev.distillery.experiment;

import dev.distillery.spec.Specs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/** Run records under one directory (default {@code runs/}), one folder per run, written atomically. */
public final class RunStore {

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final Path root;

    public RunStore(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /**
     * A fresh, unique run id such as {@code 20261124-101500-003-quickstart-mlp64-kd-s1}. The counter
     * follows the time stamp so that ids sort in the order runs started, even within one second.
     */
    public String newId(String experiment, String student, String recipe, long seed) {
        String stamp = STAMP.format(LocalDateTime.now());
        String rest = slug(experiment) + "-" + slug(student) + "-" + slug(recipe) + "-s" + seed;
        String id;
        do {
            id = stamp + String.format("-%03d-", COUNTER.incrementAndGet() % 1000) + rest;
        } while (Files.exists(root.resolve(id)));
        return id;
    }

    public Path dir(String id) {
        return root.resolve(id);
    }

    /** Writes (or replaces) {@code <root>/<id>/record.json}; readers never see half a record. */
    public Path write(RunRecord record) {
        Path file = root.resolve(record.id()).resolve("record.json");
        Specs.write(record, file);
        return file;
    }

    public RunRecord read(String id) {
        return Specs.read(root.resolve(id).resolve("record.json"), RunRecord.class);
    }

    /** Every readable record, oldest first. */
    public List<RunRecord> list() {
        List<RunRecord> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : dirs.sorted(Comparator.naturalOrder()).toList()) {
                Path f = d.resolve("record.json");
                if (Files.isRegularFile(f)) {
                    out.add(Specs.read(f, RunRecord.class));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list runs in " + root + ": " + e.getMessage(), e);
        }
        return out;
    }

    static String slug(String s) {
        String t = s.toLowerCase().replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
        return t.length() > 24 ? t.substring(0, 24) : t;
    }
}
