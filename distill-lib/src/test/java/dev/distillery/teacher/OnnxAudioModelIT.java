package dev.distillery.teacher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillery.data.LogMel;
import dev.distillery.data.SpeechCommandsSynth;
import dev.distillery.data.Splits;
import dev.distillery.distill.Distill;
import dev.distillery.distill.DistillResult;
import dev.distillery.eval.Fidelity;
import dev.distillery.loss.Losses;
import dev.distillery.model.ModelSpec;
import dev.distillery.model.Network;
import dev.distillery.spec.SpecException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An audio model as a teacher: {@code audio-frames.onnx}, written by
 * {@code src/test/python/onnx_models.py} with {@code onnx.helper}, reads the speech set's log-mel
 * frames ({@code [batch, 98, 40]}) through a 1-D convolution over time and gives 20 word scores.
 */
class OnnxAudioModelIT {

    static final String STUDENT = "speech:1x32,heads=4,ffn=2,stride=2,frame=40,length=98,outputs=20";

    @TempDir
    static Path dir;

    static Splits words;
    static TeacherCache previous;

    @BeforeAll
    static void writeModelAndLoadSpeech() throws Exception {
        PythonScripts.run("onnx_models.py", dir, 2);
        Path set = SpeechCommandsSynth.ensureBuilt(
                SpeechCommandsSynth.smallDir(), SpeechCommandsSynth.smallOptions(), System.out::println);
        words = SpeechCommandsSynth.load(set, SpeechCommandsSynth.Task.WORD, new LogMel(LogMel.Config.speech(40)));
        previous = TeacherCache.shared();
        TeacherCache.setShared(new TeacherCache(dir.resolve("teacher-outputs")));
    }

    @AfterAll
    static void restoreCache() {
        TeacherCache.setShared(previous);
    }

    static Path audio() {
        return dir.resolve("audio-frames.onnx");
    }

    @Test
    void itReadsFramesListsItsNodesAndExposesAChosenOne() {
        String list = OnnxModel.list(audio(), OnnxModel.Options.defaults());
        for (String line :
                List.of("/conv1/Conv_output_0 [1, 32, 49]", "/pool/ReduceMean_output_0 [1, 32]", "logits [1, 20]")) {
            assertTrue(list.contains(line), line + " in\n" + list);
        }
        Teacher t = Teachers.onnxModel(
                audio(),
                OnnxModel.Options.defaults()
                        .outputs(OnnxModel.Options.parseOutputs("logits=logits,features=/pool/ReduceMean_output_0")));
        assertEquals(OnnxModel.Layout.FRAMES, ((OnnxModel) t.model()).input().layout());
        assertEquals(20, t.outputs());
        assertArrayEquals(new long[] {32}, t.outputShape("features"));
        long computed = TeacherCache.shared().computedCount();
        Map<String, INDArray> first = t.outputs(words.validation(), List.of("features"));
        Map<String, INDArray> again = t.outputs(words.validation(), List.of("features"));
        assertEquals(computed + 1, TeacherCache.shared().computedCount(), "computed once, then served");
        assertEquals(first.get("features"), again.get("features"));
        assertEquals(words.validation().size(), first.get("features").rows());
    }

    /** Measured: a 1 × 32 speech student agrees with the model on 22.9 % of the 48 test clips untrained, 58.3 % distilled. */
    @Test
    void aSpeechStudentDistilledFromItAgreesWithItFarMoreThanAnUntrainedOne() {
        Teacher t = Teachers.onnxModel(audio(), OnnxModel.Options.defaults());
        Network untrained = Network.build(ModelSpec.parse(STUDENT), 1);
        double before = Fidelity.agreement(untrained.logits(words.test().features()), t.logits(words.test()));
        DistillResult r = Distill.from(t)
                .into(STUDENT)
                .with(Losses.hinton(2.0, 0.0))
                .on(words)
                .epochs(12)
                .seed(1)
                .run();
        double after = r.metrics().agreement();
        System.out.println("audio teacher: agreement " + before + " untrained, " + after + " distilled");
        assertTrue(after > before + 0.2, "agreement " + before + " untrained, " + after + " distilled");
    }

    @Test
    void framesOfAnotherSizeAreRefusedWithWhatTheModelReads() {
        Teacher t = Teachers.onnxModel(audio(), OnnxModel.Options.defaults());
        SpecException e = assertThrows(
                SpecException.class,
                () -> t.model().outputs(org.nd4j.linalg.factory.Nd4j.zeros(2, 50 * 40), List.of(Network.LOGITS)));
        assertTrue(e.getMessage().contains("frames") && e.getMessage().contains("2000 values per row"), e.getMessage());
    }
}
