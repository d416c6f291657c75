package dev.distillery.kernel;

import static org.junit.jupiter.api.Assertions.*;

import dev.distillery.experiment.Experiment;
import dev.distillery.experiment.RunRecord;
import dev.distillery.experiment.RunStore;
import dev.distillery.kernel.display.RecordingSink;
import dev.distillery.teacher.Teacher;
import dev.distillery.teacher.TeacherCache;
import dev.distillery.train.Checkpoint;
import dev.distillery.train.TrainingInterruptedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/**
 * The distillation magics on a small Fashion-MNIST sample, in one kernel: teacher, student, distil,
 * runs, plots, a whole experiment cell, renderers, and an interrupt mid-training. The kernel, the
 * teacher {@code mlp} and the student {@code tiny} are made once for the class; each test makes the
 * rest of what it checks, so the tests pass in any order (they run in a random one).
 */
@TestMethodOrder(MethodOrderer.Random.class)
class DistillMagicsTest {

    static final String DATA = "fashion-mnist:labels=500,train=3000,val=500,test=1000";
    static final String TEACHER = "%teacher mlp --spec mlp:128 --data " + DATA + " --epochs 3";

    @TempDir
    static Path runs;

    static KernelHarness h;
    static Teacher mlp;
    static String firstSource;
    static String firstMessage;
    static TeacherCache previousCache;

    @BeforeAll
    static void start() {
        // teacher outputs cached for this class alone, so that what a test finds computed is what this class computed
        previousCache = TeacherCache.shared();
        TeacherCache.setShared(new TeacherCache(runs.resolve("teacher-outputs")));
        h = new KernelHarness(runs);
        h.sink.clear();
        mlp = (Teacher) h.kernel.evalRaw(TEACHER);
        firstSource = h.kernel.workbench().teacher("mlp").source();
        firstMessage = lastText(h.sink);
        h.exec("%student tiny --spec mlp:16");
    }

    @AfterAll
    static void stop() {
        h.close();
        TeacherCache.setShared(previousCache);
    }

    /** Measured: the 3-epoch 784-128-10 teacher reaches 76.1 % on the 1,000 test images. */
    @Test
    void teacherTrainsKeepsItsNameAndIsReusedTheSecondTime() {
        assertEquals("mlp", mlp.name());
        Workbench.TeacherEntry e = h.kernel.workbench().teacher("mlp");
        assertTrue(e.testAccuracy() > 0.74, "a 3-epoch MLP teacher on 3,000 images: " + e.testAccuracy());
        assertTrue(Files.isRegularFile(e.file()), "the trained teacher is kept at " + e.file());
        assertTrue(firstSource.startsWith("trained here"), firstSource);
        assertEquals(500, e.data().labels());
        assertTrue(
                firstMessage.contains(String.format("teacher 'mlp': test accuracy %.2f", 100 * e.testAccuracy())),
                firstMessage);

        Teacher again = (Teacher) h.kernel.evalRaw(TEACHER);
        assertEquals(mlp.id(), again.id(), "same spec, same data: the saved teacher is reused");
        assertTrue(h.kernel.workbench().teacher("mlp").source().startsWith("reused"));
        assertSame(again, h.kernel.evalRaw("teacher(\"mlp\")"));

        Teacher loaded = (Teacher) h.kernel.evalRaw("%teacher copy --load " + e.file() + " --data " + DATA);
        assertEquals(mlp.id(), loaded.id(), "--load gives the same weights");
        assertEquals(e.testAccuracy(), h.kernel.workbench().teacher("copy").testAccuracy(), 1e-9);
        assertTrue(h.kernel.workbench().teacher("copy").source().startsWith("loaded from"));
        assertTrue(KernelHarness.text(h.exec("teacher(\"mlp\")"))
                .startsWith("teacher mlp: mlp 784-128-10, 101,770 parameters"));
    }

    @Test
    void distillRunsEverySeedRecordsItAndShowsLiveProgress() {
        h.sink.clear();
        DisplayData shown = h.exec(
                "var r = %distill tiny --from mlp --loss hinton:T=4,alpha=0.1 --epochs 3 --seeds 2 --name kd\nr");
        Experiment.Outcome r = (Experiment.Outcome) h.kernel.evalRaw("r");
        assertEquals(2, r.records().size());
        assertEquals(List.of(1L, 2L), r.records().stream().map(RunRecord::seed).toList());
        for (RunRecord rec : r.records()) {
            assertEquals("completed", rec.status());
            assertEquals(3, rec.curve().size());
            assertEquals("mlp", rec.teacher().name());
            assertEquals(500, rec.data().trainLabeled());
            // measured: 72.2 % (seed 1) and 64.9 % (seed 2) after 3 epochs
            assertTrue(rec.metrics().agreement() > 0.6, "the student agrees with its teacher: " + rec.metrics());
            assertEquals(rec, new RunStore(runs).read(rec.id()), "the record is on disk as returned");
        }
        // the result shows its summary table and curve
        String html = (String) shown.getData(MIMEType.TEXT_HTML);
        assertTrue(html.contains("<table") && html.contains("tiny") && html.contains("data:image/png;base64,"), html);
        assertTrue(KernelHarness.text(shown).contains("teacher mlp"), KernelHarness.text(shown));

        // one output area: displayed once, then updated in place, ending with the summary
        List<RecordingSink.Event> ev = h.sink.events();
        assertFalse(ev.get(0).update(), "first a display_data");
        String id = ev.get(0).id();
        assertNotNull(id);
        assertTrue(ev.size() > 3, "several updates while training: " + ev.size());
        assertTrue(
                ev.subList(1, ev.size()).stream().allMatch(e -> e.update() && id.equals(e.id())),
                "every later message updates the same display");
        assertTrue(
                ev.stream()
                        .anyMatch(e -> KernelHarness.text(e.data())
                                .matches("(?s).*epoch \\d/3 · step \\d+/\\d+ · loss .* ETA.*")),
                "progress shows epoch, step, loss and ETA");
        assertTrue(lastText(h.sink).contains("2 runs recorded in " + runs), lastText(h.sink));

        // the bar and the ETA cover both seeds: while the first runs, the second is still to come
        List<String> firstRun = ev.stream()
                .map(e -> KernelHarness.text(e.data()))
                .filter(t -> t.contains("run 1 of 2 · "))
                .toList();
        assertFalse(firstRun.isEmpty(), "the stage line counts the runs");
        for (String t : firstRun) {
            assertFalse(t.matches("(?s).*ETA 0(\\.0)? s.*"), "ETA 0 s while a seed remains:\n" + t);
        }
        // one line per finished run; the engine line folded under the area, not at its top
        String last = lastText(h.sink);
        List<String> runLines = last.lines()
                .filter(l -> l.contains("· seed ") && l.contains("test accuracy"))
                .toList();
        assertEquals(2, runLines.size(), last);
        assertTrue(
                runLines.get(0)
                        .matches(".*test accuracy \\d+\\.\\d\\d%, agreement .* · [\\d,]+ parameters · 3 epochs.*"),
                last);
        assertFalse(last.lines().skip(1).findFirst().orElse("").contains("nd4j"), "the engine line is not first");
        String lastHtml = (String) ev.get(ev.size() - 1).data().getData(MIMEType.TEXT_HTML);
        assertTrue(lastHtml.matches("(?s).*<details[^>]*><summary>engine</summary>nd4j.*</details>.*"), lastHtml);
    }

    @Test
    void runsTableAndPlotsComeFromTheRecords() {
        var kd = (Experiment.Outcome) h.kernel.evalRaw("%distill tiny --from mlp --epochs 2 --seeds 2 --name table");
        var scratch = (Experiment.Outcome)
                h.kernel.evalRaw("%distill tiny --loss scratch --epochs 4 --seeds 2 --data " + DATA + " --name table");
        Table all = (Table) h.kernel.evalRaw("%runs");
        List<String> ids = all.stringColumn("run").asList();
        for (RunRecord r : List.of(
                kd.records().get(0),
                kd.records().get(1),
                scratch.records().get(0),
                scratch.records().get(1))) {
            assertTrue(ids.contains(r.id()), "%runs lists " + r.id());
        }
        Table summary = (Table) h.kernel.evalRaw("%runs --session --summary --experiment table");
        assertEquals(
                List.of(kd.records().get(0).recipe(), "scratch"),
                summary.stringColumn("recipe").asList(),
                summary.print());
        assertEquals(List.of(2, 2), summary.intColumn("seeds").asList());

        DisplayData table = h.exec("%runs --experiment table");
        String html = (String) table.getData(MIMEType.TEXT_HTML);
        assertTrue(html.startsWith("<table") && html.contains(">test accuracy</th>") && html.contains("scratch"), html);
        assertTrue(KernelHarness.text(table).contains("test accuracy"), "tables have a text/plain form too");
        // the summary as a person reads it: human headers, percentages, thousands separators
        String summaryHtml =
                (String) h.exec("%runs --session --summary --experiment table").getData(MIMEType.TEXT_HTML);
        for (String header : List.of("test accuracy", "agreement", "KL", "parameters")) {
            assertTrue(summaryHtml.contains(">" + header + "</th>"), header + " in " + summaryHtml);
        }
        assertFalse(summaryHtml.contains("test_acc_mean"), summaryHtml);
        assertTrue(summaryHtml.matches("(?s).*>\\d+\\.\\d\\d ± \\d+\\.\\d\\d%<.*>[\\d]{1,3},\\d{3}<.*"), summaryHtml);
        Table mine = (Table) h.kernel.evalRaw("%runs --experiment table");
        for (String column : List.of("tape_b1_us", "onnxrt_b1_us", "tape_b256_ms", "onnxrt_b256_ms")) {
            assertTrue(
                    mine.doubleColumn(column).asList().stream().allMatch(v -> v != null && v > 0),
                    "every student is timed, " + column + ": " + mine.print());
        }

        Table latency = (Table) h.kernel.evalRaw("%runs --latency --experiment table --last 1");
        assertEquals(
                List.of("tape", "tape", "ONNX Runtime", "ONNX Runtime"),
                latency.stringColumn("engine").asList(),
                latency.print());
        assertEquals(List.of(1, 256, 1, 256), latency.intColumn("batch").asList());
        assertTrue(latency.stringColumn("measured on").get(2).startsWith("ONNX Runtime 1.20"), latency.print());
        assertTrue(latency.stringColumn("measured on").get(0).contains("nd4j"), latency.print());

        DisplayData tradeoff = h.exec("%plot tradeoff");
        assertPng(tradeoff);
        var chart = (org.knowm.xchart.XYChart) h.kernel.evalRaw("%plot tradeoff");
        assertEquals(
                3,
                chart.getSeriesMap().size(),
                "teacher, kd and scratch: " + chart.getSeriesMap().keySet());

        String first = scratch.records().get(0).id();
        var curves = (org.knowm.xchart.XYChart) h.kernel.evalRaw("%plot curves " + first);
        assertEquals(1, curves.getSeriesMap().size());
        assertPng(h.exec("%plot curves"));
        assertTrue(h.error("%plot curves no-such-run").get(0).contains("no run 'no-such-run'"));
        assertTrue(h.error("%plot pie").get(0).startsWith("%plot: unknown plot 'pie'"));
    }

    @Test
    void cellMagicRunsAWholeExperimentSpec() {
        Experiment.Outcome out = (Experiment.Outcome) h.kernel.evalRaw("""
                %%distill
                name: cell
                data: {labels: 300, trainSize: 2000, validationSize: 300, testSize: 500}
                teacher: {name: cellteacher, model: {type: mlp, hidden: [64]}, epochs: 2}
                students: [{name: micro, model: {type: mlp, hidden: [8]}}]
                recipes: [{name: kd, loss: {type: hinton, temperature: 2, alpha: 0.5}, epochs: 2}]
                seeds: [7]
                """);
        assertEquals(1, out.records().size());
        assertEquals(7L, out.records().get(0).seed());
        assertEquals("cellteacher", h.kernel.workbench().teacher("cellteacher").name());
        // the teacher the cell trained is usable by line magics afterwards
        Experiment.Outcome next = (Experiment.Outcome) h.kernel.evalRaw("%distill mlp:8 --from cellteacher --epochs 1");
        assertEquals("cellteacher", next.records().get(0).teacher().name());

        List<String> bad = h.error("%%distill\nname: x\nstudents: []\n");
        assertTrue(bad.get(0).contains("has no students"), bad.get(0));
        List<String> typo = h.error("%%distill\nname: x\nstudents: [{model: {type: mlp, hidden: [8]}}]\n"
                + "recipes: [{loss: {type: scratch}}]\nseedz: [1]\n");
        assertTrue(typo.get(0).contains("unknown field 'seedz'"), typo.get(0));

        List<String> tooMany = h.error("%distill tiny --from mlp --labels 999999");
        assertTrue(
                tooMany.get(0)
                        .contains(
                                "labels (data.labels, --labels) is 999,999 but the training split has 3,000 labelled rows"),
                tooMany.get(0));
    }

    /**
     * A run interrupted in one cell is resumed by the same magic line in a later one: the same record,
     * from the epoch after its last checkpoint, to the end; its checkpoint then goes.
     */
    @Test
    void theSameLineAfterAnInterruptResumesTheRunInItsRecord() throws Exception {
        String line = "%distill tiny --from mlp --epochs 30 --name resumable";
        h.sink.clear();
        CompletableFuture<Throwable> run = CompletableFuture.supplyAsync(() -> {
            try {
                h.kernel.eval(line);
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        long deadline = System.currentTimeMillis() + 120_000;
        while (h.sink.events().stream()
                .noneMatch(e -> KernelHarness.text(e.data()).contains("· epoch 3:"))) {
            assertTrue(System.currentTimeMillis() < deadline, "training never reached epoch 3");
            Thread.sleep(20);
        }
        h.kernel.interrupt();
        Throwable t = assertInstanceOf(TrainingInterruptedException.class, run.get(120, TimeUnit.SECONDS));
        RunRecord stopped = records("resumable").get(0);
        assertEquals("interrupted", stopped.status());
        int done = stopped.curve().size();
        assertTrue(
                t.getMessage().contains("run the same spec or magic again to resume it from epoch " + (done + 1)),
                t.getMessage());

        h.sink.clear();
        Experiment.Outcome out = (Experiment.Outcome) h.kernel.evalRaw(line);
        String shown = h.sink.events().stream()
                .map(e -> KernelHarness.text(e.data()))
                .collect(java.util.stream.Collectors.joining("\n"));
        assertTrue(shown.contains("resumed run " + stopped.id() + " from epoch " + (done + 1)), shown);
        List<RunRecord> after = records("resumable");
        assertEquals(1, after.size(), "the rerun continued the interrupted run");
        assertEquals(stopped.id(), out.records().get(0).id());
        assertEquals("completed", after.get(0).status());
        assertEquals(30, after.get(0).curve().size());
        assertFalse(Files.exists(runs.resolve(stopped.id()).resolve("checkpoint")), "the checkpoint is deleted");
    }

    private static List<RunRecord> records(String experiment) {
        return new RunStore(runs)
                .list().stream().filter(r -> r.experiment().equals(experiment)).toList();
    }

    @Test
    void interruptStopsTrainingWithinAStepKeepsTheRecordAndTheKernelWorks() throws Exception {
        h.sink.clear();
        CompletableFuture<Throwable> run = CompletableFuture.supplyAsync(() -> {
            try {
                h.kernel.eval("%distill tiny --from mlp --epochs 200 --name long");
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        long deadline = System.currentTimeMillis() + 120_000;
        while (h.sink.events().stream()
                .noneMatch(e -> KernelHarness.text(e.data()).contains("· epoch 2:"))) {
            assertTrue(System.currentTimeMillis() < deadline, "training never reached epoch 2");
            Thread.sleep(20);
        }
        int finishedBefore = h.sink.events().stream()
                .flatMap(e -> java.util.regex.Pattern.compile("· epoch (\\d+):")
                        .matcher(KernelHarness.text(e.data()))
                        .results()
                        .map(m -> Integer.parseInt(m.group(1))))
                .max(Integer::compare)
                .orElse(0);
        h.kernel.interrupt();
        Throwable t = run.get(120, TimeUnit.SECONDS);
        TrainingInterruptedException stop = assertInstanceOf(TrainingInterruptedException.class, t);
        assertTrue(
                stop.epoch() <= finishedBefore + 2,
                "stopped in the epoch it was interrupted in, not at epoch 200: " + stop.epoch());
        List<String> shown = h.kernel.formatError((Exception) t).stream()
                .map(KernelHarness::plain)
                .toList();
        assertTrue(shown.get(0).startsWith("interrupted: tiny"), shown.get(0));
        // the progress area drops its bar: a frozen bar would read as work under way
        String area = lastText(h.sink);
        assertFalse(area.contains("▶"), area);
        assertTrue(area.contains("■ interrupted"), area);

        RunRecord rec = new RunStore(runs)
                .list().stream()
                        .filter(r -> r.experiment().equals("long"))
                        .findFirst()
                        .orElseThrow();
        assertEquals("interrupted", rec.status());
        assertTrue(rec.curve().size() >= 2, "the epochs finished before the interrupt are kept: " + rec.curve());
        assertTrue(rec.error().contains("interrupted at epoch"), rec.error());
        assertTrue(Checkpoint.exists(runs.resolve(rec.id()).resolve("checkpoint")), "the last checkpoint is kept");

        assertEquals("2", KernelHarness.text(h.exec("1 + 1")), "the kernel is usable afterwards");
        assertFalse(Thread.currentThread().isInterrupted());
    }

    @Test
    void javaApiResultsRenderAsASummaryWithTheirCurve() {
        DisplayData d = h.exec("""
                var splits = workbench().data(ExperimentSpec.DataSpec.parse("%s")).withLabels(300, 0);
                Distill.from(teacher("mlp")).into("mlp:8").on(splits).epochs(2).seed(3).run()
                """.formatted(DATA));
        assertTrue(KernelHarness.text(d).contains("seed 3: test accuracy"), KernelHarness.text(d));
        String html = (String) d.getData(MIMEType.TEXT_HTML);
        assertTrue(
                html.contains("<pre>")
                        && html.contains("agreement with mlp")
                        && html.contains("data:image/png;base64,"),
                html.length() > 300 ? html.substring(0, 300) : html);
    }

    @Test
    void sweepDistilsEveryStudentOfABudgetWithOneTeacherPass() {
        // a teacher of its own, whose outputs no other test has cached
        h.kernel.evalRaw("%teacher sweeper --spec mlp:48 --data " + DATA + " --epochs 1");
        DisplayData d =
                h.exec("var sw = %sweep --from sweeper --family mlp --budget 20000 --tolerance 0.05 --max-depth 3 "
                        + "--epochs 1\nsw");
        dev.distillery.experiment.Sweep.Result sw = (dev.distillery.experiment.Sweep.Result) h.kernel.evalRaw("sw");
        int students = sw.table().rowCount();
        assertTrue(students >= 3, sw.table().print());
        assertEquals(
                List.of(1, 2, 3),
                sw.table().intColumn("depth").asList().stream().distinct().toList());
        // every student looks up the teacher's train, validation and test outputs, and the experiment its test outputs
        // once more for the teacher's accuracy: 3n + 1 lookups. Only train and validation are computed, once each
        // (%teacher computed the test outputs when it measured the teacher); every other lookup is a reuse.
        assertEquals(2, sw.teacherComputations(), "the teacher ran once over train and once over validation");
        assertEquals(3L * students + 1 - 2, sw.teacherReuses(), "every other lookup reused the teacher's outputs");
        assertTrue(((String) d.getData(MIMEType.TEXT_HTML)).contains(">depth</th>"));
        assertTrue(lastText(h.sink).contains("runs recorded; the teacher ran over a dataset"), lastText(h.sink));
        assertTrue(h.error("%sweep --from mlp --budget 20000 --family rnn")
                .get(0)
                .startsWith("%sweep: unknown family 'rnn'"));
        assertTrue(h.error("%sweep --from mlp --family vit").get(0).contains("give --budget PARAMS"));
    }

    @Test
    void featureOptionsMakeAFeaturesLossAndTheirMistakesAreNamed() throws Exception {
        h.exec("var fr = %distill mlp:16x8 --from mlp --loss hinton:T=2,alpha=0.5 --feature layer0>layer1:cosine,w=0.5 "
                + "--supervise layer0:task --epochs 1");
        Experiment.Outcome o = (Experiment.Outcome) h.kernel.evalRaw("fr");
        assertEquals(
                "hinton T=2 alpha=0.5 + cosine(layer0>layer1)×0.5[linear] + sup(layer0:task×0.3)",
                o.records().get(0).loss());
        assertTrue(h.error("%distill mlp:16 --from mlp --feature layer9:mse --epochs 1")
                .get(0)
                .contains("has no output 'layer9' to match"));
        assertTrue(h.error("%distill mlp:16 --from mlp --map sideways --epochs 1")
                .get(0)
                .contains("layer mapping 'sideways': use uniform or last"));
        DisplayData depth = h.exec("%plot depth");
        assertPng(depth);
        assertPng(h.exec("%plot pareto --cost latency"));
        assertTrue(h.error("%plot pareto --cost money").get(0).contains("--cost money: use params or latency"));

        // vector figures for papers, beside the one shown
        Path svg = runs.resolveSibling(runs.getFileName() + "-figs").resolve("depth.svg");
        assertPng(h.exec("%plot depth --save " + svg));
        assertTrue(java.nio.file.Files.readString(svg).contains("<svg"), "an SVG document at " + svg);
        Path pdf = svg.resolveSibling("pareto.pdf");
        h.exec("%plot pareto --save " + pdf);
        assertTrue(java.nio.file.Files.readString(pdf, java.nio.charset.StandardCharsets.ISO_8859_1)
                .startsWith("%PDF"));
        String wrong = h.error("%plot depth --save depth.bmp").get(0);
        assertTrue(wrong.contains("end the name with .svg or .pdf"), wrong);
    }

    @Test
    void ensembleAndChainMagicsRecordWhereEachRunCameFrom() {
        h.kernel.evalRaw("%teacher small --spec mlp:32 --data " + DATA + " --epochs 2");
        var pair = (dev.distillery.teacher.Ensemble)
                h.kernel.evalRaw("%ensemble pair --teachers mlp,small --weights de --evaluations 100");
        assertEquals("de", pair.weighting());
        assertEquals(1.0, pair.weights()[0] + pair.weights()[1], 1e-9);
        String shown = (String) h.exec("%ensemble fixed --teachers mlp,small --weights 3,1 --mode heads")
                .getData(MIMEType.TEXT_HTML);
        assertTrue(shown.contains("heads mode") && shown.contains("0.75") && shown.contains("0.25"), shown);

        Experiment.Outcome heads =
                (Experiment.Outcome) h.kernel.evalRaw("%distill mlp:8 --from fixed --epochs 1 --name heads");
        RunRecord hr = heads.records().get(0);
        assertEquals("heads", hr.lineage().mode());
        assertEquals("multihead:2,combine=weighted,weights=0.75/0.25:mlp:8", hr.studentSpec());
        assertEquals(8L * 10 + 10, hr.lineage().extraParameters(), "the second head's parameters");
        assertEquals(
                List.of(0.75, 0.25),
                hr.lineage().teachers().stream()
                        .map(dev.distillery.provenance.Lineage.Member::weight)
                        .toList());

        Experiment.Outcome chain =
                (Experiment.Outcome) h.kernel.evalRaw("%chain mlp:8 --from mlp --assistants 1 --epochs 1 --name c");
        assertEquals(2, chain.records().size(), "the assistant and the student");
        RunRecord ta = chain.records().get(0);
        RunRecord st = chain.records().get(1);
        assertEquals("assistant", ta.lineage().role());
        assertEquals(List.of(ta.id()), st.lineage().parents());
        assertTrue(st.recipe().endsWith("· from ta1"), st.recipe());
        String html = (String) h.exec("%chain mlp:8 --from mlp --via mlp:48 --epochs 1 --name c2")
                .getData(MIMEType.TEXT_HTML);
        assertTrue(
                html.contains("lineage") && html.contains("assistant 1/2 of chain c2"), "the outcome traces the chain");

        Table cmp = (Table) h.kernel.evalRaw("%runs --session --compare");
        List<String> methods = cmp.stringColumn("method").asList();
        assertTrue(
                methods.contains("heads") && methods.contains("c (ta1)") && methods.contains("c2 (mlp:48)"),
                methods.toString());
        assertFalse(methods.contains("c"), "assistants are stages, not methods: " + methods);
        assertPng(h.exec("%plot compare"));
        assertEquals(
                2,
                ((Table) h.kernel.evalRaw("%runs --lineage --experiment c2")).rowCount(),
                "two stages of c2 in the lineage table");

        assertTrue(h.error("%ensemble solo --teachers mlp").get(0).contains("two or more teachers"));
        assertTrue(h.error("%ensemble x --teachers mlp,nope").get(0).contains("no teacher named 'nope'"));
        assertTrue(h.error("%ensemble w --teachers mlp,small --weights 1,2,3")
                .get(0)
                .contains("3 weights for 2 members"));
        assertTrue(
                h.error("%ensemble m --teachers mlp,small --mode vote").get(0).contains("mode 'vote'"));
        assertTrue(h.error("%chain mlp:8 --from mlp --epochs 1").get(0).contains("--via ta1,ta2 or --assistants N"));
        assertTrue(h.error("%chain mlp:8 --from mlp --assistants 1 --final de")
                .get(0)
                .contains("at least two"));
    }

    static void assertPng(DisplayData d) {
        byte[] png = Base64.getDecoder().decode((String) d.getData(MIMEType.IMAGE_PNG));
        assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "a PNG image");
    }

    static String lastText(RecordingSink s) {
        List<RecordingSink.Event> ev = s.events();
        assertFalse(ev.isEmpty(), "nothing was displayed");
        return KernelHarness.text(ev.get(ev.size() - 1).data());
    }
}
