package dev.distillery.kernel.magics;

import dev.distillery.data.LabeledData;
import dev.distillery.data.Splits;
import dev.distillery.experiment.Experiment;
import dev.distillery.experiment.ExperimentSpec;
import dev.distillery.experiment.RunRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

@Command(
        name = "%data",
        description = {
            "Register your own data under a name that --data takes in %%teacher and %%distill (and %%sweep, through "
                    + "the teacher): class folders of images or WAV files, a CSV table, or NumPy arrays.",
            "The data is read, split and checked at once; the cell shows each class's examples per split, and the "
                    + "line above it the shape a student takes. Every run on it records each input file's SHA-256 "
                    + "(a manifest's for a folder) and the class names."
        },
        footer = {
            "",
            "Sources:",
            "  folder:PATH   one sub-folder per class (its name is the label) of PNG/JPEG images or 16 kHz WAV files;",
            "                train/ val/ test/ sub-folders give the splits",
            "  csv:PATH      a CSV table with a header: numeric feature columns and a label column (--label)",
            "  npy:X.npy     NumPy features [N, ...] with labels [N] (--labels Y.npy)",
            "  {split} in a CSV or NumPy path names the train, val (optional) and test files.",
            "",
            "Examples:",
            "  %%data flowers folder:data/flowers --size 32x32",
            "  %%data flowers folder:data/flowers --size 32x32 --unlabelled data/unlabelled",
            "  %%data iris csv:data/iris.csv --label species --split 70/15/15",
            "  %%data digits npy:data/x.npy --labels data/y.npy",
            "  %%teacher t --spec cnn:16x32,shape=3x32x32,outputs=5 --data flowers",
            "  %%distill mlp:64,inputs=3072,outputs=5 --from t --data flowers:labels=50"
        })
final class DataMagic extends Magic {

    @Parameters(index = "0", paramLabel = "NAME", description = "the name --data will take")
    String name;

    @Parameters(
            index = "1",
            arity = "0..1",
            paramLabel = "SOURCE",
            description = "folder:PATH, csv:PATH or npy:PATH, with [,key=value...] (default: show the data NAME)")
    String source;

    @Option(names = "--size", paramLabel = "HxW", description = "resize every image to HEIGHTxWIDTH (folders)")
    String size;

    @Option(names = "--channels", paramLabel = "1|3", description = "grey or colour (default: as the images are)")
    String channels;

    @Option(
            names = "--seconds",
            paramLabel = "S",
            description = "cut or pad every clip to S seconds (default: the longest clip)")
    String seconds;

    @Option(
            names = "--unlabelled",
            paramLabel = "DIR",
            description = "a folder of files without class folders, added to training without labels (a transfer "
                    + "set for the teacher's soft targets)")
    String unlabelled;

    @Option(names = "--label", paramLabel = "COLUMN", description = "the label column of a CSV table")
    String label;

    @Option(names = "--labels", paramLabel = "Y.npy", description = "the labels of NumPy features")
    String labels;

    @Option(
            names = "--split",
            paramLabel = "T/V/T",
            description = "train/validation/test percentages, drawn per class (default: 80/10/10)")
    String split;

    @Option(names = "--scale", paramLabel = "standard|none", description = "CSV and NumPy features (default: standard)")
    String scale;

    @Option(names = "--seed", paramLabel = "SEED", description = "the split's seed (default: 0)")
    Long seed;

    @Override
    public Table run(String body) {
        ExperimentSpec.DataSpec spec;
        if (source == null) {
            spec = ctx.workbench().namedData(name);
            if (spec == null) {
                List<String> known = ctx.workbench().dataNames();
                throw new MagicUsageException(
                        "%data",
                        "no data named '" + name + "'; register it: %data " + name + " folder:PATH"
                                + (known.isEmpty() ? "" : " (known: " + String.join(", ", known) + ")"),
                        ctx.catalog().line("data").usage());
            }
        } else {
            if (!dev.distillery.data.DataSources.isSource(source)) {
                throw new MagicUsageException(
                        "%data",
                        "'" + source + "' is not your own data; give folder:PATH, csv:PATH or npy:PATH (the "
                                + "registered sets need no name: --data fashion-mnist)",
                        ctx.catalog().line("data").usage());
            }
            List<String> keys = new ArrayList<>();
            add(keys, "size", size);
            add(keys, "channels", channels);
            add(keys, "seconds", seconds);
            add(keys, "unlabelled", unlabelled);
            add(keys, "label", label);
            add(keys, "labels", labels);
            add(keys, "split", split);
            add(keys, "scale", scale);
            add(keys, "seed", seed == null ? null : String.valueOf(seed));
            spec = ExperimentSpec.DataSpec.parse(source).with(String.join(",", keys), source);
        }
        // read now (the files may have changed since this kernel last read them), then kept for the magics
        Splits s = Experiment.data(spec);
        RunRecord.DataInfo info = Experiment.dataInfo(spec, s);
        if (source != null) {
            ctx.workbench().nameData(name, spec);
        }
        ctx.workbench().putData(spec, s);
        ctx.sink().display(new org.dflib.jjava.jupyter.kernel.display.DisplayData(describe(name, spec, s, info)));
        return counts(s, info.classes());
    }

    private static void add(List<String> keys, String key, String value) {
        if (value != null) {
            keys.add(key + "=" + value);
        }
    }

    /** What the data is and what a student on it takes. */
    private static String describe(String name, ExperimentSpec.DataSpec spec, Splits s, RunRecord.DataInfo info) {
        LabeledData train = s.train();
        int classes = train.numClasses();
        String unlabelled = train.labeledCount() < train.size()
                ? String.format(Locale.ROOT, " (%,d of them unlabelled)", train.size() - train.labeledCount())
                : "";
        String shape;
        if (train.imageShape() != null) {
            shape = String.format(
                    "%s images: e.g. cnn:16x32,shape=%s,outputs=%d or mlp:64,inputs=%d,outputs=%d",
                    train.imageShape(), train.imageShape(), classes, train.inputSize(), classes);
        } else if (train.hasWaveforms()) {
            int frames = train.inputSize() / 40;
            shape = String.format(
                    "%d frames of 40 log-mel bands (waveforms kept): e.g. speech:2x64,frame=40,length=%d,outputs=%d",
                    frames, frames, classes);
        } else {
            shape = String.format(
                    "%d features per row: e.g. mlp:64,inputs=%d,outputs=%d",
                    train.inputSize(), train.inputSize(), classes);
        }
        return String.format(
                "%s = %s: %d classes; %,d train%s, %,d validation, %,d test%n%s%nchecksums: %s",
                name,
                spec.compact(),
                classes,
                train.size(),
                unlabelled,
                s.validation().size(),
                s.test().size(),
                shape,
                info.sha256());
    }

    /** Examples per class and split. */
    private static Table counts(Splits s, List<String> classes) {
        int k = s.train().numClasses();
        StringColumn names = StringColumn.create("class");
        IntColumn train = IntColumn.create("train");
        IntColumn validation = IntColumn.create("validation");
        IntColumn test = IntColumn.create("test");
        int[][] n = {count(s.train(), k), count(s.validation(), k), count(s.test(), k)};
        for (int c = 0; c < k; c++) {
            names.append(c < classes.size() ? classes.get(c) : String.valueOf(c));
            train.append(n[0][c]);
            validation.append(n[1][c]);
            test.append(n[2][c]);
        }
        return Table.create("examples per class", names, train, validation, test);
    }

    private static int[] count(LabeledData d, int k) {
        int[] n = new int[k];
        for (int i = 0; i < d.size(); i++) {
            if (d.isLabeled(i)) {
                n[d.labels()[i]]++;
            }
        }
        return n;
    }
}
