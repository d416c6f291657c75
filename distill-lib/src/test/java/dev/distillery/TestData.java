package dev.distillery;

import dev.distillery.backend.Backend;
import dev.distillery.data.FashionMnist;
import dev.distillery.data.LabeledData;
import dev.distillery.data.Splits;

/** Small real data for tests: seeded samples of the Fashion-MNIST test file, loaded once. */
public final class TestData {

    private static LabeledData testFile;

    private TestData() {}

    public static synchronized LabeledData testFile() {
        Backend.start(1);
        if (testFile == null) {
            testFile = FashionMnist.load(FashionMnist.Part.TEST, null);
        }
        return testFile;
    }

    /** {@code train} training rows, 500 validation and 1,000 test rows, disjoint. */
    public static Splits small(int train) {
        LabeledData all = testFile();
        Splits s = Splits.of(all, all, 1500, 11);
        Splits inner = Splits.of(s.validation(), s.validation(), 500, 12);
        return new Splits(s.train().sample(train, 13), inner.validation(), inner.train());
    }
}
