package dev.distillery.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillery.TestData;
import dev.distillery.data.LabeledData;
import dev.distillery.eval.Accuracy;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.Network;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.CategoryChart;
import tech.tablesaw.api.Table;

/** Exported files compared through ONNX Runtime: each figure is the file's own, measured on the test rows. */
class OnnxComparisonTest {

    @TempDir
    Path tmp;

    @Test
    void eachRowIsItsFilesSizeAccuracyAgreementAndLatency() throws Exception {
        LabeledData test = TestData.small(300).test();
        Network big = Network.build(ModelSpec.parse("mlp:64"), 1);
        Network small = Network.build(ModelSpec.parse("stack:linear:16>relu"), 2);
        Path a = tmp.resolve("big.onnx");
        Path b = tmp.resolve("small.onnx");
        Path c = tmp.resolve("small-int8.onnx");
        big.exportOnnx(a);
        small.exportOnnx(b);
        small.exportOnnxInt8(c);
        Table t = OnnxComparison.table(
                List.of(
                        new OnnxComparison.Model("big", a, big.parameterCount()),
                        new OnnxComparison.Model("small", b, small.parameterCount()),
                        new OnnxComparison.Model("small int8", c, small.parameterCount())),
                test,
                "big");
        assertEquals(
                List.of("big", "small", "small int8"),
                t.stringColumn(OnnxComparison.MODEL).asList());
        assertEquals(
                big.parameterCount(), t.longColumn(OnnxComparison.PARAMETERS).get(0));
        assertEquals(
                Files.size(b) / 1024.0, t.doubleColumn(OnnxComparison.FILE_KB).get(1), 0.05);
        double ownAccuracy = 100 * Accuracy.of(small.forward(test.features()), test.labels());
        assertEquals(
                ownAccuracy,
                t.doubleColumn(OnnxComparison.ACCURACY).get(1),
                0.01,
                "ONNX Runtime's accuracy is the network's");
        assertEquals(100.0, t.doubleColumn(OnnxComparison.AGREEMENT).get(0), "the reference agrees with itself");
        double agreement =
                100 * Accuracy.of(small.forward(test.features()), Accuracy.argmax(big.forward(test.features())));
        assertEquals(agreement, t.doubleColumn(OnnxComparison.AGREEMENT).get(1), 0.01);
        assertTrue(t.doubleColumn(OnnxComparison.BATCH_1).asList().stream().allMatch(v -> v > 0), t.print());
        assertTrue(t.doubleColumn(OnnxComparison.BATCH_256).asList().stream().allMatch(v -> v > 0), t.print());
        assertTrue(OnnxComparison.agreement(b, c, test) >= 0.98, "int8 agrees with its fp32 file");

        CategoryChart chart = OnnxComparison.chart("compared", t);
        assertEquals(3, chart.getSeriesMap().size());
        List<?> ys = List.copyOf(chart.getSeriesMap().get("big").getYData());
        assertTrue(ys.stream().allMatch(v -> ((Number) v).doubleValue() == 100.0), "the first row is 100 %: " + ys);

        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> OnnxComparison.table(List.of(new OnnxComparison.Model("big", a, 1)), test, "teacher"));
        assertTrue(e.getMessage().contains("reference 'teacher' is not one of [big]"), e.getMessage());
    }
}
