package dev.distillery.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

    @Test
    void loadsTheDebianPackageWithBalancedClassesAndScaledPixels() {
        LabeledData test = FashionMnist.load(FashionMnist.Part.TEST, null);
        assertEquals(10_000, test.size());
        assertEquals(784, test.inputSize());
        int[] counts = new int[10];
        for (int y : test.labels()) counts[y]++;
        for (int c : counts) assertEquals(1000, c, "Fashion-MNIST's test set has 1,000 images per class");
        assertEquals(1.0, test.features().maxNumber().doubleValue(), 1e-6);
        assertEquals(0.0, test.features().minNumber().doubleValue(), 1e-6);
    }

    @Test
    void splitsAreSeededDisjointAndComplete() {
        LabeledData test = FashionMnist.load(FashionMnist.Part.TEST, null);
        Splits a = Splits.of(test, test, 1000, 7);
        Splits b = Splits.of(test, test, 1000, 7);
        Splits c = Splits.of(test, test, 1000, 8);
        assertEquals(9000, a.train().size());
        assertEquals(1000, a.validation().size());
        assertEquals(a.fingerprint(), b.fingerprint());
        assertTrue(!a.fingerprint().equals(c.fingerprint()), "another seed gives another split");
        Splits labeled = a.withLabels(100, 3);
        assertEquals(100, labeled.train().labeledCount());
        assertEquals(9000, labeled.train().size(), "unlabeled examples stay for the teacher's soft targets");
        int[] perClass = new int[10];
        LabeledData only = labeled.train().labeledOnly();
        for (int y : only.labels()) perClass[y]++;
        for (int k : perClass) assertEquals(10, k, "kept labels are balanced across classes");
    }

    @Test
    void missingFileNamesEverySearchedPlaceAndThePackage(@TempDir Path dir) {
        DataLocator loc = new DataLocator("fashion-mnist", dir.resolve("system"), FashionMnist.PROVIDER);
        DataUnavailableException e = assertThrows(
                DataUnavailableException.class,
                () -> loc.locate("train-images-idx3-ubyte.gz", "00", dir.resolve("explicit")));
        assertTrue(e.getMessage().contains("'train-images-idx3-ubyte.gz' not found"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.resolve("explicit").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("sudo apt-get install dataset-fashion-mnist"), e.getMessage());
    }

    @Test
    void corruptFileIsReportedNotSkipped(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("t10k-labels-idx1-ubyte.gz");
        Files.write(bad, new byte[] {1, 2, 3});
        DataUnavailableException e =
                assertThrows(DataUnavailableException.class, () -> FashionMnist.load(FashionMnist.Part.TEST, dir));
        assertTrue(e.getMessage().contains("is corrupt"), e.getMessage());
        assertTrue(e.getMessage().contains(FashionMnist.Part.TEST.labelsSha256()), e.getMessage());
        assertTrue(e.getMessage().contains("apt-get install --reinstall dataset-fashion-mnist"), e.getMessage());
    }

    @Test
    void explicitDirectoryComesFirstInTheSearchOrder(@TempDir Path dir) throws Exception {
        Path real = FashionMnist.SYSTEM_DIR.resolve("t10k-labels-idx1-ubyte.gz");
        Files.copy(real, dir.resolve("t10k-labels-idx1-ubyte.gz"));
        Path found =
                FashionMnist.locator().locate("t10k-labels-idx1-ubyte.gz", FashionMnist.Part.TEST.labelsSha256(), dir);
        assertEquals(dir.resolve("t10k-labels-idx1-ubyte.gz"), found);
        assertSame(dir, FashionMnist.locator().searchPath(dir).get(0));
    }
}
