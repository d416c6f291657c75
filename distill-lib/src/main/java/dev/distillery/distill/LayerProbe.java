package dev.distillery.distill;

import dev.distillery.backend.Seeds;
import dev.distillery.data.Batches;
import dev.distillery.data.LabeledData;
import dev.distillery.data.Splits;
import dev.distillery.eval.Accuracy;
import dev.distillery.model.Layered;
import dev.distillery.model.Network;
import dev.distillery.spec.SpecException;
import dev.distillery.tensor.Tape;
import dev.distillery.tensor.Var;
import dev.distillery.train.Adam;
import dev.distillery.train.CrossEntropy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A SUPERB-style probe: the upstream model (a network trained here, or a pretrained teacher's
 * hidden-state sequences) stays frozen; each of its hidden states (the embedding
 * and every layer, {@code [S, D]} per example) is averaged over time, a learnable softmax-weighted
 * sum combines the layers, and a linear head classifies. Only the layer weights and the head
 * train (Adam, the best validation epoch kept). The learned weights say which layers carry the task.
 */
public final class LayerProbe {

    /** Epochs, learning rate, batch size and seed of the probe's training. */
    public record Options(int epochs, double learningRate, int batchSize, long seed) {

        public static Options defaults() {
            return new Options(30, 1e-2, 64, 1);
        }
    }

    /** Test accuracy, chance (1 / classes), the layers probed and their learned weights, the best epoch. */
    public record Result(double accuracy, double chance, List<String> layers, double[] layerWeights, int bestEpoch) {

        /** The layer with the largest weight. */
        public String topLayer() {
            int best = 0;
            for (int i = 1; i < layerWeights.length; i++) {
                if (layerWeights[i] > layerWeights[best]) {
                    best = i;
                }
            }
            return layers.get(best);
        }
    }

    private LayerProbe() {}

    /** The hidden states a probe reads: the embedding and every layer, all of one shape {@code [S, D]}. */
    public static List<String> layers(Layered upstream) {
        List<String> names = new ArrayList<>();
        for (String n : upstream.outputNames()) {
            if (n.equals(Network.EMBEDDING) || n.matches("layer\\d+")) {
                names.add(n);
            }
        }
        long[] first = names.isEmpty() ? null : upstream.outputShape(names.get(0));
        for (String n : names) {
            long[] s = upstream.outputShape(n);
            if (s.length != 2 || !Arrays.equals(s, first)) {
                throw new SpecException("a layer probe weighs hidden states of one shape [S, D], but "
                        + upstream.describe()
                        + "'s " + n + " is " + Arrays.toString(s)
                        + (first == null ? "" : " and " + names.get(0) + " is " + Arrays.toString(first))
                        + "; probe a transformer (vit: or speech:)");
            }
        }
        if (names.isEmpty()) {
            throw new SpecException(upstream.describe() + " exposes no hidden states to probe; probe a transformer");
        }
        return names;
    }

    /** Trains the probe on {@code data.train()}, keeps the best validation epoch, reports test accuracy. */
    public static Result fit(Layered upstream, Splits data, Options o) {
        return fit(upstream, List.of(data), o).get(0);
    }

    /**
     * One probe per task in {@code tasks}. Tasks over the same clips (the same feature arrays, as
     * {@code SpeechCommandsSynth.loadTasks} gives them) share one pass of the frozen upstream.
     */
    public static List<Result> fit(Layered upstream, List<Splits> tasks, Options o) {
        List<String> layers = layers(upstream);
        java.util.IdentityHashMap<INDArray, INDArray> pooled = new java.util.IdentityHashMap<>();
        List<Result> out = new ArrayList<>();
        for (Splits data : tasks) {
            INDArray train =
                    pooled.computeIfAbsent(data.train().features(), f -> pooled(upstream, data.train(), layers));
            INDArray val = pooled.computeIfAbsent(
                    data.validation().features(), f -> pooled(upstream, data.validation(), layers));
            INDArray test = pooled.computeIfAbsent(data.test().features(), f -> pooled(upstream, data.test(), layers));
            out.add(fit(layers, train, val, test, data, o));
        }
        return out;
    }

    private static Result fit(
            List<String> layers, INDArray train, INDArray val, INDArray test, Splits data, Options o) {
        int l = layers.size();
        int d = (int) (train.size(1) / l);
        int classes = data.train().numClasses();
        SplittableRandom rng = Seeds.stream(o.seed(), "probe-init", 0);
        Map<String, INDArray> params = new LinkedHashMap<>();
        params.put("mix", Nd4j.zeros(DataType.FLOAT, 1, l));
        params.put("w", Seeds.normal(rng, Math.sqrt(2.0 / (d + classes)), d, classes));
        params.put("b", Nd4j.zeros(DataType.FLOAT, 1, classes));
        Adam adam = new Adam(params);
        Map<String, INDArray> best = null;
        double bestAcc = -1;
        int bestEpoch = 0;
        long step = 0;
        INDArray oneHot = data.train().oneHot();
        INDArray ones = Nd4j.ones(DataType.FLOAT, data.train().size(), 1);
        for (int epoch = 1; epoch <= o.epochs(); epoch++) {
            for (int[] rows :
                    Batches.plan(data.train().size(), o.batchSize(), Seeds.stream(o.seed(), "probe-shuffle", epoch))) {
                step++;
                Tape tape = new Tape();
                Map<String, Var> p = new LinkedHashMap<>();
                params.forEach((k, v) -> p.put(k, tape.param(v)));
                Var logits = logits(tape, p, Nd4j.pullRows(train, 1, rows), l, d);
                Var loss = CrossEntropy.masked(
                        logits,
                        tape.constant(Nd4j.pullRows(oneHot, 1, rows)),
                        tape.constant(Nd4j.pullRows(ones, 1, rows)));
                tape.backward(loss);
                for (Map.Entry<String, Var> e : p.entrySet()) {
                    adam.step(e.getKey(), params.get(e.getKey()), e.getValue().grad(), o.learningRate(), step);
                }
            }
            double acc =
                    Accuracy.of(predict(params, val, l, d), data.validation().labels());
            if (acc > bestAcc) {
                bestAcc = acc;
                bestEpoch = epoch;
                best = new LinkedHashMap<>();
                for (Map.Entry<String, INDArray> e : params.entrySet()) {
                    best.put(e.getKey(), e.getValue().dup());
                }
            }
        }
        params = best;
        double acc = Accuracy.of(predict(params, test, l, d), data.test().labels());
        INDArray mix = Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax(params.get("mix"), 1))[0];
        return new Result(acc, 1.0 / classes, List.copyOf(layers), mix.toDoubleVector(), bestEpoch);
    }

    private static INDArray predict(Map<String, INDArray> params, INDArray pooled, int l, int d) {
        Tape tape = Tape.inference();
        Map<String, Var> p = new LinkedHashMap<>();
        params.forEach((k, v) -> p.put(k, tape.constant(v)));
        return logits(tape, p, pooled, l, d).value();
    }

    /** Σ_l softmax(mix)_l · h_l, then the linear head; {@code flat} is {@code [B, L·D]}. */
    private static Var logits(Tape tape, Map<String, Var> p, INDArray flat, int l, int d) {
        Var h = tape.constant(flat).reshape(flat.size(0), l, d);
        Var mix = p.get("mix").softmax().reshape(1, l, 1);
        return h.mul(mix).sum(false, 1).linear(p.get("w"), p.get("b"));
    }

    /** Each example's hidden states, averaged over time, layer after layer: {@code [N, L·D]}. */
    static INDArray pooled(Layered upstream, LabeledData data, List<String> layers) {
        Map<String, INDArray> out = upstream.outputs(data, layers);
        long[] shape = upstream.outputShape(layers.get(0));
        INDArray all = Nd4j.create(DataType.FLOAT, data.size(), layers.size() * shape[1]);
        for (int i = 0; i < layers.size(); i++) {
            INDArray h = out.get(layers.get(i))
                    .reshape('c', data.size(), shape[0], shape[1])
                    .mean(1);
            all.get(
                            org.nd4j.linalg.indexing.NDArrayIndex.all(),
                            org.nd4j.linalg.indexing.NDArrayIndex.interval(i * shape[1], (i + 1) * shape[1]))
                    .assign(h);
        }
        return all;
    }
}
