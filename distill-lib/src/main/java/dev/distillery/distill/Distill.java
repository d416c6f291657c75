package dev.distillery.distill;

import dev.distillery.backend.Backend;
import dev.distillery.backend.Seeds;
import dev.distillery.data.LabeledData;
import dev.distillery.data.Splits;
import dev.distillery.eval.Accuracy;
import dev.distillery.eval.Fidelity;
import dev.distillery.eval.Footprint;
import dev.distillery.eval.Metrics;
import dev.distillery.loss.FeatureLoss;
import dev.distillery.loss.LossSpec;
import dev.distillery.loss.Losses;
import dev.distillery.model.ModelFile;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.Network;
import dev.distillery.model.Objective;
import dev.distillery.model.Provenance;
import dev.distillery.model.SpecException;
import dev.distillery.model.Trainer;
import dev.distillery.model.TrainingListener;
import dev.distillery.model.TrainingOptions;
import dev.distillery.model.TrainingOutcome;
import dev.distillery.teacher.Teacher;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    private ModelSpec student;
    private Network start;
    private String studentName;
    private LossSpec loss = Losses.hinton(4.0, 0.5);
    private Splits data;
    private TrainingOptions options = TrainingOptions.defaults();
    private final List<TrainingListener> listeners = new ArrayList<>();

    private Distill(Teacher teacher) {
        this.teacher = teacher;
    }

    /** Distils from {@code teacher}. */
    public static Distill from(Teacher teacher) {
        return new Distill(teacher);
    }

    /** Trains a student on labels alone, with no teacher at all. */
    public static Distill scratch(ModelSpec student) {
        return new Distill(null).into(student).with(Losses.scratch());
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

    public Distill epochs(int n) { options = options.epochs(n); return this; }
    public Distill seed(long s) { options = options.seed(s); return this; }
    public Distill batchSize(int n) { options = options.batchSize(n); return this; }
    public Distill learningRate(double lr) { options = options.learningRate(lr); return this; }
    /** Early stop after {@code n} epochs without a better validation accuracy (0: off). */
    public Distill patience(int n) { options = options.patience(n); return this; }
    /** Checkpoint into {@code dir} after each epoch. */
    public Distill checkpoints(Path dir) { options = options.checkpointDir(dir); return this; }
    /** Continue from the checkpoint in the checkpoint directory, if there is one. */
    public Distill resume() { options = options.resume(true); return this; }
    public Distill options(TrainingOptions o) { options = o; return this; }

    public Distill listener(TrainingListener l) {
        listeners.add(l);
        return this;
    }

    public Distill listeners(List<TrainingListener> ls) {
        listeners.addAll(ls);
        return this;
    }

    public DistillResult run() {
        if (student == null) {
            throw new IllegalStateException("no student: call into(\"mlp:64\") or into(spec) before run()");
        }
        if (data == null) {
            throw new IllegalStateException("no data: call on(splits) before run(), e.g. on(FashionMnist.splits(5000, 0))");
        }
        if (loss.needsTeacher() && teacher == null) {
            throw new IllegalStateException(loss.describe() + " needs a teacher: use Distill.from(teacher)");
        }
        Backend.start();
        Seeds.fix(options.seed());
        String name = studentName != null ? studentName : student.describe();
        if (teacher != null && teacher.outputs() != student.outputs()) {
            throw new SpecException("student '" + name + "' has " + student.outputs() + " outputs but teacher '"
                    + teacher.name() + "' has " + teacher.outputs() + "; set the student's outputs to " + teacher.outputs());
        }
        LabeledData train = loss.needsTeacher() ? data.train() : data.train().labeledOnly();
        Network net = start != null ? start : Network.build(student, options.seed());
        Objective objective = loss instanceof FeatureLoss f ? f.bind(teacher.network(), net) : loss;
        List<String> wanted = new ArrayList<>();
        wanted.add(Network.LOGITS);
        wanted.addAll(objective.teacherOutputs());
        Map<String, INDArray> teacherOutputs = loss.needsTeacher() ? teacher.outputs(train, wanted) : Map.of();
        INDArray trainTeacher = teacherOutputs.get(Network.LOGITS);
        INDArray valTeacher = teacher == null ? null : teacher.logits(data.validation());
        String stage = options.stage().equals("train") ? name + " · " + loss.label() + " · seed " + options.seed()
                : options.stage();
        TrainingOutcome out = new Trainer(net, objective, options.stage(stage)).listeners(listeners)
                .fit(train, trainTeacher, teacherOutputs, data.validation(), valTeacher);

        INDArray testLogits = net.logits(data.test().features());
        double acc = Accuracy.of(testLogits, data.test().labels());
        Fidelity fid = teacher == null ? null : Fidelity.of(testLogits, teacher.logits(data.test()));
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("test_accuracy", acc);
        m.put("val_accuracy", out.bestValAccuracy());
        if (fid != null) {
            m.put("agreement", fid.agreement());
            m.put("kl", fid.meanKl());
            m.put("js", fid.meanJs());
        }
        Provenance prov = Provenance.of(name, "student", options.seed(), data.train().name(), data.fingerprint(),
                objective.describe(), teacher == null ? null : teacher.name() + "@" + teacher.id().substring(0, 12),
                out.curve().size(), m);
        Footprint fp = Footprint.measure(net.parameterCount(), savedSize(net, prov), net::forward,
                data.test().features(), 200);
        Metrics metrics = new Metrics(acc, out.bestValAccuracy(), fid == null ? null : fid.agreement(),
                fid == null ? null : fid.meanKl(), fid == null ? null : fid.meanJs(), fp.parameters(),
                fp.bytesOnDisk(), fp.latencyMicros());
        return new DistillResult(name, loss.label(), teacher == null ? null : teacher.name(), options.seed(), metrics,
                out, net, prov);
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
