package dev.distillery.backend;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

/** ND4J start-up: thread control and a one-line report of what is doing the arithmetic. */
public final class Backend {

    private static volatile int threads = -1;

    private Backend() {}

    /**
     * Starts ND4J with an explicit thread count. On small machines one thread is often faster than
     * two for small models, so every entry point says how many it wants.
     */
    public static synchronized void start(int threadCount) {
        if (threadCount < 1) {
            throw new IllegalArgumentException(
                    "threads must be at least 1, got " + threadCount + "; use 1 for small models");
        }
        Nd4j.getEnvironment().setMaxMasterThreads(threadCount);
        Nd4j.getEnvironment().setMaxThreads(threadCount);
        // libnd4j's OpenMP regions and oneDNN read OpenMP's own count (one per core by default), not the
        // limits above; left at 2 on a 2-core machine, the idle worker spins after every op and halves speed
        NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threadCount);
        // OpenBLAS keeps its own pool (one per core) unless told: two jobs would then oversubscribe
        Nd4j.factory().blas().setMaxThreads(threadCount);
        Nd4j.setDefaultDataTypes(org.nd4j.linalg.api.buffer.DataType.FLOAT, org.nd4j.linalg.api.buffer.DataType.FLOAT);
        threads = threadCount;
    }

    /** Starts ND4J with the default: {@code $DISTILLERY_THREADS}, else one thread per core. */
    public static void start() {
        if (threads > 0) {
            return;
        }
        start(threadsOrDefault());
    }

    /** The threads ND4J runs with, or, before it starts, the count {@link #start()} would give it. */
    public static int threadsOrDefault() {
        if (threads > 0) {
            return threads;
        }
        String env = System.getenv("DISTILLERY_THREADS");
        return env == null || env.isBlank() ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(env.trim());
    }

    public static int threads() {
        return threads;
    }

    /**
     * What does the arithmetic, for run records: the BLAS library and its threads, the CPU, and the native
     * kernel build ND4J loaded (e.g. {@code onednn-avx2}: oneDNN, compiled for AVX2).
     */
    public static Map<String, String> arithmetic() {
        start();
        Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("blas", String.valueOf(env.getOrDefault("blas.vendor", "unknown")));
        m.put("blas.threads", String.valueOf(env.getOrDefault("blas.threads", "unknown")));
        m.put("cpu", cpuModel());
        String classifier = Versions.get("nd4j.classifier");
        String platform =
                System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).replace(" ", "") + "-";
        m.put(
                "cpu.kernel",
                classifier
                        .replaceFirst("^" + java.util.regex.Pattern.quote(platform) + "[^-]+-?", "")
                        .replaceFirst("^$", "generic"));
        return m;
    }

    /** The CPU's model name from {@code /proc/cpuinfo}, or the architecture where that is not readable; read once. */
    private static String cpuModel() {
        return CpuModel.NAME;
    }

    private static final class CpuModel {
        static final String NAME = read();

        private static String read() {
            try (java.util.stream.Stream<String> lines =
                    java.nio.file.Files.lines(java.nio.file.Path.of("/proc/cpuinfo"))) {
                return lines.filter(l -> l.startsWith("model name"))
                        .map(l -> l.substring(l.indexOf(':') + 1).trim())
                        .findFirst()
                        .orElse(System.getProperty("os.arch"));
            } catch (java.io.IOException | java.io.UncheckedIOException e) {
                return System.getProperty("os.arch");
            }
        }
    }

    /** One line: backend, device, BLAS, threads, e.g. {@code nd4j CPU (linux-x86_64-onednn-avx2) · OPENBLAS · 1 thread · 2 cores}. */
    public static String report() {
        start();
        Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
        String device = String.valueOf(env.getOrDefault("backend", "?"));
        String blas = String.valueOf(env.getOrDefault("blas.vendor", "?"));
        String cores =
                String.valueOf(env.getOrDefault("cores", Runtime.getRuntime().availableProcessors()));
        return "nd4j " + Versions.get("nd4j") + " " + device + " (" + Versions.get("nd4j.classifier") + ") · "
                + blas + " (" + env.getOrDefault("blas.threads", "?") + " BLAS threads) · " + threads
                + (threads == 1 ? " thread" : " threads") + " · " + cores + " cores";
    }
}
