package dev.distillery.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillery.spec.SpecException;
import dev.distillery.spec.Specs;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Your own data is written like a registered set: one compact string, or fields in a spec file. */
class DataSpecTest {

    @Test
    void aSourceKeepsItsPathItsOwnKeysAndTheCommonOnes() {
        ExperimentSpec.DataSpec d =
                ExperimentSpec.DataSpec.parse("folder:data/photos,size=32x32,labels=100,split=70/15/15,seed=3");
        assertEquals("folder:data/photos", d.dataset());
        assertEquals(Map.of("size", "32x32", "split", "70/15/15"), d.options());
        assertEquals(100, d.labels());
        assertEquals(3L, d.splitSeed());
        assertNull(d.validation(), "a source is split by split=, not holdout");
        assertEquals(d, ExperimentSpec.DataSpec.parse(d.compact()));
        assertEquals("folder:data/photos,size=32x32,split=70/15/15,labels=100,seed=3", d.compact());
    }

    @Test
    void labelsIsTheLabelsFileWithAPathAndTheLimitWithANumber() {
        ExperimentSpec.DataSpec d = ExperimentSpec.DataSpec.parse("npy:x.npy,labels=y.npy,labels=50");
        assertEquals(Map.of("labels", "y.npy"), d.options());
        assertEquals(50, d.labels());
        assertEquals(d, ExperimentSpec.DataSpec.parse(d.compact()));
    }

    @Test
    void theJsonOfASpecFileReadsBack() {
        ExperimentSpec.DataSpec d = ExperimentSpec.DataSpec.parse("csv:t.csv,label=species,train=100");
        String json = Specs.toJson(d);
        assertTrue(json.contains("\"options\""), json);
        assertEquals(d, Specs.parse(json, ExperimentSpec.DataSpec.class, "test"));
        assertEquals(d, Specs.parse("\"csv:t.csv,label=species,train=100\"", ExperimentSpec.DataSpec.class, "test"));
        String registered = Specs.toJson(ExperimentSpec.DataSpec.parse("fashion-mnist:labels=10"));
        assertFalse(registered.contains("options"), registered);
    }

    @Test
    void keysThatDoNotBelongAreRefused() {
        assertTrue(msg("folder:photos,holdout=100").contains("split=TRAIN/VAL/TEST"));
        assertTrue(msg("fashion-mnist:size=32x32").contains("unknown key 'size'"));
        assertTrue(msg("csv:t.csv").contains("label=COLUMN"));
        assertTrue(msg("folder:").contains("give the path"));
        assertTrue(msg("photos").contains("folder:PATH"), "an unknown name says how to bring your own data");
    }

    @Test
    void aSubsampleLargerThanItsSplitIsRefused(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) {
        dev.distillery.backend.Backend.start();
        java.nio.file.Path f = dev.distillery.data.OwnDataFiles.csv(tmp.resolve("t.csv"), 10, 1);
        String m = assertThrows(
                        SpecException.class,
                        () -> Experiment.data(ExperimentSpec.DataSpec.parse("csv:" + f + ",label=species,train=100")))
                .getMessage();
        assertTrue(m.contains("train=100 asks for more examples than its split has (24)"), m);
        assertEquals(
                10,
                Experiment.data(ExperimentSpec.DataSpec.parse("csv:" + f + ",label=species,train=10"))
                        .train()
                        .size());
    }

    private static String msg(String text) {
        return assertThrows(SpecException.class, () -> ExperimentSpec.DataSpec.parse(text))
                .getMessage();
    }
}
