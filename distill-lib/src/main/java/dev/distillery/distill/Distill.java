package dev.distillery.distill;

import dev.distillery.backend.Backend;
import dev.distillery.backend.Seeds;
import dev.distillery.data.LabeledData;
import dev.distillery.data.Splits;
import dev.distillery.eval.Accuracy;
import dev.distillery.eval.Fidelity;
import dev.distillery.eval.Latency;
import dev.distillery.eval.Metrics;
import dev.distillery.loss.BindContext;
import dev.distillery.loss.EnsembleMode;
import dev.distillery.loss.LossSpec;
import dev.distillery.loss.Losses;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.MultiHeadSpec;
import dev.distillery.model.Network;
import dev.distillery.provenance.Lineage;
import dev.distillery.provenance.ModelFile;
import dev.distillery.provenance.Provenance;
import dev.distillery.spec.SpecException;
import dev.distillery.teacher.Ensemble;
import dev.distillery.teacher.Teacher;
import dev.distillery.train.Objective;
import dev.distillery.train.TeacherOutput;
import dev.distillery.train.Trainer;
import dev.distillery.train.TrainingListener;
import dev.distillery.train.TrainingOptions;
import dev.distillery.train.TrainingOutcome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Distillation, read as a sentence:
 * <pre>{@code
 * DistillResult r = Distill.from(teacher).into("mlp:64").with(Losses.hinton(4.0, 0.5))
 *         .on(splits).epochs(10).seed(1).run();
 * }</pre>
 * With {@link Losses#scratch()} the student learns from the labels alone and the teacher is used
 * only to measure agreement, which makes scratch and KD runs directly comparable.
 */
public final class Distill {

    private final Teacher teacher;
    private final Ensemble ensemble;
    private ModelSpec student;
    private Network start;
    private String studentName;
    private LossSpec loss = Losses.hinton(4.0, 0.5);
    private Splits data;
    private TrainingOptions options = TrainingOptions.defaults();
    private final List<TrainingListener> listeners = new ArrayList<>();
    private UnaryOperator<Lineage> stage = UnaryOperator.identity();
    private List<Integer> strides = List.of();

    private Distill(Teacher teacher, Ensemble ensemble) {
        this.teacher = teacher;
        this.ensemble = ensemble;
    }

    /** Distils from {@code teacher}. */
    public static Distill from(Teacher teacher) {
        return new Distill(teacher, null);
    }

    /**
     * Distils from several teachers, combined as the ensemble's mode says: averaged soft targets,
     * averaged per-teacher losses, or one student head per teacher (the student then gets those
     * heads, combined with the ensemble's weights: {@code mlp:64} becomes
     * {@code multihead:K,combine=weighted,weights=…:mlp:64}). Accuracy and fidelity are measured
     * against the ensemble's weighted average prediction.
     */
    public static Distill from(Ensemble ensemble) {
        return new Distill(null, ensemble);
    }

    /** Trains a student on labels alone, with no teacher at all. */
    public static Distill scratch(ModelSpec student) {
        return new Distill(null, null).into(student).with(Losses.scratch());
    }

    public Distill into(ModelSpec spec) {
        this.student = spec;
        return this;
    }

    /** A compact spec such as {@code mlp:800x800}. */
    public Distill into(String compactSpec) {
        return into(ModelSpec.parse(compactSpec));
    }

    /**
     * Trains {@code start} (in place) rather than a freshly initialised student, e.g. a student made
     * from the teacher's layers by {@link LayerDropping#keep}.
     */
    public Distill startFrom(Network start) {
        this.student = start.spec();
        this.start = start;
        return this;
    }

    public Distill named(String name) {
        this.studentName = name;
        return this;
    }

    public Distill with(LossSpec loss) {
        this.loss = loss;
        return this;
    }

    public Distill on(Splits splits) {
        this.data = splits;
        return this;
    }

    public Distill epochs(int n) {
        options = options.epochs(n);
        return this;
    }

    /**
     * Once-for-all sequence compression: every step trains the (transformer) student at a stride
     * drawn from {@code strides}, one set of weights for all of them; evaluate it at any stride with
     * {@code result.network().atStride(r)}.
     */
    public Distill strides(Integer... strides) {
        this.strides = List.of(strides);
        return this;
    }

    public Distill seed(long s) {
        options = options.seed(s);
        return this;
    }

    public Distill batchSize(int n) {
        options = options.batchSize(n);
        return this;
    }

    public Distill learningRate(double lr) {
        options = options.learningRate(lr);
        return this;
    }
    /** Early stop after {@code n} epochs without a better validation accuracy (0: off). */
    public Distill patience(int n) {
        options = options.patience(n);
        return this;
    }
    /** Checkpoint into {@code dir} after each epoch. */
    public Distill checkpoints(Path dir) {
        options = options.checkpointDir(dir);
        return this;
    }
    /** Continue from the checkpoint in the checkpoint directory, if there is one. */
    public Distill resume() {
        options = options.resume(true);
        return this;
    }

    /** The id of the teacher or ensemble the student learns from (null: trained from scratch). */
    public String teacherId() {
        return teacher != null ? teacher.id() : ensemble != null ? ensemble.id() : null;
    }

    public Distill options(TrainingOptions o) {
        options = o;
        return this;
    }

    public Distill listener(TrainingListener l) {
        listeners.add(l);
        return this;
    }

    public Distill listeners(List<TrainingListener> ls) {
        listeners.addAll(ls);
        return this;
    }

    /**
     * Marks this run as stage {@code stage} of {@code stages} of teacher-assistant chain {@code chain}
     * ({@code role} assistant or student), learning from the runs {@code parents}; the lineage in the
     * model's provenance says so.
     */
    public Distill inChain(String chain, String role, int stage, int stages, List<String> parents) {
        return lineage(l -> l.inChain(chain, role, stage, stages, parents));
    }

    /** Adds to the lineage this run records (after the teachers are filled in), e.g. the runs that made them. */
    public Distill lineage(UnaryOperator<Lineage> f) {
        UnaryOperator<Lineage> before = stage;
        this.stage = l -> f.apply(before.apply(l));
        return this;
    }

    public DistillResult run() {
        if (student == null) {
            throw new IllegalStateException("no student: call into(\"mlp:64\") or into(spec) before run()");
        }
        if (data == null) {
            throw new IllegalStateException(
                    "no data: call on(splits) before run(), e.g. on(FashionMnist.splits(5000, 0))");
        }
        if (loss.needsTeacher() && teacher == null && ensemble == null) {
            throw new IllegalStateException(loss.describe() + " needs a teacher: use Distill.from(teacher)");
        }
        boolean teacherLogits = teacher == null || teacher.hasLogits();
        if (!teacherLogits && !loss.featuresAlone()) {
            throw new SpecException(
                    "teacher '" + teacher.name() + "' is " + teacher.model().describe() + ": it gives no class "
                            + "scores (logits). A sentence encoder: distil its embeddings with SentenceDistill.from(teacher), "
                            + "then fine-tune with SentenceDistill.fineTune; an ONNX model: map its class scores with "
                            + "outputs logits=NODE; or distil its features alone (a features loss with logits none)");
        }
        Backend.start();
        Seeds.fix(options.seed());
        boolean heads = ensemble != null && ensemble.mode() == EnsembleMode.HEADS && loss.needsTeacher();
        // the heads combine as the teachers do: with the ensemble's weights
        ModelSpec spec = heads && !(student instanceof MultiHeadSpec)
                ? MultiHeadSpec.weighted(student, ensemble.weights())
                : student;
        String name = studentName != null ? studentName : spec.describe();
        int sourceOutputs =
                teacher != null ? teacher.outputs() : ensemble != null ? ensemble.outputs() : spec.outputs();
        String sourceName = teacher != null ? teacher.name() : ensemble != null ? ensemble.name() : null;
        if (teacherLogits && sourceOutputs != spec.outputs()) {
            throw new SpecException("student '" + name + "' has " + spec.outputs() + " outputs but teacher '"
                    + sourceName + "' has " + sourceOutputs + "; set the student's outputs to " + sourceOutputs);
        }
        if (heads && start != null && !(start.spec() instanceof MultiHeadSpec)) {
            throw new SpecException("ensemble mode heads needs a student with one head per teacher; the start network "
                    + start.spec().describe() + " has one");
        }
        LabeledData train = loss.needsTeacher() ? data.train() : data.train().labeledOnly();
        Network net = start != null ? start : Network.build(spec, options.seed());
        Objective objective;
        Map<TeacherOutput, INDArray> teacherOutputs;
        INDArray trainTeacher;
        INDArray valTeacher;
        INDArray testTeacher;
        if (ensemble != null) {
            // a loss without a teacher (scratch) ignores the ensemble
            objective = loss.needsTeacher() ? null : loss.bind(BindContext.single(null, net));
            teacherOutputs = Map.of();
            trainTeacher = null;
            if (loss.needsTeacher()) {
                objective = loss.bind(BindContext.ensemble(
                        ensemble.members().stream().map(Teacher::model).toList(),
                        ensemble.memberNames(),
                        ensemble.weights(),
                        ensemble.mode(),
                        net));
                teacherOutputs = memberOutputs(objective.teacherOutputs(), train);
                java.util.OptionalDouble temperature = loss.softTargetTemperature();
                trainTeacher = ensemble.mode() == EnsembleMode.TARGETS && temperature.isPresent()
                        ? ensemble.targetLogits(train, temperature.getAsDouble())
                        : ensemble.logits(train);
            }
            valTeacher = ensemble.logits(data.validation());
            testTeacher = ensemble.logits(data.test());
        } else {
            objective = loss.bind(BindContext.single(teacher == null ? null : teacher.model(), net));
            List<String> wanted = new ArrayList<>();
            if (teacherLogits) {
                wanted.add(Network.LOGITS);
            }
            objective.teacherOutputs().forEach(o -> wanted.add(o.output()));
            Map<String, INDArray> outputs = loss.needsTeacher() ? teacher.outputs(train, wanted) : Map.of();
            Map<TeacherOutput, INDArray> refs = new LinkedHashMap<>();
            outputs.forEach((k, v) -> refs.put(TeacherOutput.of(k), v));
            teacherOutputs = refs;
            trainTeacher = outputs.get(Network.LOGITS);
            valTeacher = teacher == null || !teacherLogits ? null : teacher.logits(data.validation());
            testTeacher = teacher == null || !teacherLogits ? null : teacher.logits(data.test());
        }
        String stageName = options.stage().equals("train")
                ? name + " · " + loss.label() + " · seed " + options.seed()
                : options.stage();
        TrainingOutcome out = new Trainer(net, objective, options.stage(stageName))
                .listeners(listeners)
                .strides(strides)
                .fit(train, trainTeacher, teacherOutputs, data.validation(), valTeacher);

        INDArray testLogits = net.logits(data.test().features());
        double acc = Accuracy.of(testLogits, data.test().labels());
        Fidelity fid = testTeacher == null ? null : Fidelity.of(testLogits, testTeacher);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("test_accuracy", acc);
        m.put("val_accuracy", out.bestValAccuracy());
        if (fid != null) {
            m.put("agreement", fid.agreement());
            m.put("kl", fid.meanKl());
            m.put("js", fid.meanJs());
        }
        Lineage lineage = ensemble != null
                ? ensemble.lineage(data.test())
                : teacher != null
                        ? Lineage.single(new Lineage.Member(
                                teacher.name(),
                                teacher.id(),
                                teacher.compact(),
                                teacher.parameterCount(),
                                1.0,
                                testTeacher == null
                                        ? Double.NaN
                                        : Accuracy.of(testTeacher, data.test().labels()),
                                null))
                        : null;
        if (lineage != null) {
            lineage = stage.apply(lineage);
            if (net.spec() instanceof MultiHeadSpec mh) {
                lineage = lineage.withExtraParameters(mh.extraParameters());
            }
        }
        String source = teacher != null
                ? teacher.name() + "@" + teacher.id().substring(0, 12)
                : ensemble != null ? ensemble.name() + "@" + ensemble.id().substring(0, 12) : null;
        Provenance prov = Provenance.of(
                name,
                "student",
                options.seed(),
                data.train().name(),
                data.fingerprint(),
                objective.describe() + (strides.isEmpty() ? "" : " · once-for-all strides " + strides),
                source,
                out.curve().size(),
                m,
                lineage);
        List<Latency> latencies = Latencies.measure(net, data.test().features());
        Metrics metrics = new Metrics(
                acc,
                out.bestValAccuracy(),
                fid == null ? null : fid.agreement(),
                fid == null ? null : fid.meanKl(),
                fid == null ? null : fid.meanJs(),
                net.parameterCount(),
                savedSize(net, prov),
                Latency.find(latencies, Latency.TAPE, 1).microsPerBatch(),
                latencies);
        return new DistillResult(name, loss.label(), sourceName, options.seed(), metrics, out, net, prov);
    }

    /** Each teacher's outputs the ensemble loss refers to, one cached pass per teacher. */
    private Map<TeacherOutput, INDArray> memberOutputs(List<TeacherOutput> refs, LabeledData train) {
        Map<TeacherOutput, INDArray> out = new LinkedHashMap<>();
        for (int k = 0; k < ensemble.members().size(); k++) {
            int member = k;
            List<String> wanted = refs.stream()
                    .filter(r -> r.teacher() == member)
                    .map(TeacherOutput::output)
                    .toList();
            if (!wanted.isEmpty()) {
                ensemble.members()
                        .get(k)
                        .outputs(train, wanted)
                        .forEach((n, a) -> out.put(new TeacherOutput(member, n), a));
            }
        }
        return out;
    }

    private static long savedSize(Network net, Provenance prov) {
        try {
            Path tmp = Files.createTempFile("distillery-size", ".dtm");
            try {
                ModelFile.save(net, prov, tmp);
                return Files.size(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
