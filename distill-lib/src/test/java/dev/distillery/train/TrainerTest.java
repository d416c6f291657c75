package dev.distillery.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillery.TestData;
import dev.distillery.data.Splits;
import dev.distillery.eval.Accuracy;
import dev.distillery.model.CnnSpec;
import dev.distillery.model.MlpSpec;
import dev.distillery.model.Network;
import dev.distillery.provenance.ModelFile;
import dev.distillery.provenance.Provenance;
import dev.distillery.spec.SpecException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class TrainerTest {

    static final Splits DATA = TestData.small(2000);

    static TrainingOptions opts(int epochs, Path ckpt) {
        return TrainingOptions.defaults().epochs(epochs).batchSize(64).seed(5).checkpointDir(ckpt);
    }

    /**
     * After the first steps, a KD step's arrays come from memory the step before used: none is
     * allocated anew, and validation between epochs uses that memory too.
     */
    @Test
    void aKdStepReusesTheMemoryOfTheStepBefore() {
        dev.distillery.data.LabeledData train =
                DATA.train().rows(java.util.stream.IntStream.range(0, 512).toArray(), "first 512");
        INDArray teacher = org.nd4j.linalg.factory.Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 512, 10)
                .muli(4);
        Network net = Network.build(MlpSpec.of(64), 1);
        long[] sizes = new long[3];
        int[] epoch = {0};
        TrainingListener watch = new TrainingListener() {
            @Override
            public void onEpoch(String stage, EpochStats e) {
                org.nd4j.linalg.api.memory.MemoryWorkspace ws =
                        dev.distillery.tensor.Memory.workspace(dev.distillery.tensor.Memory.WORK);
                assertTrue(
                        ws.getLastCycleAllocations() <= ws.getCurrentSize(),
                        "a step's arrays fit in the step's memory: " + ws.getLastCycleAllocations() + " bytes asked of "
                                + ws.getCurrentSize());
                sizes[epoch[0]++] = ws.getCurrentSize();
                assertFalse(
                        org.nd4j.linalg.factory.Nd4j.getWorkspaceManager()
                                .checkIfWorkspaceExists(dev.distillery.tensor.Memory.NESTED),
                        "validation between steps ran in the step's memory, not in a second workspace");
            }
        };
        dev.distillery.tensor.Memory.release();
        new Trainer(
                        net,
                        dev.distillery.loss.Losses.hinton(4.0, 0.5),
                        TrainingOptions.defaults().epochs(3).batchSize(64).seed(1))
                .listener(watch)
                .fit(train, teacher, DATA.validation(), null);
        assertTrue(sizes[0] > 0, "the steps ran in the step workspace");
        assertEquals(sizes[0], sizes[2], "the step memory did not grow from epoch 1 to epoch 3");
    }

    @Test
    void twoStepsFollowAdamAsAHandComputationGivesIt() {
        // two full-batch steps, so the gradient of each step is SameDiff's gradient at the weights before it
        dev.distillery.data.LabeledData few =
                DATA.train().rows(java.util.stream.IntStream.range(0, 100).toArray(), "first 100");
        double lr = 0.01;
        Network trained = Network.build(MlpSpec.of(8), 3);
        Network probe = Network.build(MlpSpec.of(8), 3);
        Map<String, INDArray> p = new java.util.LinkedHashMap<>();
        probe.parameters().forEach((k, v) -> p.put(k, v.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)));
        new Trainer(
                        trained,
                        new CrossEntropy(),
                        TrainingOptions.defaults()
                                .epochs(2)
                                .batchSize(100)
                                .learningRate(lr)
                                .seed(1))
                .fit(few, null, few, null);
        Map<String, INDArray> m = new java.util.LinkedHashMap<>();
        Map<String, INDArray> v = new java.util.LinkedHashMap<>();
        for (int t = 1; t <= 2; t++) {
            probe.setParameters(castAll(p, org.nd4j.linalg.api.buffer.DataType.FLOAT));
            dev.distillery.tensor.Tape tape = new dev.distillery.tensor.Tape();
            Map<String, dev.distillery.tensor.Var> pv = probe.trainable(tape);
            dev.distillery.tensor.Var logits =
                    probe.forward(tape, pv, few.features(), null).get(Network.LOGITS);
            tape.backward(new CrossEntropy()
                    .define(new Objective.Inputs(
                            logits, tape.constant(few.oneHot()), tape.constant(few.labelMask()), null)));
            Map<String, INDArray> g = new java.util.LinkedHashMap<>();
            pv.forEach((k, x) -> g.put(k, x.grad()));
            for (String k : probe.parameterNames()) {
                INDArray gk = g.get(k).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
                INDArray mk = m.computeIfAbsent(k, x -> gk.mul(0)).muli(0.9).addi(gk.mul(0.1));
                INDArray vk = v.computeIfAbsent(k, x -> gk.mul(0))
                        .muli(0.999)
                        .addi(gk.mul(gk).muli(0.001));
                double step = lr * Math.sqrt(1 - Math.pow(0.999, t)) / (1 - Math.pow(0.9, t));
                p.get(k)
                        .subi(mk.div(org.nd4j.linalg.ops.transforms.Transforms.sqrt(vk, true)
                                        .addi(1e-8))
                                .muli(step));
            }
        }
        for (String k : probe.parameterNames()) {
            INDArray want = p.get(k);
            INDArray got = trained.parameters().get(k).castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE);
            double err = org.nd4j.linalg.ops.transforms.Transforms.abs(want.sub(got))
                    .maxNumber()
                    .doubleValue();
            assertTrue(err < 1e-5, k + ": Adam's two steps differ from the hand computation by " + err);
        }
        double moved = org.nd4j.linalg.ops.transforms.Transforms.abs(p.get("layers.0.weight")
                        .sub(Network.build(MlpSpec.of(8), 3)
                                .parameters()
                                .get("layers.0.weight")
                                .castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)))
                .maxNumber()
                .doubleValue();
        assertTrue(moved > 0.01, "the weights moved by about 2·lr: " + moved);
    }

    private static Map<String, INDArray> castAll(Map<String, INDArray> in, org.nd4j.linalg.api.buffer.DataType type) {
        Map<String, INDArray> out = new java.util.LinkedHashMap<>();
        in.forEach((k, x) -> out.put(k, x.castTo(type)));
        return out;
    }

    @Test
    void trainingLearnsAndTheSameSeedGivesTheSameNumbers() {
        Network a = Network.build(MlpSpec.of(32).withDropout(0.1), 5);
        double before =
                Accuracy.of(a.logits(DATA.test().features()), DATA.test().labels());
        TrainingOutcome oa =
                new Trainer(a, new CrossEntropy(), opts(3, null)).fit(DATA.train(), null, DATA.validation(), null);
        double after = Accuracy.of(a.logits(DATA.test().features()), DATA.test().labels());
        assertTrue(before < 0.3 && after > 0.7, "accuracy should rise from chance: " + before + " -> " + after);
        assertTrue(oa.curve().get(2).trainLoss() < oa.curve().get(0).trainLoss(), "loss falls: " + oa.curve());

        Network b = Network.build(MlpSpec.of(32).withDropout(0.1), 5);
        TrainingOutcome ob =
                new Trainer(b, new CrossEntropy(), opts(3, null)).fit(DATA.train(), null, DATA.validation(), null);
        assertEquals(oa.curve().get(2).trainLoss(), ob.curve().get(2).trainLoss(), 0.0, "same seed, same loss");
    }

    @Test
    void interruptedRunResumesFromTheCheckpointAndEndsWhereAnUninterruptedRunEnds(@TempDir Path dir) {
        Network whole = Network.build(MlpSpec.of(32), 5);
        TrainingOutcome ref = new Trainer(whole, new CrossEntropy(), opts(3, dir.resolve("ref")))
                .fit(DATA.train(), null, DATA.validation(), null);

        Network first = Network.build(MlpSpec.of(32), 5);
        TrainingListener interruptInEpoch2 = new TrainingListener() {
            @Override
            public void onStep(Progress p) {
                if (p.epoch() == 2 && p.step() == 5) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        TrainingInterruptedException e = assertThrows(
                TrainingInterruptedException.class,
                () -> new Trainer(first, new CrossEntropy(), opts(3, dir.resolve("run")))
                        .listener(interruptInEpoch2)
                        .fit(DATA.train(), null, DATA.validation(), null));
        assertEquals(2, e.epoch());
        assertEquals(6, e.step(), "stops at the next step after the interrupt");
        assertEquals(dir.resolve("run").resolve(Checkpoint.FILE), e.checkpoint());
        assertTrue(!Thread.currentThread().isInterrupted(), "the interrupt is consumed so the caller stays usable");

        Network resumed = Network.build(MlpSpec.of(32), 5);
        List<String> messages = new ArrayList<>();
        TrainingOutcome out = new Trainer(
                        resumed, new CrossEntropy(), opts(3, dir.resolve("run")).resume(true))
                .listener(new TrainingListener() {
                    @Override
                    public void onMessage(String stage, String message) {
                        messages.add(message);
                    }
                })
                .fit(DATA.train(), null, DATA.validation(), null);
        assertEquals(1, out.resumedFromEpoch());
        assertTrue(messages.get(0).contains("resumed from"), messages.toString());
        assertEquals(3, out.curve().size());
        assertEquals(ref.curve().get(2).trainLoss(), out.curve().get(2).trainLoss(), 1e-9);
        assertEquals(ref.curve().get(2).valAccuracy(), out.curve().get(2).valAccuracy(), 0.0);
        Map<String, INDArray> w1 = whole.parameters();
        resumed.parameters()
                .forEach(
                        (k, v) -> assertEquals(0, v.sub(w1.get(k)).norm2Number().doubleValue(), 1e-6, k));
    }

    @Test
    void checkpointFromAnotherRunIsRefused(@TempDir Path dir) {
        new Trainer(Network.build(MlpSpec.of(16), 5), new CrossEntropy(), opts(1, dir))
                .fit(DATA.train(), null, DATA.validation(), null);
        SpecException e = assertThrows(
                SpecException.class,
                () -> new Trainer(
                                Network.build(MlpSpec.of(24), 5),
                                new CrossEntropy(),
                                opts(2, dir).resume(true))
                        .fit(DATA.train(), null, DATA.validation(), null));
        assertTrue(e.getMessage().contains("different run"), e.getMessage());
    }

    @Test
    void nanLossStopsAtTheStepKeepsTheCheckpointAndLeavesFiniteWeights(@TempDir Path dir) {
        Network net = Network.build(MlpSpec.of(32), 5);
        // the real cause of most NaNs: a learning rate far too large; epoch 1 is clean at 1e-3
        new Trainer(net, new CrossEntropy(), opts(1, dir)).fit(DATA.train(), null, DATA.validation(), null);
        long ckptSize = dir.resolve(Checkpoint.FILE).toFile().length();
        INDArray nan = DATA.train().features().dup();
        nan.putScalar(new long[] {3, 100}, Double.NaN);
        var poisoned = new dev.distillery.data.LabeledData(
                "poisoned", nan, DATA.train().labels(), 10, "poisoned");
        TrainingDivergedException e = assertThrows(
                TrainingDivergedException.class,
                () -> new Trainer(net, new CrossEntropy(), opts(2, dir.resolve("second")))
                        .fit(poisoned, null, DATA.validation(), null));
        assertTrue(e.getMessage().contains("loss became NaN at epoch 1, step " + e.step()), e.getMessage());
        assertTrue(e.getMessage().contains("Lower the learning rate"), e.getMessage());
        net.parameters()
                .forEach((k, v) -> assertTrue(Double.isFinite(v.norm2Number().doubleValue()), k + " stays finite"));
        assertEquals(ckptSize, dir.resolve(Checkpoint.FILE).toFile().length(), "the earlier checkpoint is untouched");
        assertTrue(!Files.exists(dir.resolve("second").resolve(Checkpoint.FILE)) || e.epoch() > 1);
    }

    @Test
    void earlyStoppingKeepsTheBestEpoch() {
        Network net = Network.build(MlpSpec.of(64), 5);
        var tiny = DATA.train().sample(100, 1);
        TrainingOutcome out = new Trainer(
                        net, new CrossEntropy(), opts(60, null).patience(3).batchSize(20))
                .fit(tiny, null, DATA.validation(), null);
        assertTrue(out.curve().size() < 60, "stopped early: " + out.stopReason());
        double best =
                out.curve().stream().mapToDouble(EpochStats::valAccuracy).max().orElseThrow();
        assertEquals(best, out.bestValAccuracy(), 0.0);
        assertEquals(
                best,
                Accuracy.of(
                        net.logits(DATA.validation().features()),
                        DATA.validation().labels()),
                1e-9,
                "the network holds the best epoch's weights");
    }

    @Test
    void wrongInputSizeNamesTheFix() {
        Network net = Network.build(new MlpSpec(100, List.of(8), 10, null, null), 1);
        SpecException e = assertThrows(
                SpecException.class,
                () -> new Trainer(net, new CrossEntropy(), opts(1, null))
                        .fit(DATA.train(), null, DATA.validation(), null));
        assertTrue(
                e.getMessage().contains("takes 100 inputs")
                        && e.getMessage().contains("shape=1x28x28 (cnn, vit) or inputs=784 (mlp)"),
                e.getMessage());
    }

    @Test
    void modelFileRoundTripGivesTheSameLogitsAndProvenance(@TempDir Path dir) {
        Network net = Network.build(new CnnSpec(null, List.of(4), 3, 2, List.of(8), 10, null, 0.2), 3);
        Provenance p =
                Provenance.of("t", "teacher", 3, "d", "fp", "cross-entropy", null, 0, Map.of("test_accuracy", 0.5));
        ModelFile.save(net, p, dir.resolve("m.dtm"));
        ModelFile.Loaded l = ModelFile.load(dir.resolve("m.dtm"));
        INDArray x = DATA.test().features();
        assertEquals(0, net.logits(x).sub(l.network().logits(x)).norm2Number().doubleValue(), 1e-6);
        assertEquals(p, l.provenance());
        assertEquals(net.parameterCount(), l.network().parameterCount());
        SpecException e = assertThrows(SpecException.class, () -> ModelFile.load(dir.resolve("nope.dtm")));
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }
}
