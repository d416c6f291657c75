package dev.distillery.experiment;

import dev.distillery.data.DataLocator;
import dev.distillery.data.LabeledData;
import dev.distillery.data.Splits;
import dev.distillery.distill.Distill;
import dev.distillery.model.Layered;
import dev.distillery.model.MlpSpec;
import dev.distillery.model.Network;
import dev.distillery.train.TrainingOptions;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A model's sentence embeddings as the sentence study measures them: a network's pooled features or
 * a teacher's embedding, linear probes on them, and their latency.
 */
final class SentenceEmbeddings {

    private SentenceEmbeddings() {}

    /** {@code model}'s sentence embeddings of {@code d}: its pooled {@code features} (a teacher's from its cache). */
    static INDArray features(Layered model, LabeledData d) {
        return model.outputs(d, List.of(Network.FEATURES)).get(Network.FEATURES);
    }

    /** Each split's sentence embeddings as probe data (standardised by the training split's mean and spread). */
    static Splits of(Layered model, Splits s) {
        LabeledData[] parts = {s.train(), s.validation(), s.test()};
        INDArray[] e = new INDArray[3];
        for (int i = 0; i < 3; i++) {
            e[i] = features(model, parts[i]);
        }
        INDArray mean = e[0].mean(0);
        INDArray std = e[0].std(0).addi(1e-6);
        LabeledData[] out = new LabeledData[3];
        for (int i = 0; i < 3; i++) {
            INDArray z = e[i].subRowVector(mean).diviRowVector(std);
            out[i] = new LabeledData(
                    parts[i].name() + "-embeddings",
                    z,
                    parts[i].labels(),
                    parts[i].numClasses(),
                    DataLocator.sha256(parts[i].fingerprint() + "|embeddings"));
        }
        return new Splits(out[0], out[1], out[2]);
    }

    /**
     * A linear probe (logistic regression, the best epoch by validation accuracy, patience 8) on frozen
     * embeddings: test accuracy.
     */
    static double probe(Splits data, int epochs, double learningRate, int batchSize, long seed) {
        MlpSpec lr =
                new MlpSpec(data.train().inputSize(), List.of(), data.train().numClasses(), null, null);
        return Distill.scratch(lr)
                .on(data)
                .options(TrainingOptions.defaults()
                        .epochs(epochs)
                        .batchSize(batchSize)
                        .learningRate(learningRate)
                        .patience(8)
                        .seed(seed))
                .run()
                .metrics()
                .testAccuracy();
    }

    /**
     * Milliseconds per sentence for sentence embeddings of up to 512 test sentences, batches of 32: the
     * best of 3 passes after a warm-up pass; computed by the model itself, never from a cache.
     */
    static double latency(Layered model, LabeledData test) {
        int n = Math.min(test.size(), 512);
        List<LabeledData> batches = new java.util.ArrayList<>();
        for (int s = 0; s < n; s += 32) {
            batches.add(test.rows(
                    java.util.stream.IntStream.range(s, Math.min(n, s + 32)).toArray(), "latency batch " + s));
        }
        // the rows themselves (token ids, features or waveforms, as the model reads them)
        Runnable run = () -> batches.forEach(b -> model.outputs(b, List.of(Network.FEATURES)));
        run.run();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long t0 = System.nanoTime();
            run.run();
            best = Math.min(best, System.nanoTime() - t0);
        }
        return best / 1e6 / n;
    }
}
