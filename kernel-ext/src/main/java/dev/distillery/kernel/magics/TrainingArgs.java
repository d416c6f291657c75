package dev.distillery.kernel.magics;

import picocli.CommandLine.Option;

/** The training options %teacher and %distill share, declared once. */
final class TrainingArgs {

    @Option(
            names = "--epochs",
            paramLabel = "N",
            defaultValue = "10",
            description = "epochs (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--batch-size", paramLabel = "N", defaultValue = "128", description = "default: ${DEFAULT-VALUE}")
    int batchSize;

    @Option(
            names = "--lr",
            paramLabel = "RATE",
            defaultValue = "0.001",
            description = "Adam learning rate (default: ${DEFAULT-VALUE})")
    double learningRate;

    @Option(
            names = "--patience",
            paramLabel = "N",
            defaultValue = "0",
            description = "stop after N epochs without a better validation accuracy and keep the best (0: never)")
    int patience;

    @Option(
            names = "--threads",
            paramLabel = "N",
            defaultValue = "1",
            description =
                    "ND4J threads; fixed so that the same seed gives the same numbers (default: ${DEFAULT-VALUE})")
    int threads;

    /** Seeds 1 to {@code n}, as {@code --seeds N} means. */
    static java.util.List<Long> seeds(int n) {
        return java.util.stream.LongStream.rangeClosed(1, n).boxed().toList();
    }
}
