package dev.distillery.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.distillery.backend.Backend;
import dev.distillery.backend.Versions;
import dev.distillery.data.FashionMnist;
import dev.distillery.data.LabeledData;
import dev.distillery.data.Splits;
import dev.distillery.distill.Distill;
import dev.distillery.model.TeacherOutput;
import dev.distillery.model.Budgets;
import dev.distillery.teacher.Teacher;
import dev.distillery.teacher.TeacherCache;
import dev.distillery.tensor.Tape;
import dev.distillery.loss.FeatureLoss;
import dev.distillery.loss.Losses;
import dev.distillery.model.CrossEntropy;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.Network;
import dev.distillery.model.Objective;
import dev.distillery.model.Progress;
import dev.distillery.model.Trainer;
import dev.distillery.model.TrainingListener;
import dev.distillery.model.TrainingOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
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
@Command(name = "bench", mixinStandardHelpOptions = true, subcommands = {Bench.One.class, Bench.All.class},
        description = "Distillery against PyTorch on the same training steps; see bench/README.md")
public final class Bench implements Runnable {

    /** The cases, in the order the table lists them. */
    static final List<String> CASES = List.of("kd-mlp-256", "kd-mlp-800x800", "teacher-cnn", "transformer-hidden",
            "sweep-cache", "gemm");

    /** Cases with no PyTorch twin: Distillery against itself. */
    static final List<String> ALONE = List.of("sweep-cache");

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
        @Parameters(index = "0", paramLabel = "CASE", description = "one of: kd-mlp-256, kd-mlp-800x800, teacher-cnn, "
                + "transformer-hidden, sweep-cache, gemm")
        String name;

        @Option(names = "--threads", defaultValue = "1")
        int threads;

        @Option(names = "--warmup", defaultValue = "10", description = "at least this many steps before timing, and at least "
                + "10 s (default: ${DEFAULT-VALUE})")
        int warmup;

        @Option(names = "--steps", defaultValue = "40", description = "timed steps (default: ${DEFAULT-VALUE})")
        int steps;

        @Override
        public Integer call() throws Exception {
            Backend.start(threads);
            Map<String, Object> row = switch (name) {
                case "kd-mlp-256" -> kd("mlp:256", 128, warmup, steps);
                case "kd-mlp-800x800" -> kd("mlp:800x800", 128, warmup, steps);
                case "teacher-cnn" -> teacherCnn(warmup, steps);
                case "transformer-hidden" -> transformer(warmup, steps);
                case "gemm" -> gemm();
                case "sweep-cache" -> sweep();
                default -> throw new CommandLine.ParameterException(new CommandLine(this),
                        "unknown case '" + name + "'; known: " + String.join(", ", CASES));
            };
            row.put("threads", threads);
            row.put("peak_rss_mb", peakRssMb());
            System.out.println(new ObjectMapper().writeValueAsString(row));
            return 0;
        }
    }

    /** Every case (or those named) at 1 and 2 threads, each against its PyTorch reference. */
    @Command(name = "all", description = "run every case against PyTorch, print the table, write bench/results/*.json")
    static final class All implements Callable<Integer> {
        @Option(names = "--cases", split = ",", description = "a subset of the cases (default: all)")
        List<String> cases = CASES;

        @Option(names = "--threads", split = ",", defaultValue = "1,2", description = "thread counts (default: ${DEFAULT-VALUE})")
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
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            List<Map<String, Object>> rows = new ArrayList<>();
            Map<Integer, Double> peak = new LinkedHashMap<>();
            for (int t : threads) {
                for (String c : cases) {
                    System.err.printf("bench: %s at %d thread%s ...%n", c, t, t == 1 ? "" : "s");
                    Map<String, Object> ours = json(run(List.of(java, "-Xmx8g", "-cp", cp, Bench.class.getName(), "case", c,
                            "--threads", String.valueOf(t), "--steps", String.valueOf(steps)), t));
                    Map<String, Object> ref = ALONE.contains(c) ? Map.of("ms_per_step", ours.get("reference_ms"), "peak_rss_mb",
                            "-") : json(run(List.of(python, "bench/torch/reference.py", c, "--threads", String.valueOf(t),
                            "--steps", String.valueOf(steps)), t));
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
                    double achieved = ((Number) g).doubleValue() / (((Number) row.get("distillery_ms")).doubleValue() / 1000);
                    row.put("pct_of_gemm_peak", Math.round(1000 * achieved / p) / 10.0);
                }
            }
            System.out.println(table(rows));
            Files.createDirectories(out);
            Path file = out.resolve("bench-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").format(LocalDateTime.now())
                    + ".json");
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
        StringBuilder s = new StringBuilder(String.format("%-20s %7s %14s %12s %7s %11s %14s %12s%n", "case", "threads",
                "distillery ms", "pytorch ms", "ratio", "% of GEMM", "distillery MB", "pytorch MB"));
        for (Map<String, Object> r : rows) {
            s.append(String.format(Locale.ROOT, "%-20s %7s %14.3f %12.3f %7.2f %11s %14s %12s%n", r.get("case"),
                    r.get("threads"), ((Number) r.get("distillery_ms")).doubleValue(),
                    ((Number) r.get("pytorch_ms")).doubleValue(), ((Number) r.get("ratio")).doubleValue(),
                    r.containsKey("pct_of_gemm_peak") ? r.get("pct_of_gemm_peak") : "-", r.get("distillery_peak_rss_mb"),
                    r.get("pytorch_peak_rss_mb")));
        }
        return s.append("(ratio > 1 means Distillery is slower; gemm: ms per multiply of the largest shape; sweep-cache: "
                + "seconds for 8 students with the teacher-output cache, and in the PyTorch column with the teacher "
                + "recomputed every step, so its ratio is the cache's speed-up inverted)").toString();
    }

    static Map<String, Object> machine() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        try {
            String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
            m.put("cpu", cpu);
        } catch (IOException e) {
            m.put("cpu", "?");
        }
        m.put("backend", Backend.report());
        return m;
    }

    /** A KD student step: Hinton T=4, α=0.5, Adam, teacher logits cached (given as data). */
    static Map<String, Object> kd(String spec, int batch, int warmup, int steps) {
        int n = batch * steps;
        LabeledData train = images(n);
        INDArray teacher = uniform(n, 10, 7, 4.0);
        Network net = Network.build(ModelSpec.parse(spec), 1);
        Map<String, Object> row = time(net, Losses.hinton(4.0, 0.5), train, teacher, Map.of(), batch, warmup);
        long[] sizes = mlpSizes(spec);
        row.put("gflop_per_step", 3.0 * 2 * batch * matmuls(sizes) / 1e9);
        row.put("case", spec.equals("mlp:256") ? "kd-mlp-256" : "kd-mlp-800x800");
        return row;
    }

    /** The quickstart CNN teacher's step: cross-entropy on every label, dropout 0.3, Adam. */
    static Map<String, Object> teacherCnn(int warmup, int steps) {
        int batch = 128;
        int n = batch * steps;
        Network net = Network.build(ModelSpec.parse("cnn:32x64,dense=128,dropout=0.3"), 1);
        Map<String, Object> row = time(net, new CrossEntropy(), images(n), null, Map.of(), batch, warmup);
        // conv 1: 28×28×9×1×32, conv 2: 14×14×9×32×64, dense 3136×128, 128×10 (multiply-adds per example)
        double macs = 28 * 28 * 9 * 32 + 14 * 14 * 9 * 32 * 64 + 3136.0 * 128 + 128 * 10;
        row.put("gflop_per_step", 3.0 * 2 * batch * macs / 1e9);
        row.put("case", "teacher-cnn");
        return row;
    }

    /**
     * A 4-layer transformer student (width 128, 4 heads, FFN 512, sequence 64 of 16-value frames,
     * batch 32) with Hinton's loss plus MSE between its last layer and cached teacher hidden states.
     */
    static Map<String, Object> transformer(int warmup, int steps) {
        int batch = 32;
        int n = batch * steps;
        ModelSpec spec = ModelSpec.parse("speech:4x128,heads=4,ffn=4,frame=16,length=64");
        Network net = Network.build(spec, 1);
        Network teacherNet = Network.build(spec, 2);
        LabeledData train = frames(n, 64 * 16);
        FeatureLoss loss = new FeatureLoss(Losses.hinton(4.0, 0.5), List.of(FeatureLoss.Match.parse("layer3:mse,proj=none")),
                null, null, null);
        Objective bound = loss.bind(teacherNet, net);
        Map<TeacherOutput, INDArray> states = Map.of(TeacherOutput.of("layer3"), uniform(n, 64 * 128, 9, 1.0));
        Map<String, Object> row = time(net, bound, train, uniform(n, 10, 7, 4.0), states, batch, warmup);
        double d = 128;
        double s = 64;
        double perLayer = s * (4 * d * d + 2 * d * 512) + 2 * s * s * d;
        row.put("gflop_per_step", 3.0 * 2 * batch * (4 * perLayer + s * 16 * d + d * 10) / 1e9);
        row.put("case", "transformer-hidden");
        return row;
    }

    /**
     * A depth × width sweep of 8 MLP students (depths 1, 2 × widths 32, 64, 128, 256), one epoch each
     * on 4,096 images, from a CNN teacher: with the teacher-output cache (the teacher runs once per
     * dataset for the whole sweep), against the cost of recomputing the teacher's logits every step
     * (a teacher forward pass on each batch, on top of the same training). Seconds for the whole sweep.
     */
    static Map<String, Object> sweep() {
        LabeledData all = images(6144);
        Splits data = new Splits(all.rows(java.util.stream.IntStream.range(0, 4096).toArray(), "train"),
                all.rows(java.util.stream.IntStream.range(4096, 5120).toArray(), "validation"),
                all.rows(java.util.stream.IntStream.range(5120, 6144).toArray(), "test"));
        Teacher teacher = new Teacher("cnn", Network.build(ModelSpec.parse("cnn:32x64,dense=128,dropout=0.3"), 1), null);
        List<ModelSpec> students = Budgets.grid("mlp", List.of(1, 2), List.of(32, 64, 128, 256), 1, 1, 1).stream()
                .map(Budgets.Candidate::spec).toList();
        TeacherCache cache = new TeacherCache(null);
        TeacherCache.setShared(cache);
        long t0 = System.nanoTime();
        for (ModelSpec s : students) {
            Distill.from(teacher).into(s).with(Losses.hinton(4.0, 0.5)).on(data).epochs(1).seed(1).run();
        }
        double cached = (System.nanoTime() - t0) / 1e9;
        long computed = cache.computedCount();
        // the same sweep, each step also paying a teacher forward pass on a batch, and a fresh cache per student
        INDArray batch = data.train().features().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 128),
                org.nd4j.linalg.indexing.NDArrayIndex.all());
        TrainingListener recompute = new TrainingListener() {
            @Override
            public void onStep(Progress p) {
                teacher.network().forward(batch);
            }
        };
        t0 = System.nanoTime();
        for (ModelSpec s : students) {
            TeacherCache.setShared(new TeacherCache(null));
            Distill.from(teacher).into(s).with(Losses.hinton(4.0, 0.5)).on(data).epochs(1).seed(1).listener(recompute).run();
        }
        double recomputed = (System.nanoTime() - t0) / 1e9;
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("case", "sweep-cache");
        row.put("impl", "distillery");
        row.put("ms_per_step", cached);
        row.put("reference_ms", recomputed);
        row.put("unit", "seconds per sweep");
        row.put("students", students.size());
        row.put("teacher_passes_with_cache", computed);
        row.put("speedup", Math.round(100 * recomputed / cached) / 100.0);
        return row;
    }

    /**
     * Matrix multiplies at the shapes above through the library's own path (a tape's {@code mmul}:
     * OpenBLAS on the CPU) and, for comparison, through ND4J's matmul op and {@code INDArray.mmuli}:
     * GFLOP/s of each; the best of the library's path is the GEMM peak the other cases are a share of.
     */
    static Map<String, Object> gemm() {
        long[][] shapes = {{128, 784, 256}, {128, 784, 800}, {128, 800, 800}, {2048, 128, 512}, {2048, 512, 128}};
        Map<String, Object> row = new LinkedHashMap<>();
        double best = 0;
        double lastMs = 0;
        List<Map<String, Object>> each = new ArrayList<>();
        for (long[] mkn : shapes) {
            INDArray a = uniform((int) mkn[0], (int) mkn[1], 3, 1.0);
            INDArray b = uniform((int) mkn[1], (int) mkn[2], 4, 1.0);
            INDArray c = Nd4j.create(DataType.FLOAT, mkn[0], mkn[2]);
            // in a memory workspace, as in a training step, so the product is timed and not the allocation
            double med = medianMs(() -> {
                try (org.nd4j.linalg.api.memory.MemoryWorkspace ws = dev.distillery.tensor.Memory.open("bench-gemm")) {
                    Tape t = Tape.inference();
                    t.constant(a).mmul(t.constant(b));
                }
            });
            double op = medianMs(() -> Nd4j.exec(new org.nd4j.linalg.api.ops.impl.reduce.Mmul(a, b, c, null)));
            double blas = medianMs(() -> a.mmuli(b, c));
            double flop = 2.0 * mkn[0] * mkn[1] * mkn[2];
            double gflops = flop / (med / 1000) / 1e9;
            best = Math.max(best, gflops);
            lastMs = med;
            each.add(Map.of("shape", Arrays.toString(mkn), "ms", med, "gflops", Math.round(gflops * 10) / 10.0,
                    "matmul_op_gflops", Math.round(flop / (op / 1000) / 1e8) / 10.0,
                    "mmuli_gflops", Math.round(flop / (blas / 1000) / 1e8) / 10.0));
        }
        row.put("case", "gemm");
        row.put("ms_per_step", lastMs);
        row.put("gflops", Math.round(best * 10) / 10.0);
        row.put("shapes", each);
        return row;
    }

    /** Median milliseconds of {@code r} over 50 runs after 20 warm-up runs. */
    static double medianMs(Runnable r) {
        for (int i = 0; i < 20; i++) {
            r.run();
        }
        double[] ms = new double[50];
        for (int i = 0; i < ms.length; i++) {
            long t0 = System.nanoTime();
            r.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        return median(ms);
    }

    /** Warm-up time on each side, on top of the warm-up steps: the JIT compiles the step's code within it. */
    static final double WARMUP_SECONDS = 10.0;

    /**
     * Warm-up epochs over {@code train} (at least {@code warmup} steps and {@link #WARMUP_SECONDS}),
     * then one epoch with every step timed.
     */
    static Map<String, Object> time(Network net, Objective objective, LabeledData train, INDArray teacherLogits,
            Map<TeacherOutput, INDArray> teacherOutputs, int batch, int warmup) {
        List<Long> stamps = new ArrayList<>();
        TrainingListener clock = new TrainingListener() {
            @Override
            public void onStep(Progress p) {
                stamps.add(System.nanoTime());
            }
        };
        LabeledData val = train.rows(java.util.stream.IntStream.range(0, batch).toArray(), "first batch");
        TrainingOptions o = TrainingOptions.defaults().epochs(1).batchSize(batch).seed(1);
        long start = System.nanoTime();
        int warm = 0;
        while (warm < warmup || System.nanoTime() - start < WARMUP_SECONDS * 1e9) {
            new Trainer(net, objective, o).fit(train, teacherLogits, teacherOutputs, val, null);
            warm += (train.size() + batch - 1) / batch;
        }
        new Trainer(net, objective, o).listener(clock).fit(train, teacherLogits, teacherOutputs, val, null);
        double[] ms = new double[stamps.size() - 1];
        for (int i = 0; i < ms.length; i++) {
            ms[i] = (stamps.get(i + 1) - stamps.get(i)) / 1e6;
        }
        Arrays.sort(ms);
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("impl", "distillery");
        row.put("ms_per_step", median(ms));
        row.put("p10_ms", ms[ms.length / 10]);
        row.put("p90_ms", ms[ms.length * 9 / 10]);
        row.put("steps", ms.length);
        row.put("warmup_steps", warm);
        row.put("batch", batch);
        row.put("parameters", net.parameterCount());
        return row;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /**
     * {@code n} Fashion-MNIST test images, the 10,000 repeated as often as needed (real pixels:
     * synthetic noise is not representative).
     */
    static LabeledData images(int n) {
        LabeledData all = FashionMnist.load(FashionMnist.Part.TEST, null);
        return all.rows(java.util.stream.IntStream.range(0, n).map(i -> i % all.size()).toArray(), "bench images");
    }

    /** {@code n} examples of uniform values in [0, 1), with labels 0-9. */
    static LabeledData frames(int n, int width) {
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 10;
        }
        INDArray x = uniform(n, width, 5, 1.0).addi(1).divi(2);
        return new LabeledData("bench frames", x, labels, 10, "bench-frames-" + n + "x" + width);
    }

    /** Seeded uniform values in [-scale, scale). */
    static INDArray uniform(int rows, int cols, long seed, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) ((2 * r.nextDouble() - 1) * scale);
        }
        return Nd4j.create(v, new long[] {rows, cols}, DataType.FLOAT);
    }

    static long[] mlpSizes(String spec) {
        List<Long> s = new ArrayList<>(List.of(784L));
        for (String h : spec.substring(4).split("x")) {
            s.add(Long.parseLong(h));
        }
        s.add(10L);
        return s.stream().mapToLong(Long::longValue).toArray();
    }

    static double matmuls(long[] sizes) {
        double m = 0;
        for (int i = 0; i + 1 < sizes.length; i++) {
            m += (double) sizes[i] * sizes[i + 1];
        }
        return m;
    }

    /** Peak resident memory of this process (VmHWM), in MB. */
    static long peakRssMb() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmHWM:"))
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024).findFirst().orElse(-1L);
        } catch (IOException e) {
            return -1;
        }
    }
}
