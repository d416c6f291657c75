package dev.distillery.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.distillery.backend.Backend;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real images through the folder source: Fashion-MNIST test images written as greyscale PNG class
 * folders, as a user exporting them would, read back to exactly the pixels and labels of the IDX files.
 */
class FashionMnistFolderIT {

    @TempDir
    Path tmp;

    @Test
    void pngClassFoldersReadBackToTheIdxPixelsAndLabels() {
        Backend.start();
        LabeledData idx = FashionMnist.load(FashionMnist.Part.TEST, null);
        int n = 600;
        float[] pixels = idx.features()
                .get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, n), org.nd4j.linalg.indexing.NDArrayIndex.all())
                .dup()
                .data()
                .asFloat();
        for (int i = 0; i < n; i++) {
            BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
            for (int p = 0; p < 784; p++) {
                img.getRaster().setSample(p % 28, p / 28, 0, Math.round(pixels[i * 784 + p] * 255));
            }
            String label = FashionMnist.CLASS_NAMES[idx.labels()[i]].replace('/', '-');
            OwnDataFiles.png(img, tmp.resolve(label).resolve(String.format(Locale.ROOT, "%05d.png", i)));
        }
        RawExamples read = SourceFiles.folder(tmp.toString(), Map.of()).parts().get(SourceFiles.POOL);
        assertEquals(n, read.size());
        assertEquals("1x28x28", read.imageShape());
        float[] back = read.features().dup().data().asFloat();
        for (int r = 0; r < n; r++) {
            String file = Path.of(read.origins().get(r)).getFileName().toString();
            int i = Integer.parseInt(file.substring(0, 5));
            float[] want = java.util.Arrays.copyOfRange(pixels, i * 784, (i + 1) * 784);
            float[] got = java.util.Arrays.copyOfRange(back, r * 784, (r + 1) * 784);
            assertArrayEquals(want, got, 1e-6f, file);
            assertEquals(
                    FashionMnist.CLASS_NAMES[idx.labels()[i]].replace('/', '-'),
                    read.labels().get(r));
        }
        // and as a data set: ten classes named by their folders, split 80/10/10 per class
        Dataset set = DataSources.open("folder:" + tmp, Map.of());
        Splits s = set.load(null, 0, 0);
        assertEquals(10, set.classes(null).size());
        assertEquals(n, s.train().size() + s.validation().size() + s.test().size());
    }
}
