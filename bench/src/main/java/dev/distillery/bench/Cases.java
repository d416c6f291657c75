package dev.distillery.bench;

import dev.distillery.data.FashionMnist;
import dev.distillery.data.LabeledData;
import dev.distillery.data.Splits;
import dev.distillery.distill.Distill;
import dev.distillery.loss.FeatureLoss;
import dev.distillery.loss.Losses;
import dev.distillery.model.Budgets;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.Network;
import dev.distillery.teacher.Teacher;
import dev.distillery.teacher.TeacherCache;
import dev.distillery.tensor.Tape;
import dev.distillery.train.CrossEntropy;
import dev.distillery.train.Objective;
import dev.distillery.train.Progress;
import dev.distillery.train.TeacherOutput;
import dev.distillery.train.TrainingListener;
import dev.distillery.train.TrainingOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The benchmark cases: each builds the model, loss and data of one training step and times it with
 * {@link StepTimer}; {@code bench/torch/reference.py} has each one's PyTorch twin.
 */
final class Cases {

    private Cases() {}

    /** A KD student step: Hinton T=4, α=0.5, Adam, teacher logits cached (given as data). */
    static Map<String, Object> kd(String spec, int batch, int warmup, int steps) {
        int n = batch * steps;
        LabeledData train = images(n);
        INDArray teacher = uniform(n, 10, 7, 4.0);
        Network net = Network.build(ModelSpec.parse(spec), 1);
        Map<String, Object> row = StepTimer.time(net, Losses.hinton(4.0, 0.5), train, teacher, Map.of(), batch, warmup);
        long[] sizes = mlpSizes(spec);
        double first = (double) sizes[0] * sizes[1];
        row.put("gflop_per_step", flops(batch, first, matmuls(sizes) - first));
        row.put("case", spec.equals("mlp:256") ? "kd-mlp-256" : "kd-mlp-800x800");
        return row;
    }

    /** The quickstart CNN teacher's step: cross-entropy on every label, dropout 0.3, Adam. */
    static Map<String, Object> teacherCnn(int warmup, int steps) {
        int batch = 128;
        int n = batch * steps;
        Network net = Network.build(ModelSpec.parse("cnn:32x64,dense=128,dropout=0.3"), 1);
        Map<String, Object> row = StepTimer.time(net, new CrossEntropy(), images(n), null, Map.of(), batch, warmup);
        // conv 1: 28×28×9×1×32, conv 2: 14×14×9×32×64, dense 3136×128, 128×10 (multiply-adds per example)
        double macs = 28 * 28 * 9 * 32 + 14 * 14 * 9 * 32 * 64 + 3136.0 * 128 + 128 * 10;
        row.put("gflop_per_step", flops(batch, 28 * 28 * 9 * 32, macs - 28 * 28 * 9 * 32));
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
        FeatureLoss loss = new FeatureLoss(
                Losses.hinton(4.0, 0.5), List.of(FeatureLoss.Match.parse("layer3:mse,proj=none")), null, null, null);
        Objective bound = loss.bind(teacherNet, net);
        Map<TeacherOutput, INDArray> states = Map.of(TeacherOutput.of("layer3"), uniform(n, 64 * 128, 9, 1.0));
        Map<String, Object> row = StepTimer.time(net, bound, train, uniform(n, 10, 7, 4.0), states, batch, warmup);
        double d = 128;
        double s = 64;
        double perLayer = s * (4 * d * d + 2 * d * 512) + 2 * s * s * d;
        row.put("gflop_per_step", flops(batch, s * 16 * d, 4 * perLayer + d * 10));
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
        Sweep sweep = Sweep.make();
        TeacherCache cache = new TeacherCache(null);
        TeacherCache.setShared(cache);
        double cached = sweep.run(false, null);
        long computed = cache.computedCount();
        // the same sweep, each step also paying a teacher forward pass on a batch, and a fresh cache per student
        INDArray batch = sweep.data()
                .train()
                .features()
                .get(
                        org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 128),
                        org.nd4j.linalg.indexing.NDArrayIndex.all());
        TrainingListener recompute = new TrainingListener() {
            @Override
            public void onStep(Progress p) {
                sweep.teacher().network().forward(batch);
            }
        };
        double recomputed = sweep.run(true, recompute);
        Map<String, Object> row = wholeJob("sweep-cache", cached, "seconds per sweep");
        row.put("reference_ms", recomputed);
        row.put("students", sweep.students().size());
        row.put("teacher_passes_with_cache", computed);
        row.put("speedup", Math.round(100 * recomputed / cached) / 100.0);
        return row;
    }

    /**
     * The cached sweep above as a whole job against its PyTorch twin: the teacher's outputs computed
     * once (in memory), then each of the 8 students trained one epoch with Hinton's loss (T=4, α=0.5),
     * validated and evaluated on the test split. Seconds for the sweep; the row's plan tells the twin
     * the sizes and students.
     */
    static Map<String, Object> sweepWorkflow() {
        Sweep sweep = Sweep.make();
        TeacherCache.setShared(new TeacherCache(null));
        double seconds = sweep.run(false, null);
        Map<String, Object> plan = new LinkedHashMap<>();
        plan.put("train", sweep.data().train().size());
        plan.put("validation", sweep.data().validation().size());
        plan.put("test", sweep.data().test().size());
        plan.put("batch", TrainingOptions.defaults().batchSize());
        plan.put("students", sweep.students().stream().map(ModelSpec::compact).toList());
        Map<String, Object> row = wholeJob("workflow-sweep", seconds, "seconds per sweep");
        row.put("plan", plan);
        return row;
    }

    /** A row for a job timed as a whole: {@code seconds} where step cases put milliseconds. */
    static Map<String, Object> wholeJob(String name, double seconds, String unit) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("case", name);
        row.put("impl", "distillery");
        row.put("ms_per_step", seconds);
        row.put("unit", unit);
        return row;
    }

    /**
     * A depth × width sweep of 8 MLP students (depths 1, 2 × widths 32, 64, 128, 256), one epoch each
     * on 4,096 Fashion-MNIST images (1,024 validation, 1,024 test), from an untrained quickstart CNN.
     */
    private record Sweep(Splits data, Teacher teacher, List<ModelSpec> students) {
        static Sweep make() {
            LabeledData all = images(6144);
            Splits data = new Splits(
                    all.rows(java.util.stream.IntStream.range(0, 4096).toArray(), "train"),
                    all.rows(java.util.stream.IntStream.range(4096, 5120).toArray(), "validation"),
                    all.rows(java.util.stream.IntStream.range(5120, 6144).toArray(), "test"));
            Teacher teacher =
                    new Teacher("cnn", Network.build(ModelSpec.parse("cnn:32x64,dense=128,dropout=0.3"), 1), null);
            List<ModelSpec> students = Budgets.grid("mlp", List.of(1, 2), List.of(32, 64, 128, 256), 1, 1, 1).stream()
                    .map(Budgets.Candidate::spec)
                    .toList();
            return new Sweep(data, teacher, students);
        }

        /** Seconds for the sweep; {@code freshCache}: a new teacher cache for each student. */
        double run(boolean freshCache, TrainingListener listener) {
            long t0 = System.nanoTime();
            for (ModelSpec s : students) {
                if (freshCache) {
                    TeacherCache.setShared(new TeacherCache(null));
                }
                Distill d = Distill.from(teacher)
                        .into(s)
                        .with(Losses.hinton(4.0, 0.5))
                        .on(data)
                        .epochs(1)
                        .seed(1);
                (listener == null ? d : d.listener(listener)).run();
            }
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    /**
     * A student's cross-entropy step (batch 64, Adam) on seeded N(0, 1) inputs against the same
     * shapes on Fashion-MNIST-like inputs: Fashion-MNIST pixels for an image student, uniform frames
     * in [0, 1) for a speech student. Gaussian noise was once seen to make steps 20-100 times slower
     * (subnormal floats the suspect); the ratio here is noise ÷ real, so above 2 is a regression.
     * The row also counts the subnormal values left in the parameters after the timed epoch.
     */
    static Map<String, Object> noise(String name, String spec, int warmup, int steps) {
        int batch = 64;
        int n = batch * steps;
        ModelSpec model = ModelSpec.parse(spec);
        Network real = Network.build(model, 1);
        LabeledData realData = spec.startsWith("vit") ? images(n) : frames(n, inputs(spec));
        Map<String, Object> onReal = StepTimer.time(real, new CrossEntropy(), realData, null, Map.of(), batch, warmup);
        Network noisy = Network.build(model, 1);
        LabeledData noiseData = gaussian(n, (int) realData.features().size(1));
        Map<String, Object> row = StepTimer.time(noisy, new CrossEntropy(), noiseData, null, Map.of(), batch, warmup);
        row.put("case", name);
        row.put("student", spec);
        row.put("reference_ms", onReal.get("ms_per_step"));
        row.put("unit", "ms per step on N(0, 1) inputs; reference: the same shapes on real-like inputs");
        row.put("subnormal_parameters_noise", subnormals(noisy));
        row.put("subnormal_parameters_real", subnormals(real));
        return row;
    }

    /** The input width a {@code speech:...,frame=F,length=L} spec reads: F × L. */
    private static int inputs(String spec) {
        int frame = 0;
        int length = 0;
        for (String part : spec.split(",")) {
            if (part.startsWith("frame=")) frame = Integer.parseInt(part.substring(6));
            if (part.startsWith("length=")) length = Integer.parseInt(part.substring(7));
        }
        return frame * length;
    }

    /** {@code n} examples of seeded N(0, 1) values with labels 0-9. */
    static LabeledData gaussian(int n, int width) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(11);
        float[] v = new float[n * width];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) dev.distillery.backend.Seeds.gaussian(r);
        }
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 10;
        }
        return new LabeledData(
                "bench noise", Nd4j.create(v, new long[] {n, width}, DataType.FLOAT), labels, 10, "bench-noise-" + n);
    }

    /** How many of the network's parameter values are subnormal (non-zero, below the smallest normal float). */
    static long subnormals(Network net) {
        long count = 0;
        for (INDArray p : net.parameters().values()) {
            for (float f : p.dup('c').data().asFloat()) {
                if (f != 0 && Math.abs(f) < Float.MIN_NORMAL) {
                    count++;
                }
            }
        }
        return count;
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
            // each in a memory workspace, as in a training step, so the product is timed and not the allocation
            // (mmuli's temporaries outside one waited for the garbage collector: 420 MB more resident)
            double med = StepTimer.medianMs(inWorkspace(() -> {
                Tape t = Tape.inference();
                t.constant(a).mmul(t.constant(b));
            }));
            double op = StepTimer.medianMs(
                    inWorkspace(() -> Nd4j.exec(new org.nd4j.linalg.api.ops.impl.reduce.Mmul(a, b, c, null))));
            double blas = StepTimer.medianMs(inWorkspace(() -> a.mmuli(b, c)));
            double flop = 2.0 * mkn[0] * mkn[1] * mkn[2];
            double gflops = flop / (med / 1000) / 1e9;
            best = Math.max(best, gflops);
            lastMs = med;
            each.add(Map.of(
                    "shape",
                    Arrays.toString(mkn),
                    "ms",
                    med,
                    "gflops",
                    Math.round(gflops * 10) / 10.0,
                    "matmul_op_gflops",
                    Math.round(flop / (op / 1000) / 1e8) / 10.0,
                    "mmuli_gflops",
                    Math.round(flop / (blas / 1000) / 1e8) / 10.0));
        }
        row.put("case", "gemm");
        row.put("ms_per_step", lastMs);
        row.put("gflops", Math.round(best * 10) / 10.0);
        row.put("shapes", each);
        return row;
    }

    /** {@code r} run in the thread's pass workspace, which is reset after each run. */
    @SuppressWarnings("try") // the workspace is entered for its scope: the run's arrays live in it
    private static Runnable inWorkspace(Runnable r) {
        return () -> {
            try (dev.distillery.tensor.Memory.Pass pass = dev.distillery.tensor.Memory.open()) {
                r.run();
            }
        };
    }

    /**
     * {@code n} Fashion-MNIST test images, the 10,000 repeated as often as needed (real pixels:
     * synthetic noise is not representative).
     */
    static LabeledData images(int n) {
        LabeledData all = FashionMnist.load(FashionMnist.Part.TEST, null);
        return all.rows(
                java.util.stream.IntStream.range(0, n).map(i -> i % all.size()).toArray(), "bench images");
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

    /**
     * GFLOP of one training step of {@code batch} examples: the multiply-adds per example of layers whose
     * input needs no gradient ({@code inputMacs}: the first, reading the data) count twice, forward and
     * weight gradient; the rest three times, with the input gradient.
     */
    static double flops(int batch, double inputMacs, double otherMacs) {
        return 2.0 * batch * (2 * inputMacs + 3 * otherMacs) / 1e9;
    }

    static double matmuls(long[] sizes) {
        double m = 0;
        for (int i = 0; i + 1 < sizes.length; i++) {
            m += (double) sizes[i] * sizes[i + 1];
        }
        return m;
    }
}
