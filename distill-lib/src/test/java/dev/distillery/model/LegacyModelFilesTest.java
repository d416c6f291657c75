package dev.distillery.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.distillery.backend.Backend;
import dev.distillery.data.LabeledData;
import dev.distillery.provenance.ModelFile;
import dev.distillery.train.Checkpoint;
import dev.distillery.train.CrossEntropy;
import dev.distillery.train.Trainer;
import dev.distillery.train.TrainingOutcome;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model files and a checkpoint written by earlier code ({@link LegacyFiles}) still load, give the
 * logits they gave then, and a run resumes from the checkpoint to the weights it reached then.
 */
class LegacyModelFilesTest {

    static Map<String, float[]> recorded;

    @BeforeAll
    static void read() throws Exception {
        Backend.start(1);
        recorded = LegacyFiles.recorded();
    }

    @Test
    void everyFamilysOldModelFileLoadsAndGivesItsLogits() {
        for (Map.Entry<String, String> e : LegacyFiles.SPECS.entrySet()) {
            ModelFile.Loaded m = ModelFile.load(LegacyFiles.resource(e.getKey() + ".dtm"));
            Network net = m.network();
            assertEquals(ModelSpec.parse(e.getValue()), net.spec(), e.getKey());
            assertEquals(e.getKey(), m.provenance().name());
            float[] got =
                    net.forward(LegacyFiles.inputs(net.spec())).dup('c').data().asFloat();
            assertArrayEquals(
                    recorded.get(e.getKey()), got, 1e-5f, e.getKey() + ": the logits it gave when it was saved");
        }
    }

    @Test
    void anOldCheckpointLoadsAndAResumedRunReachesTheSameWeights(@TempDir Path dir) throws Exception {
        Files.copy(LegacyFiles.resource("checkpoint-epoch1.zip"), dir.resolve(Checkpoint.FILE));
        ModelSpec spec = ModelSpec.parse(LegacyFiles.CHECKPOINT_SPEC);
        Network afterEpoch1 = Network.build(spec, 0);
        afterEpoch1.setParameters(Checkpoint.read(dir.resolve(Checkpoint.FILE)).params());
        assertArrayEquals(recorded.get("checkpoint-epoch1"), logits(afterEpoch1), 1e-5f, "the weights after epoch 1");

        LabeledData[] data = LegacyFiles.checkpointData();
        Network resumed = Network.build(spec, 5);
        TrainingOutcome out = new Trainer(resumed, new CrossEntropy(), LegacyFiles.checkpointOptions(2, dir, true))
                .fit(data[0], null, data[1], null);
        assertEquals(1, out.resumedFromEpoch(), "the run went on from the old checkpoint");
        assertArrayEquals(recorded.get("resumed-epoch2"), logits(resumed), 1e-5f, "epoch 2, resumed, as it was then");
    }

    private static float[] logits(Network net) {
        return net.forward(LegacyFiles.inputs(net.spec())).dup('c').data().asFloat();
    }
}
