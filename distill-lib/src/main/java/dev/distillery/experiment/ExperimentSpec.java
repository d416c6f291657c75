package dev.distillery.experiment;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import dev.distillery.data.DataSources;
import dev.distillery.data.Datasets;
import dev.distillery.data.TextTasks;
import dev.distillery.loss.EnsembleMode;
import dev.distillery.loss.LossSpec;
import dev.distillery.model.ModelSpec;
import dev.distillery.registry.Registry;
import dev.distillery.spec.SpecException;
import dev.distillery.teacher.OnnxModel;
import dev.distillery.teacher.PretrainedEncoders;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One file that describes a whole experiment: the data, the teacher, the students, the recipes
 * (losses) and the seeds. Every (student, recipe, seed) triple is one run. This is the unit of
 * reproducibility: each run record carries the spec that produced it.
 */
public record ExperimentSpec(
        String name,
        DataSpec data,
        TeacherSpec teacher,
        List<StudentSpec> students,
        List<RecipeSpec> recipes,
        TrainingSpec training,
        List<Long> seeds,
        Integer threads,
        EnsembleSpec ensemble,
        ChainSpec chain,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ProbeSpec> probes) {

    /** Without probes. */
    public ExperimentSpec(
            String name,
            DataSpec data,
            TeacherSpec teacher,
            List<StudentSpec> students,
            List<RecipeSpec> recipes,
            TrainingSpec training,
            List<Long> seeds,
            Integer threads,
            EnsembleSpec ensemble,
            ChainSpec chain) {
        this(name, data, teacher, students, recipes, training, seeds, threads, ensemble, chain, null);
    }

    /** A single-teacher (or teacher-less) experiment. */
    public ExperimentSpec(
            String name,
            DataSpec data,
            TeacherSpec teacher,
            List<StudentSpec> students,
            List<RecipeSpec> recipes,
            TrainingSpec training,
            List<Long> seeds,
            Integer threads) {
        this(name, data, teacher, students, recipes, training, seeds, threads, null, null, null);
    }

    /**
     * Several teachers in place of one: the {@code members}, their {@code weights} ({@code uniform},
     * {@code de} to search them on the validation split, or numbers such as {@code 0.5,0.3,0.2}) and
     * the {@code mode} ({@code targets}, {@code losses} or {@code heads}); DE minimises {@code fitness}
     * ({@code nll} or {@code error}) within {@code evaluations}, from {@code seed}.
     */
    public record EnsembleSpec(
            String name,
            List<TeacherSpec> members,
            String weights,
            EnsembleMode mode,
            String fitness,
            Integer evaluations,
            Long seed) {
        public EnsembleSpec {
            name = name == null ? "ensemble" : name;
            if (members == null || members.size() < 2) {
                throw new SpecException("ensemble '" + name + "' needs at least two members (teachers), got "
                        + (members == null ? 0 : members.size()));
            }
            members = List.copyOf(members);
            weights = weights == null ? "uniform" : weights.trim();
            mode = mode == null ? EnsembleMode.TARGETS : mode;
            fitness = fitness == null ? "nll" : fitness;
            evaluations = evaluations == null ? 600 : evaluations;
            seed = seed == null ? 0L : seed;
            if (!weights.equals("uniform") && !weights.equals("de")) {
                List<Double> w = fixedWeights(weights, name);
                if (w.size() != members.size()) {
                    throw new SpecException("ensemble '" + name + "': " + w.size() + " weights for " + members.size()
                            + " members; give one per member, in order");
                }
            }
            positive("ensemble.evaluations", evaluations);
        }

        /** The numbers of fixed weights such as {@code 0.5,0.3,0.2}. */
        public static List<Double> fixedWeights(String weights, String name) {
            List<Double> out = new ArrayList<>();
            for (String p : weights.split(",")) {
                try {
                    out.add(Double.parseDouble(p.trim()));
                } catch (NumberFormatException e) {
                    throw new SpecException("ensemble '" + name + "': weights '" + weights
                            + "' are not uniform, de, or " + "numbers such as 0.5,0.3,0.2");
                }
            }
            return out;
        }
    }

    /**
     * A teacher-assistant chain from the teacher to each student: the {@code assistants} (in order,
     * largest first), or {@code count} of them sized geometrically between teacher and student; and
     * how each student learns at the end ({@code finals}): from the {@code last} assistant, or from all
     * assistants as an ensemble with {@code uniform} or {@code de} weights (multi-assistant ensemble).
     */
    public record ChainSpec(String name, List<StudentSpec> assistants, Integer count, List<String> finals) {
        public ChainSpec {
            name = name == null ? "chain" : name;
            assistants = assistants == null ? List.of() : List.copyOf(assistants);
            finals = finals == null || finals.isEmpty() ? List.of("last") : List.copyOf(finals);
            if (assistants.isEmpty() && (count == null || count < 1)) {
                throw new SpecException("chain '" + name + "' needs assistants: list them, or give count: N to size N "
                        + "geometrically between the teacher and the student");
            }
            if (!assistants.isEmpty() && count != null && count != assistants.size()) {
                throw new SpecException("chain '" + name + "': count " + count + " but " + assistants.size()
                        + " assistants are listed; give one or the other");
            }
            for (String f : finals) {
                if (!List.of("last", "uniform", "de").contains(f)) {
                    throw new SpecException("chain '" + name + "': final '" + f + "' is not one of last (from the last "
                            + "assistant), uniform or de (from all assistants combined)");
                }
            }
            if (finals.stream().anyMatch(f -> !f.equals("last"))
                    && Math.max(assistants.size(), count == null ? 0 : count) < 2) {
                throw new SpecException("chain '" + name + "': an ensemble of assistants needs at least two of them");
            }
        }
    }

    /**
     * Which data: the dataset (a name from {@link Datasets}, or a user's own files: {@code folder:PATH},
     * {@code csv:PATH}, {@code npy:PATH}, read as the source {@code options} say — see
     * {@link DataSources}), the validation rows held out of the training file (registered sets), how many
     * training labels the students may see (null: all; the teacher always sees all), optional seeded
     * subsamples for quick runs, the seed of the split, and the directory the files are in (null: the
     * data set's default search path). A text data set ({@code text/…}) is tokenized by the pretrained
     * teacher's tokenizer; {@code text} gives its token length and the sizes of its tasks (null:
     * {@link TextTasks.Options#fast()}).
     */
    public record DataSpec(
            String dataset,
            Integer validation,
            Integer labels,
            Integer trainSize,
            Integer validationSize,
            Integer testSize,
            Long splitSeed,
            String dir,
            @JsonInclude(JsonInclude.Include.NON_NULL) TextTasks.Options text,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> options) {

        /** Keys every data spec takes; a source ({@code folder:PATH}) also takes its own. */
        static final List<String> KEYS = List.of("labels", "train", "val", "test", "holdout", "seed", "dir");

        /** Data that is not text. */
        public DataSpec(
                String dataset,
                Integer validation,
                Integer labels,
                Integer trainSize,
                Integer validationSize,
                Integer testSize,
                Long splitSeed,
                String dir) {
            this(dataset, validation, labels, trainSize, validationSize, testSize, splitSeed, dir, null, null);
        }

        /** A registered data set, maybe text. */
        public DataSpec(
                String dataset,
                Integer validation,
                Integer labels,
                Integer trainSize,
                Integer validationSize,
                Integer testSize,
                Long splitSeed,
                String dir,
                TextTasks.Options text) {
            this(dataset, validation, labels, trainSize, validationSize, testSize, splitSeed, dir, text, null);
        }

        public DataSpec {
            dataset = dataset == null ? "fashion-mnist" : dataset.trim();
            splitSeed = splitSeed == null ? 0L : splitSeed;
            options = options == null ? Map.of() : options;
            if (DataSources.isSource(dataset)) {
                if (validation != null || dir != null) {
                    throw new SpecException("data '" + dataset + "': holdout and dir belong to the registered data "
                            + "sets; your own data is split by split=TRAIN/VAL/TEST (default 80/10/10) or by its "
                            + "train/val/test files");
                }
                options = java.util.Collections.unmodifiableMap(
                        new java.util.TreeMap<>(DataSources.check(dataset, options)));
            } else {
                validation = validation == null ? 5000 : validation;
                if (!options.isEmpty()) {
                    throw new SpecException("data '" + dataset + "' takes the keys " + String.join(", ", KEYS)
                            + "; " + String.join(", ", options.keySet()) + " belong to your own data (folder:PATH, "
                            + "csv:PATH, npy:PATH)");
                }
                try {
                    dataset = Datasets.registry().entry(dataset).name();
                } catch (Registry.UnknownNameException e) {
                    throw new SpecException(
                            "data.dataset: " + e.getMessage()
                                    + "; or your own data: folder:PATH, csv:PATH,label=COLUMN, npy:X.npy,labels=Y.npy",
                            e);
                }
                positive("data.validation", validation);
            }
            positive("data.labels", labels);
            positive("data.trainSize", trainSize);
            positive("data.validationSize", validationSize);
            positive("data.testSize", testSize);
        }

        /** Whether this names a user's own files rather than a registered data set. */
        @com.fasterxml.jackson.annotation.JsonIgnore
        public boolean isSource() {
            return DataSources.isSource(dataset);
        }

        /** A data spec written as one string in a spec file ({@code data: fashion-mnist:labels=1000}): see {@link #parse}. */
        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        public static DataSpec of(String compact) {
            return parse(compact);
        }

        /**
         * The compact form, e.g. {@code fashion-mnist:labels=1000,train=20000,val=2000,test=5000}; keys:
         * {@code labels}, {@code train}, {@code val}, {@code test} (seeded subsample sizes),
         * {@code holdout} (validation rows held out of the training file), {@code seed}, {@code dir}. A
         * user's own data is {@code KIND:PATH} followed by the same keys (but holdout and dir) and its
         * kind's own, e.g. {@code folder:photos,size=32x32,split=70/15/15,labels=100} or
         * {@code npy:x.npy,labels=y.npy} (there {@code labels=} with a file is the labels file, with a
         * number the label limit).
         */
        public static DataSpec parse(String text) {
            String t = text.trim();
            int colon = t.indexOf(':');
            String dataset = colon < 0 ? t : t.substring(0, colon);
            String rest = colon < 0 ? "" : t.substring(colon + 1);
            if (DataSources.isSource(t)) {
                int comma = rest.indexOf(',');
                dataset = t.substring(0, colon + 1) + (comma < 0 ? rest : rest.substring(0, comma)).trim();
                rest = comma < 0 ? "" : rest.substring(comma + 1);
            }
            Keys k = Keys.of(rest, text, DataSources.isSource(t));
            return new DataSpec(
                    dataset.isEmpty() ? null : dataset,
                    k.intOrNull("holdout"),
                    k.intOrNull("labels"),
                    k.intOrNull("train"),
                    k.intOrNull("val"),
                    k.intOrNull("test"),
                    k.common().containsKey("seed") ? Long.valueOf(k.intOrNull("seed")) : null,
                    k.common().get("dir"),
                    null,
                    k.own());
        }

        /**
         * This spec with the {@code key=value,...} settings of {@code keys} (e.g. {@code labels=100,train=500})
         * on top; {@code text} is the whole spec, for errors.
         */
        public DataSpec with(String keys, String text) {
            Keys k = Keys.of(keys, text, isSource());
            Map<String, String> own = new LinkedHashMap<>(options);
            own.putAll(k.own());
            Map<String, String> c = k.common();
            return new DataSpec(
                    dataset,
                    c.containsKey("holdout") ? k.intOrNull("holdout") : isSource() ? null : validation,
                    c.containsKey("labels") ? k.intOrNull("labels") : labels,
                    c.containsKey("train") ? k.intOrNull("train") : trainSize,
                    c.containsKey("val") ? k.intOrNull("val") : validationSize,
                    c.containsKey("test") ? k.intOrNull("test") : testSize,
                    c.containsKey("seed") ? Long.valueOf(k.intOrNull("seed")) : splitSeed,
                    c.containsKey("dir") ? c.get("dir") : dir,
                    text(),
                    own);
        }

        /**
         * The {@code key=value} pairs of a compact data spec: the keys every spec takes, and a source's own
         * (for a source, {@code labels=} with a file rather than a number is its own: the labels file).
         */
        private record Keys(Map<String, String> common, Map<String, String> own, String text) {
            static Keys of(String keys, String text, boolean source) {
                Map<String, String> common = new LinkedHashMap<>();
                Map<String, String> own = new LinkedHashMap<>();
                if (!keys.isBlank()) {
                    for (String part : keys.split(",")) {
                        int eq = part.indexOf('=');
                        if (eq <= 0) {
                            throw new SpecException("data '" + text + "': '" + part + "' is not key=value; e.g. "
                                    + "fashion-mnist:labels=1000,train=20000");
                        }
                        String k = part.substring(0, eq).trim();
                        String v = part.substring(eq + 1).trim();
                        boolean labelsFile =
                                k.equals("labels") && !v.replace("_", "").matches("\\d+");
                        if (source && (labelsFile || !KEYS.contains(k))) {
                            own.put(k, v);
                        } else if (KEYS.contains(k)) {
                            common.put(k, v);
                        } else {
                            throw new SpecException(
                                    "data '" + text + "': unknown key '" + k + "'; known: " + String.join(", ", KEYS));
                        }
                    }
                }
                return new Keys(common, own, text);
            }

            Integer intOrNull(String key) {
                return DataSpec.intOrNull(text, common, key);
            }
        }

        /** The compact form {@link #parse} reads, with only the fields that differ from the defaults. */
        public String compact() {
            List<String> parts = new ArrayList<>();
            options.forEach((k, v) -> parts.add(k + "=" + v));
            if (labels != null) parts.add("labels=" + labels);
            if (trainSize != null) parts.add("train=" + trainSize);
            if (validationSize != null) parts.add("val=" + validationSize);
            if (testSize != null) parts.add("test=" + testSize);
            if (validation != null && validation != 5000) parts.add("holdout=" + validation);
            if (splitSeed != 0L) parts.add("seed=" + splitSeed);
            if (dir != null) parts.add("dir=" + dir);
            String sep = isSource() ? "," : ":";
            return parts.isEmpty() ? dataset : dataset + sep + String.join(",", parts);
        }

        /** The same data spec for another data set over the same files (e.g. the other task of the speech set). */
        public DataSpec withDataset(String name) {
            return new DataSpec(
                    name, validation, labels, trainSize, validationSize, testSize, splitSeed, dir, text, options);
        }

        /** The same data with students limited to {@code n} labels (null: all). */
        public DataSpec withLabels(Integer n) {
            return new DataSpec(
                    dataset, validation, n, trainSize, validationSize, testSize, splitSeed, dir, text, options);
        }

        /** How the text is tokenized and sized: {@code text}, or the quick default. */
        public TextTasks.Options textOptions() {
            return text == null ? TextTasks.Options.fast() : text;
        }

        private static Integer intOrNull(String text, Map<String, String> kv, String key) {
            String v = kv.get(key);
            if (v == null) {
                return null;
            }
            try {
                return Integer.valueOf(v.replace("_", ""));
            } catch (NumberFormatException e) {
                throw new SpecException("data '" + text + "': " + key + " must be a whole number, got '" + v + "'");
            }
        }
    }

    /**
     * The teacher: trained here from {@code model}, loaded from {@code file}, or a {@code pretrained}
     * one from the registry: a shipped text encoder (e.g. {@code bge-small-en-v1.5}, reading the text
     * data's token length), which teaches sentence embeddings rather than classes, or the speech
     * teacher {@code speech-embedding}, which listens to the speech set's waveforms and is distilled by
     * its features alone. With {@code auxiliary}
     * (a data set over the same examples, e.g. {@code speech-commands-synth/voice} beside
     * {@code speech-commands-synth/word}), a second head learns that set's labels too: a multi-task
     * teacher whose layers carry both tasks.
     */
    public record TeacherSpec(
            String name,
            ModelSpec model,
            String file,
            Integer epochs,
            Integer batchSize,
            Double learningRate,
            Integer patience,
            Long seed,
            // left out of the JSON when absent, so that a one-task teacher's spec (and the key its trained copy
            // is kept under) reads as it always did
            @JsonInclude(JsonInclude.Include.NON_NULL) String auxiliary,
            @JsonInclude(JsonInclude.Include.NON_NULL) String pretrained,
            @JsonInclude(JsonInclude.Include.NON_NULL) OnnxSpec onnx) {

        /** A teacher trained here, loaded, or a shipped encoder. */
        public TeacherSpec(
                String name,
                ModelSpec model,
                String file,
                Integer epochs,
                Integer batchSize,
                Double learningRate,
                Integer patience,
                Long seed,
                String auxiliary,
                String pretrained) {
            this(name, model, file, epochs, batchSize, learningRate, patience, seed, auxiliary, pretrained, null);
        }

        /** Any float-input ONNX model as the teacher, read as {@code onnx} says. */
        public static TeacherSpec onnx(String name, OnnxSpec onnx) {
            return new TeacherSpec(name, null, null, null, null, null, null, null, null, null, onnx);
        }

        /** A teacher trained here or loaded, with a second task or none. */
        public TeacherSpec(
                String name,
                ModelSpec model,
                String file,
                Integer epochs,
                Integer batchSize,
                Double learningRate,
                Integer patience,
                Long seed,
                String auxiliary) {
            this(name, model, file, epochs, batchSize, learningRate, patience, seed, auxiliary, null);
        }

        /** A shipped pretrained encoder, under its own name. */
        public static TeacherSpec pretrained(String encoder) {
            return pretrained(encoder, encoder);
        }

        /** The pretrained teacher {@code model} from the registry, kept under {@code name}. */
        public static TeacherSpec pretrained(String name, String model) {
            return new TeacherSpec(name, null, null, null, null, null, null, null, null, model);
        }

        /** A teacher of one task. */
        public TeacherSpec(
                String name,
                ModelSpec model,
                String file,
                Integer epochs,
                Integer batchSize,
                Double learningRate,
                Integer patience,
                Long seed) {
            this(name, model, file, epochs, batchSize, learningRate, patience, seed, null, null);
        }

        public TeacherSpec {
            name = name == null ? "teacher" : name;
            epochs = epochs == null ? 10 : epochs;
            batchSize = batchSize == null ? 128 : batchSize;
            learningRate = learningRate == null ? 1e-3 : learningRate;
            patience = patience == null ? 0 : patience;
            seed = seed == null ? 0L : seed;
            int sources = (model == null ? 0 : 1)
                    + (file == null ? 0 : 1)
                    + (pretrained == null ? 0 : 1)
                    + (onnx == null ? 0 : 1);
            if (sources == 0) {
                throw new SpecException("teacher '" + name + "': give a model to train (model: {type: cnn, ...}), "
                        + "a file to load (file: teacher.dtm), a shipped encoder (pretrained: bge-small-en-v1.5) or "
                        + "an ONNX model (onnx: {file: model.onnx})");
            }
            if (onnx != null && (sources > 1 || auxiliary != null)) {
                throw new SpecException("teacher '" + name + "' is the ONNX model " + onnx.file()
                        + "; drop model, file, pretrained and auxiliary, which describe other teachers");
            }
            if (pretrained != null) {
                try {
                    pretrained = PretrainedEncoders.REGISTRY.entry(pretrained).name();
                } catch (Registry.UnknownNameException e) {
                    throw new SpecException("teacher '" + name + "' pretrained: " + e.getMessage(), e);
                }
                if (sources > 1 || auxiliary != null) {
                    throw new SpecException("teacher '" + name + "' is the pretrained " + pretrained
                            + "; drop model, file and auxiliary, which describe a teacher trained here or loaded");
                }
            }
            positive("teacher.epochs", epochs);
            positive("teacher.batchSize", batchSize);
            if (auxiliary != null) {
                try {
                    auxiliary = Datasets.registry().entry(auxiliary).name();
                } catch (Registry.UnknownNameException e) {
                    throw new SpecException("teacher '" + name + "' auxiliary: " + e.getMessage(), e);
                }
                if (file != null) {
                    throw new SpecException("teacher '" + name + "': auxiliary trains a second head, but the teacher "
                            + "is loaded from " + file + "; drop auxiliary or train the teacher from a model");
                }
            }
        }
    }

    /**
     * A float-input ONNX model as a teacher (see {@link OnnxModel.Options}): its {@code file}, its
     * {@code layout} ({@code nchw}, {@code nhwc}, {@code frames}, {@code flat}; null: from the input's
     * shape), the image {@code size} {@code [H, W]} it takes when its file does not fix it, per-channel
     * {@code mean} and {@code std}, and its {@code outputs}: graph nodes by the names losses use
     * (null: {@code logits} from the graph's first output).
     */
    public record OnnxSpec(
            String file,
            @JsonInclude(JsonInclude.Include.NON_NULL) String layout,
            @JsonInclude(JsonInclude.Include.NON_NULL) List<Integer> size,
            @JsonInclude(JsonInclude.Include.NON_NULL) List<Float> mean,
            @JsonInclude(JsonInclude.Include.NON_NULL) List<Float> std,
            @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, String> outputs) {

        public OnnxSpec {
            if (file == null || file.isBlank()) {
                throw new SpecException("teacher onnx: give the model's file (onnx: {file: model.onnx})");
            }
            if (layout != null) {
                OnnxModel.Layout.parse(layout);
            }
            if (size != null && (size.size() != 2 || size.stream().anyMatch(v -> v == null || v < 1))) {
                throw new SpecException(
                        "teacher onnx: size is the image's [height, width], e.g. [224, 224]; got " + size);
            }
            outputs = outputs == null ? null : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
        }

        /** How {@link OnnxModel} reads the file, on {@code threads} ONNX Runtime threads. */
        public OnnxModel.Options options(int threads) {
            OnnxModel.Options o = OnnxModel.Options.defaults().threads(threads);
            if (layout != null) {
                o = o.layout(OnnxModel.Layout.parse(layout));
            }
            if (size != null) {
                o = o.size(size.get(0), size.get(1));
            }
            if (mean != null || std != null) {
                o = o.normalise(floats(mean), floats(std));
            }
            return outputs == null ? o : o.outputs(outputs);
        }

        private static float[] floats(List<Float> v) {
            if (v == null) {
                return null;
            }
            float[] f = new float[v.size()];
            for (int i = 0; i < f.length; i++) {
                f[i] = v.get(i);
            }
            return f;
        }
    }

    /**
     * A probe every completed model gets (the teacher too, which then has a record of its own): a
     * {@code type} from {@link Probes}, the data sets it probes ({@code tasks}, over the experiment's
     * data directory), and its training: {@code epochs}, {@code learningRate}, {@code batchSize}.
     * Its values go into the record's {@code probes}.
     */
    public record ProbeSpec(String type, List<String> tasks, Integer epochs, Double learningRate, Integer batchSize) {
        public ProbeSpec {
            type = type == null ? "layers" : type;
            try {
                type = Probes.registry().entry(type).name();
            } catch (Registry.UnknownNameException e) {
                throw new SpecException("probes: " + e.getMessage(), e);
            }
            if (tasks == null || tasks.isEmpty()) {
                throw new SpecException("probe '" + type + "' needs tasks: the data sets it probes, e.g. "
                        + "[speech-commands-synth/word, speech-commands-synth/voice]");
            }
            List<String> names = new ArrayList<>();
            for (String t : tasks) {
                try {
                    names.add(Datasets.registry().entry(t).name());
                } catch (Registry.UnknownNameException e) {
                    throw new SpecException("probe '" + type + "' task: " + e.getMessage(), e);
                }
            }
            tasks = List.copyOf(names);
            epochs = epochs == null ? 30 : epochs;
            learningRate = learningRate == null ? 1e-2 : learningRate;
            batchSize = batchSize == null ? 64 : batchSize;
            positive("probe.epochs", epochs);
            positive("probe.batchSize", batchSize);
        }
    }

    public record StudentSpec(String name, ModelSpec model) {
        public StudentSpec {
            if (model == null) {
                throw new SpecException("student '" + name + "' has no model; e.g. model: {type: mlp, hidden: [64]}");
            }
            name = name == null ? model.describe() : name;
        }
    }

    /**
     * A recipe: a loss, with optional per-recipe epochs, learning rate and patience. With a pretrained
     * teacher, {@code init: teacher-embeddings} starts each student's token embeddings from the
     * teacher's (an ensemble's first member), projected onto their top principal directions.
     */
    public record RecipeSpec(
            String name,
            LossSpec loss,
            Integer epochs,
            Double learningRate,
            Integer patience,
            @JsonInclude(JsonInclude.Include.NON_NULL) String init) {

        /** The value of {@code init} that starts students from the teacher's token embeddings. */
        public static final String TEACHER_EMBEDDINGS = "teacher-embeddings";

        /** A recipe whose students start from their own random initialisation. */
        public RecipeSpec(String name, LossSpec loss, Integer epochs, Double learningRate, Integer patience) {
            this(name, loss, epochs, learningRate, patience, null);
        }

        public RecipeSpec {
            if (init != null && !init.equals(TEACHER_EMBEDDINGS)) {
                throw new SpecException("recipe '" + name + "': init '" + init + "' is not known; use "
                        + TEACHER_EMBEDDINGS + " (or leave it out for a random start)");
            }
            if (loss == null) {
                throw new SpecException(
                        "recipe '" + name + "' has no loss; e.g. loss: {type: hinton, temperature: 4, alpha: 0.5}");
            }
            name = name == null ? loss.label() : name;
            positive("recipe '" + name + "' epochs", epochs);
        }
    }

    /** Defaults for every recipe. */
    public record TrainingSpec(Integer epochs, Integer batchSize, Double learningRate, Integer patience) {
        public TrainingSpec {
            epochs = epochs == null ? 10 : epochs;
            batchSize = batchSize == null ? 128 : batchSize;
            learningRate = learningRate == null ? 1e-3 : learningRate;
            patience = patience == null ? 0 : patience;
            positive("training.epochs", epochs);
            positive("training.batchSize", batchSize);
            if (!(learningRate > 0)) {
                throw new SpecException("training.learningRate must be positive, got " + learningRate);
            }
        }
    }

    public ExperimentSpec {
        name = name == null ? "experiment" : name;
        data = data == null ? new DataSpec(null, null, null, null, null, null, null, null) : data;
        training = training == null ? new TrainingSpec(null, null, null, null) : training;
        seeds = seeds == null || seeds.isEmpty() ? List.of(1L) : List.copyOf(seeds);
        threads = threads == null ? 1 : threads;
        probes = probes == null ? List.of() : List.copyOf(probes);
        if (students == null || students.isEmpty()) {
            throw new SpecException("experiment '" + name
                    + "' has no students; add students: [{name: small, model: {type: mlp, hidden: [64]}}]");
        }
        if (recipes == null || recipes.isEmpty()) {
            throw new SpecException("experiment '" + name
                    + "' has no recipes; add recipes: [{loss: {type: hinton, temperature: 4, alpha: 0.5}}]");
        }
        students = List.copyOf(students);
        recipes = List.copyOf(recipes);
        positive("threads", threads);
        boolean needsTeacher = recipes.stream().anyMatch(r -> r.loss().needsTeacher());
        if (teacher != null && ensemble != null) {
            throw new SpecException("experiment '" + name + "' has both a teacher and an ensemble; give one: an "
                    + "ensemble lists its teachers as members");
        }
        if (chain != null && teacher == null) {
            throw new SpecException("experiment '" + name + "': a chain starts from one teacher; give a teacher"
                    + (ensemble != null ? " (a chain from an ensemble is not supported)" : ""));
        }
        if (chain != null && !needsTeacher) {
            throw new SpecException("experiment '" + name + "': every stage of a chain learns from the one before, "
                    + "so its recipes need a teacher loss such as hinton, not scratch alone");
        }
        if (needsTeacher && teacher == null && ensemble == null) {
            throw new SpecException("experiment '" + name + "': a recipe uses a teacher but no teacher is given");
        }
        if (teacher != null && teacher.model() != null) {
            for (StudentSpec s : students) {
                if (!s.model().outputs().equals(teacher.model().outputs())) {
                    throw new SpecException("student '" + s.name() + "' has "
                            + s.model().outputs() + " outputs but teacher '"
                            + teacher.name() + "' has " + teacher.model().outputs() + "; set the student's outputs to "
                            + teacher.model().outputs());
                }
            }
        }
    }

    static void positive(String field, Integer v) {
        if (v != null && v <= 0) {
            throw new SpecException(field + " must be a positive whole number, got " + v);
        }
    }
}
