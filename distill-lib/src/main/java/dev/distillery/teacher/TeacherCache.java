package dev.distillery.teacher;

import dev.distillery.data.LabeledData;
import dev.distillery.model.Network;
import dev.distillery.spec.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Teacher outputs computed once per (teacher, dataset) and reused: in memory for this JVM, and on
 * disk under {@code ~/.cache/distillery/teacher-outputs} (or {@code $DISTILLERY_CACHE}) across runs.
 */
public final class TeacherCache {

    private static volatile TeacherCache shared;

    private final Path dir;
    private final Map<String, INDArray> memory = new ConcurrentHashMap<>();
    private final AtomicLong computed = new AtomicLong();
    private final AtomicLong hits = new AtomicLong();

    /** A cache on {@code dir}; null keeps it in memory only. */
    public TeacherCache(Path dir) {
        this.dir = dir;
    }

    public static TeacherCache shared() {
        if (shared == null) {
            synchronized (TeacherCache.class) {
                if (shared == null) {
                    shared = new TeacherCache(defaultDir());
                }
            }
        }
        return shared;
    }

    public static Path defaultDir() {
        String env = System.getenv("DISTILLERY_CACHE");
        Path root = env != null && !env.isBlank()
                ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache", "distillery");
        return root.resolve("teacher-outputs");
    }

    public INDArray logits(Teacher teacher, LabeledData data) {
        return outputs(teacher, data, List.of(Network.LOGITS)).get(Network.LOGITS);
    }

    /**
     * The teacher's outputs {@code names} (e.g. {@code logits}, {@code layer3}, {@code features})
     * for every row of {@code data}, each {@code [N, prod(shape)]}. Those not cached are computed
     * together in one pass over the data, which counts as one computation.
     */
    public Map<String, INDArray> outputs(Teacher teacher, LabeledData data, List<String> names) {
        String key = Teacher.key(teacher, data);
        Map<String, INDArray> out = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (String name : names) {
            INDArray a = memory.get(key + "." + name);
            if (a == null) {
                a = read(file(key, name), data.size());
                if (a != null) {
                    memory.put(key + "." + name, a);
                }
            }
            if (a == null) {
                missing.add(name);
            } else {
                out.put(name, a);
            }
        }
        if (missing.isEmpty()) {
            hits.incrementAndGet();
        } else {
            Map<String, INDArray> fresh = teacher.model().outputs(data, missing);
            computed.incrementAndGet();
            fresh.forEach((name, a) -> {
                memory.put(key + "." + name, a);
                Path f = file(key, name);
                if (f != null) {
                    AtomicFiles.write(f, o -> {
                        DataOutputStream d = new DataOutputStream(o);
                        Nd4j.write(a, d);
                        d.flush();
                    });
                }
            });
            out.putAll(fresh);
        }
        Map<String, INDArray> ordered = new LinkedHashMap<>();
        names.forEach(n -> ordered.put(n, out.get(n)));
        return ordered;
    }

    private Path file(String key, String name) {
        return dir == null ? null : dir.resolve(key + "." + name);
    }

    private static INDArray read(Path file, int rows) {
        if (file == null || !Files.isRegularFile(file)) {
            return null;
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            INDArray a = Nd4j.read(new DataInputStream(in));
            return a.rows() == rows ? a : null;
        } catch (IOException | RuntimeException e) {
            return null; // an unreadable entry is recomputed and rewritten
        }
    }

    /** Makes {@code cache} the one {@link #shared()} returns, e.g. an in-memory cache for an isolated session or test. */
    public static synchronized void setShared(TeacherCache cache) {
        shared = cache;
    }

    /** How many passes of a teacher over a dataset were computed rather than served from the cache. */
    public long computedCount() {
        return computed.get();
    }

    public long hitCount() {
        return hits.get();
    }

    public Path directory() {
        return dir;
    }
}
