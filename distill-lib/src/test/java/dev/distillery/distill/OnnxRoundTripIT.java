package dev.distillery.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillery.data.Splits;
import dev.distillery.eval.Accuracy;
import dev.distillery.loss.Losses;
import dev.distillery.model.CnnSpec;
import dev.distillery.teacher.OnnxModel;
import dev.distillery.teacher.Teacher;
import dev.distillery.teacher.TeacherCache;
import dev.distillery.teacher.Teachers;
import dev.distillery.train.TrainingOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A teacher trained here, exported to ONNX and loaded back as an ONNX teacher, teaches as the
 * original does: the same outputs, and students of the same accuracy.
 */
class OnnxRoundTripIT {

    @TempDir
    Path dir;

    @Test
    void anExportedTeacherLoadedBackTeachesAsTheOriginal() {
        TeacherCache previous = TeacherCache.shared();
        TeacherCache.setShared(new TeacherCache(dir.resolve("cache")));
        try {
            Splits data = dev.distillery.TestData.small(3000).withLabels(200, 1);
            Teacher original = Teachers.train(
                            "cnn",
                            new CnnSpec(null, List.of(8, 16), 3, 2, List.of(32), 10, null, null),
                            data,
                            TrainingOptions.defaults().epochs(3).seed(0),
                            List.of())
                    .teacher();
            Path file = dir.resolve("cnn.onnx");
            original.exportOnnx(file, "features");
            Teacher back = Teachers.onnxModel(
                    file, OnnxModel.Options.defaults().outputs(Map.of("logits", "logits", "features", "features")));

            INDArray a = original.logits(data.test());
            INDArray b = back.logits(data.test());
            double logits = Math.abs(a.sub(b).amaxNumber().doubleValue());
            double features = Math.abs(original.outputs(data.test(), List.of("features"))
                    .get("features")
                    .sub(back.outputs(data.test(), List.of("features")).get("features"))
                    .amaxNumber()
                    .doubleValue());
            System.out.printf(
                    "round trip: max |logit difference| %.2e, features %.2e on %d test images%n",
                    logits, features, data.test().size());
            assertTrue(logits <= 1e-4, "logits differ by " + logits);
            assertTrue(features <= 1e-4, "features differ by " + features);
            assertEquals(
                    Accuracy.of(a, data.test().labels()),
                    Accuracy.of(b, data.test().labels()));

            double[] fromOriginal = students(original, data);
            double[] fromExport = students(back, data);
            double spread = Math.max(std(fromOriginal), std(fromExport));
            System.out.printf(
                    "students: from the original %.2f ± %.2f %%, from its export %.2f ± %.2f %%%n",
                    100 * mean(fromOriginal), 100 * std(fromOriginal), 100 * mean(fromExport), 100 * std(fromExport));
            assertTrue(
                    Math.abs(mean(fromOriginal) - mean(fromExport)) <= spread + 1e-9,
                    "the means differ by more than the seed spread " + spread);
        } finally {
            TeacherCache.setShared(previous);
        }
    }

    private static double[] students(Teacher t, Splits data) {
        double[] acc = new double[3];
        for (int s = 0; s < 3; s++) {
            acc[s] = Distill.from(t)
                    .into("mlp:32")
                    .with(Losses.hinton(4, 0.1))
                    .on(data)
                    .epochs(6)
                    .seed(s + 1)
                    .run()
                    .metrics()
                    .testAccuracy();
        }
        return acc;
    }

    private static double mean(double[] v) {
        return java.util.Arrays.stream(v).average().orElse(Double.NaN);
    }

    private static double std(double[] v) {
        double m = mean(v);
        return Math.sqrt(java.util.Arrays.stream(v).map(x -> (x - m) * (x - m)).sum() / (v.length - 1));
    }
}
