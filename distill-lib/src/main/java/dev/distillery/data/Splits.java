package dev.distillery.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Train, validation and test sets; validation is held out of the training file by a seed. */
public record Splits(LabeledData train, LabeledData validation, LabeledData test) {

    /** Holds {@code validationSize} seeded random rows of {@code trainFile} out for validation. */
    public static Splits of(LabeledData trainFile, LabeledData test, int validationSize, long seed) {
        if (validationSize <= 0 || validationSize >= trainFile.size()) {
            throw new IllegalArgumentException(
                    "validation size must be between 1 and " + (trainFile.size() - 1) + ", got " + validationSize);
        }
        int[] perm = LabeledData.permutation(trainFile.size(), new SplittableRandom(seed));
        int[] val = Arrays.copyOfRange(perm, 0, validationSize);
        int[] train = Arrays.copyOfRange(perm, validationSize, perm.length);
        Arrays.sort(val);
        Arrays.sort(train);
        String what = "split seed " + seed + " validation " + validationSize;
        return new Splits(trainFile.rows(train, "train " + what), trainFile.rows(val, "validation " + what), test);
    }

    /** The same splits with training labels limited to {@code n} (see {@link LabeledData#keepLabels}). */
    public Splits withLabels(int n, long seed) {
        if (n > train.labeledCount()) {
            throw new dev.distillery.spec.SpecException(String.format(
                    "labels (data.labels, --labels) is %,d but the training split has %,d labelled rows; give at "
                            + "most %,d, or leave it out for every label",
                    n, train.labeledCount(), train.labeledCount()));
        }
        return new Splits(train.keepLabels(n, seed), validation, test);
    }

    /** Smaller splits for quick runs: seeded samples of each part. */
    public Splits sample(int trainSize, int validationSize, int testSize, long seed) {
        return new Splits(
                train.sample(trainSize, seed), validation.sample(validationSize, seed), test.sample(testSize, seed));
    }

    /** One fingerprint for all three parts. */
    public String fingerprint() {
        return DataLocator.sha256(train.fingerprint() + validation.fingerprint() + test.fingerprint());
    }
}
