package dev.distillery.train;

import dev.distillery.backend.Rows;
import dev.distillery.backend.Seeds;
import dev.distillery.data.Batches;
import dev.distillery.data.DataLocator;
import dev.distillery.data.LabeledData;
import dev.distillery.eval.Accuracy;
import dev.distillery.eval.Fidelity;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.Network;
import dev.distillery.nn.Forward;
import dev.distillery.nn.Masks;
import dev.distillery.nn.Module;
import dev.distillery.nn.Parameter;
import dev.distillery.provenance.ModelFile;
import dev.distillery.spec.SpecException;
import dev.distillery.tensor.Memory;
import dev.distillery.tensor.Tape;
import dev.distillery.tensor.Var;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Mini-batch training of a {@link Network} on an {@link Objective} with Adam: seeded shuffling and
 * dropout (a run with the same seed gives the same numbers, resumed or not), validation accuracy
 * after each epoch, early stopping that keeps the best weights, a checkpoint per epoch, a stop at
 * the first non-finite loss or gradient, and a stop within one step of a thread interrupt.
 */
public final class Trainer {

    /** The loss's own weights are named {@code aux.<name>}. */
    static final String AUX_PREFIX = "aux.";

    private final Network net;
    private final Objective objective;
    private final TrainingOptions opts;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private List<Integer> strides = List.of();
    private List<Network> strideViews = List.of();

    public Trainer(Network net, Objective objective, TrainingOptions opts) {
        this.net = net;
        this.objective = objective;
        this.opts = opts;
    }

    public Trainer listener(TrainingListener l) {
        if (l != null) {
            listeners.add(l);
        }
        return this;
    }

    public Trainer listeners(List<TrainingListener> ls) {
        ls.forEach(this::listener);
        return this;
    }

    /**
     * Once-for-all sequence compression: each step trains the transformer at a time-reduction stride
     * drawn (seeded) from {@code strides}, all sharing one set of weights; validation runs at the
     * network's own stride. An empty list trains at that stride only.
     */
    public Trainer strides(List<Integer> strides) {
        List<Network> views = new ArrayList<>();
        for (int s : strides) {
            views.add(net.atStride(s));
        }
        this.strides = List.copyOf(strides);
        this.strideViews = List.copyOf(views);
        return this;
    }

    /**
     * Trains on {@code train} and validates on {@code validation}. Teacher logits (rows aligned
     * with the data) are required when the objective needs a teacher; validation teacher logits are
     * optional and add agreement to the curve.
     */
    public TrainingOutcome fit(
            LabeledData train, INDArray trainTeacherLogits, LabeledData validation, INDArray validationTeacherLogits) {
        return fit(train, trainTeacherLogits, Map.of(), validation, validationTeacherLogits);
    }

    /**
     * As {@link #fit(LabeledData, INDArray, LabeledData, INDArray)}, with the teacher outputs the
     * objective names in {@link Objective#teacherOutputs()}, each {@code [N, prod(shape)]} with rows
     * aligned with {@code train}.
     */
    public TrainingOutcome fit(
            LabeledData train,
            INDArray trainTeacherLogits,
            Map<TeacherOutput, INDArray> trainTeacherOutputs,
            LabeledData validation,
            INDArray validationTeacherLogits) {
        try {
            return train(train, trainTeacherLogits, trainTeacherOutputs, validation, validationTeacherLogits);
        } finally {
            // the step memory goes back when training ends, however it ends: a notebook trains many models
            Memory.release();
        }
    }

    @SuppressWarnings("try") // each step's workspace is entered for its scope: the step's arrays live in it
    private TrainingOutcome train(
            LabeledData train,
            INDArray trainTeacherLogits,
            Map<TeacherOutput, INDArray> trainTeacherOutputs,
            LabeledData validation,
            INDArray validationTeacherLogits) {
        check(train, trainTeacherLogits, validation);
        for (TeacherOutput o : objective.teacherOutputs()) {
            INDArray a = trainTeacherOutputs.get(o);
            if (a == null || a.rows() != train.size()) {
                throw new IllegalArgumentException(objective.describe() + " needs " + o + " for every row of "
                        + train.name() + (a == null ? "; none was given" : "; got " + a.rows() + " rows"));
            }
        }
        String stage = opts.stage();
        LossWeights aux = new LossWeights(objective.weights(), Seeds.stream(opts.seed(), "aux-init", 0));
        net.setAuxiliary(aux.values);
        List<String> names = new ArrayList<>(net.parameterNames());
        names.addAll(aux.values.keySet());
        Map<String, INDArray> params = new LinkedHashMap<>(net.parameters());
        params.putAll(aux.values);
        Adam adam = new Adam(params);

        String runKey = DataLocator.sha256(net.spec().compact() + "|" + objective.describe() + "|" + opts.seed() + "|"
                + opts.batchSize() + "|" + opts.learningRate() + "|" + train.fingerprint() + "|"
                + validation.fingerprint()
                + (strides.isEmpty() ? "" : "|strides " + strides));
        Path ckptFile =
                opts.checkpointDir() == null ? null : opts.checkpointDir().resolve(Checkpoint.FILE);
        List<EpochStats> curve = new ArrayList<>();
        boolean validatedOnce = false;
        int startEpoch = 1;
        long globalStep = 0;
        int bestEpoch = 0;
        double bestAcc = Double.NEGATIVE_INFINITY;
        int sinceBest = 0;
        Map<String, INDArray> best = null;
        Path lastGood = null;
        if (ckptFile != null) {
            writable(opts.checkpointDir());
        }
        if (opts.resume() && Checkpoint.exists(opts.checkpointDir())) {
            Checkpoint c = Checkpoint.read(ckptFile);
            if (!c.state().runKey().equals(runKey)) {
                throw new SpecException("checkpoint " + ckptFile + " was written by a different run (model, objective, "
                        + "seed, batch size, learning rate or data differ); delete it, use another checkpoint "
                        + "directory, or rerun with --fresh");
            }
            try {
                Map<String, INDArray> saved = net.withCurrentNames(c.params());
                net.setParameters(saved);
                for (String a : aux.values.keySet()) {
                    params.get(a).assign(saved.get(a));
                }
                adam.restore(net.withCurrentNames(c.adamM()), net.withCurrentNames(c.adamV()));
                best = c.best().isEmpty() ? null : net.withCurrentNames(c.best());
            } catch (RuntimeException e) {
                throw Checkpoint.damaged(
                        ckptFile, "its weights do not fit " + net.spec().describe() + ": " + ModelFile.problem(e), e);
            }
            curve.addAll(c.state().curve());
            startEpoch = c.state().epoch() + 1;
            globalStep = c.state().globalStep();
            bestEpoch = c.state().bestEpoch();
            bestAcc = c.state().bestValAccuracy();
            sinceBest = c.state().epochsSinceBest();
            lastGood = ckptFile;
            for (TrainingListener l : listeners) {
                l.onMessage(
                        stage,
                        "resumed from " + ckptFile + " after epoch " + c.state().epoch());
            }
        }
        int resumedFrom = startEpoch - 1;
        if (objective.taskAgnostic()) {
            for (TrainingListener l : listeners) {
                l.onMessage(
                        stage,
                        "task-agnostic loss: the classifier is not trained, so validation accuracy stays near "
                                + "chance and does not choose the epoch (the last is kept); probe the model to measure it");
            }
        }

        INDArray features = train.features();
        INDArray oneHot = train.oneHot();
        INDArray mask = train.labelMask();
        int n = train.size();
        int steps = (n + opts.batchSize() - 1) / opts.batchSize();
        long t0 = System.nanoTime();
        long stepsThisRun = 0;
        long totalSteps = (long) (opts.epochs() - startEpoch + 1) * steps;
        Double lastVal = curve.isEmpty() ? null : curve.get(curve.size() - 1).valAccuracy();
        String stopReason = "completed " + opts.epochs() + " epochs";
        int epoch = startEpoch;
        for (; epoch <= opts.epochs(); epoch++) {
            long e0 = System.nanoTime();
            List<int[]> plan = Batches.plan(n, opts.batchSize(), Seeds.stream(opts.seed(), "shuffle", epoch));
            double lossSum = 0;
            for (int s = 0; s < plan.size(); s++) {
                if (Thread.interrupted() || StopSignal.consume()) {
                    throw new TrainingInterruptedException(stage, epoch, s + 1, lastGood, curve);
                }
                globalStep++;
                double loss;
                // every array of the step lives in one workspace: after the first step, no allocation
                try (Memory.Pass pass = Memory.open()) {
                    Batches.Batch b = Batches.take(plan.get(s), features, oneHot, mask, trainTeacherLogits);
                    Tape tape = new Tape();
                    Map<String, Var> pv = net.trainable(tape);
                    Network stepNet = strideViews.isEmpty()
                            ? net
                            : strideViews.get(Seeds.stream(opts.seed(), "stride", globalStep)
                                    .nextInt(strideViews.size()));
                    Var l = loss(
                            stepNet,
                            tape,
                            pv,
                            aux.on(tape, b.features().rows()),
                            b,
                            trainTeacherOutputs,
                            Masks.from(Seeds.stream(opts.seed(), "dropout", globalStep)));
                    loss = l.item();
                    if (!Double.isFinite(loss)) {
                        throw new TrainingDivergedException(
                                stage,
                                "loss became " + loss,
                                epoch,
                                s + 1,
                                globalStep,
                                opts.learningRate(),
                                lastGood,
                                curve);
                    }
                    tape.backward(l);
                    // every gradient is checked before any parameter changes, so a diverged step keeps the last good
                    // weights
                    for (String p : names) {
                        Var v = pv.containsKey(p) ? pv.get(p) : aux.step(p);
                        INDArray g = v == null || v.grad() == null
                                ? Nd4j.zeros(DataType.FLOAT, params.get(p).shape())
                                : v.grad();
                        if (!adam.load(p, g)) {
                            throw new TrainingDivergedException(
                                    stage,
                                    "the gradient of '" + p + "' became non-finite",
                                    epoch,
                                    s + 1,
                                    globalStep,
                                    opts.learningRate(),
                                    lastGood,
                                    curve);
                        }
                    }
                    for (String p : names) {
                        adam.apply(p, params.get(p), opts.learningRate(), globalStep);
                    }
                }
                lossSum += loss;
                stepsThisRun++;
                if (stepsThisRun == 1) {
                    Memory.returnFreedPages(); // the workspace's learning pass, spilled to malloc, is freed now
                }
                double elapsed = (System.nanoTime() - t0) / 1e9;
                double eta = elapsed / stepsThisRun * (totalSteps - stepsThisRun);
                Progress pr = new Progress(
                        stage, epoch, opts.epochs(), s + 1, plan.size(), lossSum / (s + 1), lastVal, elapsed, eta);
                for (TrainingListener l : listeners) {
                    l.onStep(pr);
                }
            }
            INDArray valLogits = net.logits(validation.features());
            if (!validatedOnce) {
                Memory.returnFreedPages(); // and the inference workspace's
                validatedOnce = true;
            }
            double valAcc = Accuracy.of(valLogits, validation.labels());
            Double agree =
                    validationTeacherLogits == null ? null : Fidelity.agreement(valLogits, validationTeacherLogits);
            EpochStats st = new EpochStats(epoch, lossSum / plan.size(), valAcc, agree, (System.nanoTime() - e0) / 1e9);
            curve.add(st);
            lastVal = valAcc;
            if (valAcc > bestAcc || objective.taskAgnostic()) {
                bestAcc = valAcc;
                bestEpoch = epoch;
                sinceBest = 0;
                // a task-agnostic loss never trains the classifier: its validation accuracy cannot choose an epoch
                best = !objective.taskAgnostic() && (opts.patience() > 0 || opts.epochs() > 1) ? net.snapshot() : null;
            } else {
                sinceBest++;
            }
            for (TrainingListener l : listeners) {
                l.onEpoch(stage, st);
            }
            if (ckptFile != null) {
                Map<String, INDArray> bestCopy = best == null ? Map.of() : best;
                new Checkpoint(
                                new Checkpoint.State(runKey, epoch, globalStep, bestEpoch, bestAcc, sinceBest, curve),
                                params,
                                adam.firstMoments(),
                                adam.secondMoments(),
                                bestCopy)
                        .write(ckptFile);
                lastGood = ckptFile;
            }
            if (opts.patience() > 0 && sinceBest >= opts.patience() && epoch < opts.epochs()) {
                stopReason = "early stop after epoch " + epoch + ": no better validation accuracy for "
                        + opts.patience() + " epochs";
                for (TrainingListener l : listeners) {
                    l.onMessage(stage, stopReason);
                }
                break;
            }
        }
        if (best != null && bestEpoch != curve.get(curve.size() - 1).epoch()) {
            net.setParameters(best);
        }
        return new TrainingOutcome(
                List.copyOf(curve),
                bestEpoch,
                bestAcc,
                stopReason,
                globalStep,
                (System.nanoTime() - t0) / 1e9,
                resumedFrom);
    }

    /** The loss of one batch on {@code tape}: the network's forward pass, then the objective. */
    private Var loss(
            Network net,
            Tape tape,
            Map<String, Var> pv,
            Forward aux,
            Batches.Batch b,
            Map<TeacherOutput, INDArray> trainTeacherOutputs,
            Masks masks) {
        Map<String, Var> student = net.forward(tape, pv, b.features(), masks);
        Var teacher = objective.needsTeacherLogits() ? tape.constant(b.teacherLogits()) : null;
        Map<TeacherOutput, Var> teacherOutputs = new LinkedHashMap<>();
        for (TeacherOutput o : objective.teacherOutputs()) {
            teacherOutputs.put(o, tape.constant(Rows.gather(trainTeacherOutputs.get(o), b.rows())));
        }
        return objective.define(new Objective.Inputs(
                student.get(Network.LOGITS),
                tape.constant(b.oneHot()),
                tape.constant(b.labelMask()),
                teacher,
                teacherOutputs,
                aux,
                student));
    }

    /** The loss's own weights ({@link Objective#weights()}): drawn from the run's seed in declaration order, then kept. */
    private static final class LossWeights {
        final Map<String, INDArray> values = new LinkedHashMap<>();
        private final Map<String, Parameter> declared = new LinkedHashMap<>();
        private final Map<String, Var> step = new LinkedHashMap<>();

        @SuppressWarnings("try") // the scope is entered for its effect: the weights are made outside every workspace
        LossWeights(Module weights, SplittableRandom rng) {
            if (weights == null) {
                return;
            }
            weights.parameters().forEach((name, p) -> {
                INDArray v;
                try (MemoryWorkspace scope = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
                    v = Nd4j.zeros(DataType.FLOAT, p.shape());
                }
                p.init().apply(v, rng);
                declared.put(AUX_PREFIX + name, p);
                values.put(AUX_PREFIX + name, v);
            });
        }

        /** This step's view: each weight a trainable leaf of {@code tape}. */
        Forward on(Tape tape, long batch) {
            step.clear();
            Map<Parameter, Var> vars = new IdentityHashMap<>();
            declared.forEach((name, p) -> {
                Var v = tape.param(values.get(name));
                step.put(name, v);
                vars.put(p, v);
            });
            return new Forward(tape, vars, batch, null);
        }

        Var step(String name) {
            return step.get(name);
        }
    }

    /** Fails now, not after the first epoch, when checkpoints cannot be written to {@code dir}. */
    private static void writable(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(Files.createTempFile(dir, ".write-check", ".tmp"));
        } catch (IOException | SecurityException e) {
            throw new SpecException(
                    "cannot write checkpoints to " + dir + " ("
                            + ModelFile.problem(e) + "); choose a writable directory (the runs "
                            + "directory, --runs DIR, or Distill.checkpoints(DIR))",
                    e);
        }
    }

    private void check(LabeledData train, INDArray teacherLogits, LabeledData validation) {
        ModelSpec spec = net.spec();
        for (LabeledData d : List.of(train, validation)) {
            if (d.inputSize() != spec.inputs()) {
                String fix = d.imageShape() != null
                        ? "; its rows are " + d.imageShape() + " images: give the student shape=" + d.imageShape()
                                + " (cnn, vit) or inputs=" + d.inputSize() + " (mlp)"
                        : "; set the model's inputs to " + d.inputSize();
                throw new SpecException(spec.describe() + " takes " + spec.inputs() + " inputs but " + d.name()
                        + " has " + d.inputSize() + " features" + fix);
            }
            if (d.numClasses() != spec.outputs()) {
                throw new SpecException(spec.describe() + " has " + spec.outputs() + " outputs but " + d.name()
                        + " has " + d.numClasses() + " classes; set the model's outputs to " + d.numClasses());
            }
        }
        if (objective.needsTeacherLogits()) {
            if (teacherLogits == null) {
                throw new IllegalArgumentException(objective.describe() + " needs teacher logits for " + train.name());
            }
            long[] want = {train.size(), spec.outputs()};
            if (!Arrays.equals(teacherLogits.shape(), want)) {
                throw new SpecException("teacher logits have shape " + Arrays.toString(teacherLogits.shape())
                        + " but the student " + spec.describe() + " on " + train.name() + " needs "
                        + Arrays.toString(want)
                        + "; the student's outputs must equal the teacher's");
            }
        }
        if (train.labeledCount() == 0 && !objective.needsTeacher()) {
            throw new IllegalArgumentException(
                    train.name() + " has no labeled examples to train " + spec.describe() + " on");
        }
    }
}
