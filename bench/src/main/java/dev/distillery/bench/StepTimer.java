package dev.distillery.bench;

import dev.distillery.data.LabeledData;
import dev.distillery.model.Network;
import dev.distillery.train.Objective;
import dev.distillery.train.Progress;
import dev.distillery.train.TeacherOutput;
import dev.distillery.train.Trainer;
import dev.distillery.train.TrainingListener;
import dev.distillery.train.TrainingOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Timing through the library's real training path, and the process's peak memory. */
final class StepTimer {

    /** The process's memory, sampled at every timed step. */
    static final MemoryUse MEMORY = new MemoryUse();

    private StepTimer() {}

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
    static Map<String, Object> time(
            Network net,
            Objective objective,
            LabeledData train,
            INDArray teacherLogits,
            Map<TeacherOutput, INDArray> teacherOutputs,
            int batch,
            int warmup) {
        List<Long> stamps = new ArrayList<>();
        TrainingListener clock = new TrainingListener() {
            @Override
            public void onStep(Progress p) {
                stamps.add(System.nanoTime());
                MEMORY.sample();
            }
        };
        LabeledData val = train.rows(java.util.stream.IntStream.range(0, batch).toArray(), "first batch");
        TrainingOptions o =
                TrainingOptions.defaults().epochs(1).batchSize(batch).seed(1);
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

    /** Peak resident memory of this process (VmHWM), in MB. */
    static long peakRssMb() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("VmHWM:"))
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024)
                    .findFirst()
                    .orElse(-1L);
        } catch (IOException e) {
            return -1;
        }
    }
}
