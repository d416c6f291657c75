package dev.distillery.distill;

import dev.distillery.backend.Backend;
import dev.distillery.backend.Seeds;
import dev.distillery.data.LabeledData;
import dev.distillery.data.Splits;
import dev.distillery.data.TextTasks;
import dev.distillery.eval.Embeddings;
import dev.distillery.loss.FeatureLoss;
import dev.distillery.loss.Losses;
import dev.distillery.loss.Projection;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.Network;
import dev.distillery.model.TransformerSpec;
import dev.distillery.provenance.Provenance;
import dev.distillery.spec.SpecException;
import dev.distillery.teacher.OnnxTeacher;
import dev.distillery.teacher.Teacher;
import dev.distillery.train.Objective;
import dev.distillery.train.TeacherOutput;
import dev.distillery.train.Trainer;
import dev.distillery.train.TrainingListener;
import dev.distillery.train.TrainingOptions;
import dev.distillery.train.TrainingOutcome;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Sentence-embedding distillation (DisCo's recipe), read as a sentence:
 * <pre>{@code
 * SentenceDistill.Result r = SentenceDistill.from(Teachers.pretrained("bge-small-en-v1.5"))
 *         .into("text:2x128,length=64,vocab=30522").on(tasks.sentences()).epochs(5).seed(1).run();
 * }</pre>
 * Stage 1 trains a text student on unlabelled sentences to reproduce the teacher's sentence
 * embeddings ({@code features}): by default cosine plus contrastive KD (InfoNCE between student and
 * teacher embeddings of the same batch), each through a linear projection to the teacher's width;
 * optionally with per-layer hidden-state terms ({@link #disco(double, double, FeatureLoss.Mapping)}).
 * The teacher's outputs come from the teacher-output cache. {@link #fineTune} is stage 2: the
 * student's encoder with a fresh classifier, trained on a labelled task.
 */
public final class SentenceDistill {

    private final Teacher teacher;
    private ModelSpec spec;
    private FeatureLoss loss = disco(1.0, 1.0, null);
    private String dataName;
    private Splits data;
    private TrainingOptions options = TrainingOptions.defaults().batchSize(32).epochs(5);
    private boolean initFromTeacher;
    private Teacher initSource;
    private final List<TrainingListener> listeners = new ArrayList<>();

    private SentenceDistill(Teacher teacher) {
        this.teacher = teacher;
    }

    public static SentenceDistill from(Teacher teacher) {
        return new SentenceDistill(teacher);
    }

    /**
     * Cosine (×{@code cosine}) plus InfoNCE (×{@code contrastive}) between the student's pooled
     * embedding, projected, and the teacher's; plus {@code hidden} (e.g. {@code Mapping.parse("uniform")})
     * on the layers when given. A weight of 0 leaves that term out.
     */
    public static FeatureLoss disco(double cosine, double contrastive, FeatureLoss.Mapping hidden) {
        List<FeatureLoss.Match> m = new ArrayList<>();
        if (cosine > 0) {
            m.add(new FeatureLoss.Match(Network.FEATURES, Network.FEATURES, "cosine", cosine, Projection.LINEAR));
        }
        if (contrastive > 0) {
            m.add(new FeatureLoss.Match(Network.FEATURES, Network.FEATURES, "infonce", contrastive, Projection.LINEAR));
        }
        return new FeatureLoss(Losses.none(), m, hidden, null, null);
    }

    public SentenceDistill into(ModelSpec s) {
        this.spec = s;
        return this;
    }

    public SentenceDistill into(String compact) {
        return into(ModelSpec.parse(compact));
    }

    public SentenceDistill with(FeatureLoss l) {
        this.loss = l;
        return this;
    }

    public SentenceDistill on(TextTasks.Task sentences) {
        return on(sentences.name(), sentences.splits());
    }

    /** Unlabelled sentences as token ids, under {@code name} (the data set's, for the provenance). */
    public SentenceDistill on(String name, Splits sentences) {
        this.dataName = name;
        this.data = sentences;
        return this;
    }

    /** Start the student's token embeddings from the teacher's, projected onto their top principal directions when narrower. */
    public SentenceDistill initFromTeacher(boolean on) {
        this.initFromTeacher = on;
        this.initSource = null;
        return this;
    }

    /**
     * Start the student's token embeddings from {@code pretrained}'s (an ONNX teacher), e.g. a
     * chain's student from the first teacher's, or an ensemble's student from one member's; null: a
     * random start.
     */
    public SentenceDistill initEmbeddingsFrom(Teacher pretrained) {
        this.initFromTeacher = pretrained != null;
        this.initSource = pretrained;
        return this;
    }

    public SentenceDistill epochs(int n) {
        options = options.epochs(n);
        return this;
    }

    public SentenceDistill seed(long s) {
        options = options.seed(s);
        return this;
    }

    public SentenceDistill batchSize(int n) {
        options = options.batchSize(n);
        return this;
    }

    public SentenceDistill learningRate(double lr) {
        options = options.learningRate(lr);
        return this;
    }

    public SentenceDistill options(TrainingOptions o) {
        options = o;
        return this;
    }

    public SentenceDistill listener(TrainingListener l) {
        listeners.add(l);
        return this;
    }

    public SentenceDistill listeners(List<TrainingListener> ls) {
        listeners.addAll(ls);
        return this;
    }

    /** A distilled student: the network, how training went, what it was trained with, and its fidelity on held-out sentences. */
    public record Result(
            String name,
            Network network,
            TrainingOutcome outcome,
            String objective,
            Provenance provenance,
            Quality quality) {
        public String summary() {
            return String.format(
                    "%s · %,d parameters · fidelity %.3f (the mean embedding scores %.3f) · neighbours@%d %.3f · %d "
                            + "epochs",
                    name,
                    network.parameterCount(),
                    quality.fidelity(),
                    quality.baseline(),
                    quality.k(),
                    quality.neighbours(),
                    outcome.curve().size());
        }
    }

    /**
     * Embedding fidelity (mean cosine after a fitted linear map) and top-{@code k} neighbour agreement,
     * on held-out sentences; {@code baseline} is the fidelity of answering every sentence with the
     * teacher's mean training embedding (sentence encoders' embeddings share a large common direction,
     * so this is far from 0).
     */
    public record Quality(double fidelity, double neighbours, int k, int sentences, double baseline) {}

    public Result run() {
        if (spec == null) {
            throw new IllegalStateException("no student: call into(\"text:2x128,length=64,vocab=30522\") before run()");
        }
        if (data == null) {
            throw new IllegalStateException("no sentences: call on(tasks.sentences()) before run()");
        }
        Backend.start();
        Seeds.fix(options.seed());
        TransformerSpec ts =
                textStudent(spec, data.train()).withOutputs(data.train().numClasses());
        Teacher t = atLength(teacher, ts.inputs());
        Network net = Network.build(ts, options.seed());
        if (initFromTeacher) {
            initEmbeddings(net, initSource != null ? initSource : t);
        }
        Objective objective = loss.bind(t.model(), net);
        LabeledData train = data.train();
        Map<TeacherOutput, INDArray> teacherOutputs = new LinkedHashMap<>();
        t.outputs(
                        train,
                        objective.teacherOutputs().stream()
                                .map(TeacherOutput::output)
                                .toList())
                .forEach((k, v) -> teacherOutputs.put(TeacherOutput.of(k), v));
        String name = ts.describe();
        String stage = name + " · " + loss.label() + " · seed " + options.seed();
        TrainingOutcome out = new Trainer(net, objective, options.stage(stage))
                .listeners(listeners)
                .fit(train, null, teacherOutputs, data.validation(), null);
        Quality q = quality(t, net, data);
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("fidelity", q.fidelity());
        m.put("neighbour_agreement", q.neighbours());
        m.put("parameters", (double) net.parameterCount());
        Provenance p = Provenance.of(
                name,
                "student",
                options.seed(),
                dataName,
                data.fingerprint(),
                objective.describe()
                        + (initFromTeacher
                                ? " · token embeddings from " + (initSource != null ? initSource.name() : "the teacher")
                                : ""),
                t.name() + "@" + t.id().substring(0, 12),
                out.curve().size(),
                m);
        return new Result(name, net, out, objective.describe(), p, q);
    }

    /** The student's and the teacher's fidelity and neighbour agreement (k = 10) on {@code sentences}' test split. */
    public static Quality quality(Teacher teacher, Network student, TextTasks.Task sentences) {
        return quality(teacher, student, sentences.splits());
    }

    /** As above, on the test split of {@code sentences}. */
    public static Quality quality(Teacher teacher, Network student, Splits sentences) {
        return quality(
                teacher,
                d -> student.outputs(d.features(), List.of(Network.FEATURES)).get(Network.FEATURES),
                sentences);
    }

    /** As {@link #quality(Teacher, Network, TextTasks.Task)} for any model, given as the sentence embeddings it makes of a split. */
    public static Quality quality(
            Teacher teacher, java.util.function.Function<LabeledData, INDArray> student, TextTasks.Task sentences) {
        return quality(teacher, student, sentences.splits());
    }

    /** As above, on the test split of {@code s}. */
    public static Quality quality(
            Teacher teacher, java.util.function.Function<LabeledData, INDArray> student, Splits s) {
        Teacher t = atLength(teacher, s.train().inputSize());
        INDArray tTrain = t.outputs(s.train(), List.of(Network.FEATURES)).get(Network.FEATURES);
        INDArray tTest = t.outputs(s.test(), List.of(Network.FEATURES)).get(Network.FEATURES);
        INDArray sTrain = student.apply(s.train());
        INDArray sTest = student.apply(s.test());
        int k = Math.min(10, s.test().size() - 1);
        INDArray mean = tTrain.mean(true, 0).repeat(0, tTest.rows());
        return new Quality(
                Embeddings.fidelity(sTrain, tTrain, sTest, tTest),
                Embeddings.neighbourAgreement(sTest, tTest, k),
                k,
                s.test().size(),
                Embeddings.meanCosine(mean, tTest));
    }

    /**
     * Stage 2: {@code encoder}'s weights with a fresh classifier for {@code task}'s classes, trained on
     * its labels (cross-entropy, the best epoch by validation accuracy kept). {@code encoder} is not changed.
     */
    public static DistillResult fineTune(
            Network encoder, Splits task, TrainingOptions o, List<TrainingListener> listeners) {
        TransformerSpec ts =
                ((TransformerSpec) encoder.spec()).withOutputs(task.train().numClasses());
        Network net = Network.build(ts, o.seed());
        Map<String, INDArray> w = new LinkedHashMap<>(net.snapshot());
        encoder.parameters().forEach((k, v) -> {
            if (!k.startsWith("head.")) {
                w.put(k, v);
            }
        });
        net.setParameters(w);
        return Distill.scratch(ts)
                .startFrom(net)
                .named(ts.describe() + " (distilled, fine-tuned)")
                .on(task)
                .options(o)
                .listeners(listeners)
                .run();
    }

    /** The teacher reading {@code length} tokens (an ONNX teacher reads any length up to its maximum). */
    public static Teacher atLength(Teacher teacher, long length) {
        if (teacher.model() instanceof OnnxTeacher ot && ot.length() != length) {
            return new Teacher(teacher.name(), ot.withLength((int) length), teacher.provenance());
        }
        return teacher;
    }

    private static TransformerSpec textStudent(ModelSpec spec, LabeledData train) {
        if (!(spec instanceof TransformerSpec ts) || !ts.input().equals(TransformerSpec.TOKENS)) {
            throw new SpecException("a sentence-embedding student reads token ids: use a text transformer such as "
                    + "text:2x128,length=" + train.inputSize() + ",vocab=30522, not " + spec.compact());
        }
        if (ts.inputs() != train.inputSize()) {
            throw new SpecException("student " + ts.compact() + " reads " + ts.inputs()
                    + " tokens but the sentences have " + train.inputSize() + "; set length=" + train.inputSize());
        }
        return ts;
    }

    /**
     * The teacher's token and position embeddings, projected onto their top principal directions
     * (as many as the student is wide) and rescaled to the student's initial spread, into the student.
     */
    static void initEmbeddings(Network student, Teacher teacher) {
        if (!(teacher.model() instanceof OnnxTeacher ot)) {
            throw new SpecException("starting from the teacher's embeddings needs a pretrained (ONNX) teacher");
        }
        TransformerSpec ts = (TransformerSpec) student.spec();
        float[][] words = ot.encoder().wordEmbeddings();
        if (words.length != ts.vocab()) {
            throw new SpecException("the student's vocabulary has " + ts.vocab() + " words but " + teacher.name()
                    + "'s has " + words.length + "; set vocab=" + words.length);
        }
        INDArray e = Nd4j.create(words).castTo(DataType.DOUBLE);
        int d = ts.width();
        if (d > e.columns()) {
            throw new SpecException("the student (width " + d + ") is wider than " + teacher.name() + "'s embeddings ("
                    + e.columns() + "); start from them only with a width of at most " + e.columns());
        }
        INDArray mean = e.mean(0);
        INDArray centred = e.subRowVector(mean);
        INDArray cov = centred.transpose().mmul(centred).divi(e.rows());
        INDArray vectors = cov.dup();
        INDArray values = org.nd4j.linalg.eigen.Eigen.symmetricGeneralizedEigenvalues(vectors, true);
        // eigenvalues ascend: the last d columns are the top principal directions
        int[] top = new int[d];
        for (int i = 0; i < d; i++) {
            top[i] = (int) values.length() - 1 - i;
        }
        INDArray basis = vectors.getColumns(top);
        INDArray projected = centred.mmul(basis);
        INDArray tok = student.parameters().get("embed.tokens");
        double scale = tok.stdNumber().doubleValue()
                / Math.max(1e-12, projected.stdNumber().doubleValue());
        tok.assign(projected.muli(scale).castTo(DataType.FLOAT));
    }
}
