package dev.distillery.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.distillery.backend.Backend;
import dev.distillery.backend.JvmDefaults;
import dev.distillery.backend.Versions;
import dev.distillery.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Training-step benchmarks: each case runs the library's real training path (the {@link Trainer})
 * on fixed shapes, in its own JVM with an explicit thread count, and its PyTorch twin in
 * {@code bench/torch/reference.py} runs the same model, loss, batch and optimizer. Each reports the
 * median milliseconds per step after warm-up and its peak resident memory; {@code all} runs every
 * case against its reference, prints the table and writes it as JSON under {@code bench/results/}.
 */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        subcommands = {Bench.One.class, Bench.All.class},
        description = "Distillery against PyTorch on the same training steps; see bench/README.md")
public final class Bench implements Runnable {

    /** The cases, in the order the table lists them. */
    static final List<String> CASES = List.of(
            "kd-mlp-256",
            "kd-mlp-800x800",
            "teacher-cnn",
            "transformer-hidden",
            "noise-vit",
            "noise-speech",
            "sweep-cache",
            "workflow-quickstart",
            "workflow-sweep",
            "workflow-sentences",
            "startup",
            "gemm");

    /** Cases with no PyTorch twin: Distillery against itself. */
    static final List<String> ALONE = List.of("noise-vit", "noise-speech", "sweep-cache");

    /** The case names, for help and completion. */
    static final class Names implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return CASES.iterator();
        }
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Bench()).execute(args));
    }

    /** One case, in this JVM: prints one JSON object. */
    @Command(name = "case", description = "run one case here and print its JSON row")
    static final class One implements Callable<Integer> {
        @Parameters(
                index = "0",
                paramLabel = "CASE",
                description = "one of: ${COMPLETION-CANDIDATES}",
                completionCandidates = Names.class)
        String name;

        @Option(names = "--threads", defaultValue = "1")
        int threads;

        @Option(
                names = "--warmup",
                defaultValue = "10",
                description =
                        "at least this many steps before timing, and at least " + "10 s (default: ${DEFAULT-VALUE})")
        int warmup;

        @Option(names = "--steps", defaultValue = "40", description = "timed steps (default: ${DEFAULT-VALUE})")
        int steps;

        @Override
        public Integer call() throws Exception {
            Backend.start(threads);
            long backendReady = System.currentTimeMillis();
            Map<String, Object> row = switch (name) {
                case "kd-mlp-256" -> Cases.kd("mlp:256", 128, warmup, steps);
                case "kd-mlp-800x800" -> Cases.kd("mlp:800x800", 128, warmup, steps);
                case "teacher-cnn" -> Cases.teacherCnn(warmup, steps);
                case "transformer-hidden" -> Cases.transformer(warmup, steps);
                case "noise-vit" -> Cases.noise(name, "vit:2x64", warmup, steps);
                case "noise-speech" -> Cases.noise(name, "speech:2x64,frame=40,length=98", warmup, steps);
                case "gemm" -> Cases.gemm();
                case "sweep-cache" -> Cases.sweep();
                case "workflow-quickstart" -> Workflows.quickstart();
                case "workflow-sweep" -> Cases.sweepWorkflow();
                case "workflow-sentences" -> Workflows.sentences(threads);
                case "startup" -> Workflows.startup(backendReady);
                default ->
                    throw new CommandLine.ParameterException(
                            new CommandLine(this), "unknown case '" + name + "'; known: " + String.join(", ", CASES));
            };
            row.put("threads", threads);
            long peak = StepTimer.peakRssMb();
            row.put("peak_rss_mb", peak);
            row.put("memory", StepTimer.MEMORY.report(peak));
            System.out.println(new ObjectMapper().writeValueAsString(row));
            return 0;
        }
    }

    /** Every case (or those named) at 1 and 2 threads, each against its PyTorch reference. */
    @Command(name = "all", description = "run every case against PyTorch, print the table, write bench/results/*.json")
    static final class All implements Callable<Integer> {
        @Option(names = "--cases", split = ",", description = "a subset of the cases (default: all)")
        List<String> cases = CASES;

        @Option(
                names = "--threads",
                split = ",",
                defaultValue = "1,2",
                description = "thread counts (default: ${DEFAULT-VALUE})")
        List<Integer> threads;

        @Option(names = "--steps", defaultValue = "40")
        int steps;

        @Option(names = "--python", defaultValue = "/usr/bin/python3")
        String python;

        @Option(names = "--out", defaultValue = "bench/results", description = "where the JSON goes")
        Path out;

        @Override
        public Integer call() throws Exception {
            String cp = System.getProperty("java.class.path");
            String java =
                    Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<Map<String, Object>> rows = new ArrayList<>();
            Map<Integer, Double> peak = new LinkedHashMap<>();
            for (int t : threads) {
                for (String c : cases) {
                    System.err.printf("bench: %s at %d thread%s ...%n", c, t, t == 1 ? "" : "s");
                    List<String> jvm = new ArrayList<>(List.of(java, "-Xmx8g"));
                    jvm.addAll(JvmDefaults.OPTIONS);
                    jvm.addAll(List.of(
                            "-cp",
                            cp,
                            Bench.class.getName(),
                            "case",
                            c,
                            "--threads",
                            String.valueOf(t),
                            "--steps",
                            String.valueOf(steps)));
                    Map<String, Object> ours = json(run(jvm, t));
                    List<String> twin = new ArrayList<>(List.of(
                            python,
                            "bench/torch/reference.py",
                            c,
                            "--threads",
                            String.valueOf(t),
                            "--steps",
                            String.valueOf(steps)));
                    if (ours.containsKey("plan")) {
                        twin.addAll(List.of("--plan", new ObjectMapper().writeValueAsString(ours.get("plan"))));
                    }
                    Map<String, Object> ref = ALONE.contains(c)
                            ? Map.of("ms_per_step", ours.get("reference_ms"), "peak_rss_mb", "-")
                            : json(run(twin, t));
                    Workflows.cleanUp(ours);
                    if (c.equals("gemm")) {
                        peak.put(t, ((Number) ours.get("gflops")).doubleValue());
                    }
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("case", c);
                    row.put("threads", t);
                    row.put("distillery_ms", ours.get("ms_per_step"));
                    row.put("pytorch_ms", ref.get("ms_per_step"));
                    double a = ((Number) ours.get("ms_per_step")).doubleValue();
                    double b = ((Number) ref.get("ms_per_step")).doubleValue();
                    row.put("ratio", Math.round(1000 * a / b) / 1000.0);
                    row.put("gflop_per_step", ours.get("gflop_per_step"));
                    row.put("distillery_peak_rss_mb", ours.get("peak_rss_mb"));
                    row.put("pytorch_peak_rss_mb", ref.get("peak_rss_mb"));
                    row.put("distillery", ours);
                    row.put("pytorch", ref);
                    rows.add(row);
                }
            }
            for (Map<String, Object> row : rows) {
                Double p = peak.get((Integer) row.get("threads"));
                Object g = row.get("gflop_per_step");
                if (p != null && g != null && !row.get("case").equals("gemm")) {
                    double achieved =
                            ((Number) g).doubleValue() / (((Number) row.get("distillery_ms")).doubleValue() / 1000);
                    row.put("pct_of_gemm_peak", Math.round(1000 * achieved / p) / 10.0);
                }
            }
            System.out.println(table(rows));
            Files.createDirectories(out);
            Path file = out.resolve(
                    "bench-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").format(LocalDateTime.now()) + ".json");
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("machine", machine());
            doc.put("versions", Versions.all());
            doc.put("rows", rows);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), doc);
            System.out.println("written to " + file);
            return 0;
        }

        /**
         * Runs {@code cmd} with every thread pool it may use (OpenMP, OpenBLAS, MKL) limited to
         * {@code threads}, and OpenMP's idle workers waiting passively.
         */
        private static String run(List<String> cmd, int threads) throws IOException, InterruptedException {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
            for (String v : List.of("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")) {
                pb.environment().put(v, String.valueOf(threads));
            }
            // both sides: idle OpenMP workers sleep rather than spin against the BLAS threads
            pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + ")");
            }
            String text = new String(out, java.nio.charset.StandardCharsets.UTF_8).strip();
            return text.substring(text.lastIndexOf('\n') + 1);
        }

        @SuppressWarnings("unchecked")
        private static Map<String, Object> json(String line) throws IOException {
            return new ObjectMapper().readValue(line, Map.class);
        }
    }

    static String table(List<Map<String, Object>> rows) {
        StringBuilder s = new StringBuilder(String.format(
                "%-20s %7s %14s %12s %7s %11s %14s %12s%n",
                "case", "threads", "distillery ms", "pytorch ms", "ratio", "% of GEMM", "distillery MB", "pytorch MB"));
        for (Map<String, Object> r : rows) {
            s.append(String.format(
                    Locale.ROOT,
                    "%-20s %7s %14.3f %12.3f %7.2f %11s %14s %12s%n",
                    r.get("case"),
                    r.get("threads"),
                    ((Number) r.get("distillery_ms")).doubleValue(),
                    ((Number) r.get("pytorch_ms")).doubleValue(),
                    ((Number) r.get("ratio")).doubleValue(),
                    r.containsKey("pct_of_gemm_peak") ? r.get("pct_of_gemm_peak") : "-",
                    r.get("distillery_peak_rss_mb"),
                    r.get("pytorch_peak_rss_mb")));
        }
        s.append("(ratio > 1 means Distillery is slower. Seconds, not ms, for workflow-*, sweep-cache and startup: "
                        + "the whole job; startup: from process start to the first training step done. noise-*: ms "
                        + "per step on N(0, 1) inputs, and in the PyTorch column on real-like inputs of the same "
                        + "shapes. sweep-cache: with the teacher-output cache, and in the PyTorch column with the "
                        + "teacher recomputed every step. gemm: ms per multiply of the largest shape)")
                .append(System.lineSeparator())
                .append(System.lineSeparator());
        s.append(String.format(
                "%-20s %7s %11s %8s %11s %9s %6s %7s %9s %6s%n",
                "memory (MB)",
                "threads",
                "distillery",
                "heap",
                "workspaces",
                "off-heap",
                "JVM",
                "native",
                "pytorch",
                "ratio"));
        for (Map<String, Object> r : rows) {
            Map<?, ?> ours = (Map<?, ?>) r.get("distillery");
            Map<?, ?> m = (Map<?, ?>) ours.get("memory");
            Object theirs = r.get("pytorch_peak_rss_mb");
            String ratio = theirs instanceof Number n
                    ? String.format(
                            Locale.ROOT,
                            "%.2f",
                            ((Number) r.get("distillery_peak_rss_mb")).doubleValue() / n.doubleValue())
                    : "-";
            s.append(String.format(
                    Locale.ROOT,
                    "%-20s %7s %11s %8s %11s %9s %6s %7s %9s %6s%n",
                    r.get("case"),
                    r.get("threads"),
                    r.get("distillery_peak_rss_mb"),
                    m.get("heap_used_mb"),
                    m.get("workspaces_mb"),
                    m.get("offheap_arrays_mb"),
                    m.get("jvm_nonheap_mb"),
                    m.get("native_mb"),
                    theirs,
                    ratio));
        }
        return s.append("(peak resident set; Distillery's split into the largest Java heap in use, ND4J's "
                        + "workspaces, its other off-heap arrays, the JVM's own non-heap memory, and the rest: "
                        + "native libraries, their allocations, thread stacks)")
                .toString();
    }

    static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        try {
            String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .orElse("?");
            m.put("cpu", cpu);
        } catch (IOException e) {
            m.put("cpu", "?");
        }
        m.put("backend", Backend.report());
        return m;
    }
}
