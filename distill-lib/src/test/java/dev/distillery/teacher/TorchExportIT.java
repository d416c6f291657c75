package dev.distillery.teacher;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillery.TestData;
import dev.distillery.data.Splits;
import dev.distillery.distill.Distill;
import dev.distillery.distill.DistillResult;
import dev.distillery.eval.Accuracy;
import dev.distillery.loss.Losses;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file users bring: a classifier trained in PyTorch (convolutions with batch norm, its modules'
 * own names) and exported with {@code torch.onnx.export} by {@code src/test/python/torch_classifier.py},
 * distilled as the README shows.
 */
class TorchExportIT {

    static final Splits DATA = TestData.small(2000);

    /**
     * Measured: one PyTorch epoch on 10,000 training images gives 84.95 % on the first 2,000 test
     * images, and 85.0 % here on the 500-image test split, read through ONNX Runtime; a 784-64-10
     * student agrees with it on 7.4 % of those images untrained and on 80.0 % after 5 epochs of KD.
     */
    @Test
    void aPyTorchExportTeachesAsTheReadmeShows(@TempDir Path dir) throws Exception {
        PythonScripts.run("torch_classifier.py", dir, 5); // python3-torch trains and exports the classifier

        // the README's lines
        Teacher torch = Teachers.onnxModel(dir.resolve("fashion-cnn.onnx"), OnnxModel.Options.defaults());
        DistillResult r = Distill.from(torch)
                .into("mlp:64")
                .with(Losses.hinton(4.0, 0.5))
                .on(DATA)
                .epochs(5)
                .run();

        double teacher = Accuracy.of(torch.logits(DATA.test()), DATA.test().labels());
        assertTrue(teacher > 0.75, "the export classifies as it did in PyTorch: " + teacher);
        assertTrue(r.metrics().agreement() > 0.7, r.summary());
        String list = OnnxModel.list(dir.resolve("fashion-cnn.onnx"), OnnxModel.Options.defaults());
        assertTrue(list.contains("/conv1/Conv") && list.contains("/flatten/Flatten_output_0 [1, 1568]"), list);
    }
}
