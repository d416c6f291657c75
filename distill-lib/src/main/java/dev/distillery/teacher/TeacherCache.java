package dev.distillery.teacher;

import dev.distillery.data.LabeledData;
import dev.distillery.model.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
        Path root = env != null && !env.isBlank() ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache", "distillery");
        return root.resolve("teacher-outputs");
    }

    public INDArray logits(Teacher teacher, LabeledData data) {
        String key = Teacher.key(teacher, data);
        INDArray m = memory.get(key);
        if (m != null) {
            hits.incrementAndGet();
            return m;
        }
        Path file = dir == null ? null : dir.resolve(key + ".logits");
        if (file != null && Files.isRegularFile(file)) {
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
                INDArray a = Nd4j.read(new DataInputStream(in));
                if (a.rows() == data.size()) {
                    memory.put(key, a);
                    hits.incrementAndGet();
                    return a;
                }
            } catch (IOException | RuntimeException e) {
                // an unreadable cache entry is recomputed and rewritten below
            }
        }
        INDArray a = teacher.computeLogits(data);
        computed.incrementAndGet();
        memory.put(key, a);
        if (file != null) {
            AtomicFiles.write(file, out -> {
                DataOutputStream d = new DataOutputStream(out);
                Nd4j.write(a, d);
                d.flush();
            });
        }
        return a;
    }

    /** How many times logits were computed rather than reused. */
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
