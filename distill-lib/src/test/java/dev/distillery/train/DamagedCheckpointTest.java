package dev.distillery.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillery.TestData;
import dev.distillery.data.Splits;
import dev.distillery.model.MlpSpec;
import dev.distillery.model.Network;
import dev.distillery.provenance.ModelFile;
import dev.distillery.provenance.Provenance;
import dev.distillery.spec.SpecException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged checkpoint or model file, however it was damaged, fails with an error that names the
 * file and the way on, both when read and when a run resumes from it; the process goes on.
 */
class DamagedCheckpointTest {

    static final Splits DATA = TestData.small(600);

    @TempDir
    static Path dir;

    static byte[] checkpoint;
    static byte[] model;

    @BeforeAll
    static void writeOne() throws Exception {
        Network net = Network.build(MlpSpec.of(16), 5);
        new Trainer(net, new CrossEntropy(), options(dir.resolve("good")))
                .fit(DATA.train(), null, DATA.validation(), null);
        checkpoint = Files.readAllBytes(dir.resolve("good").resolve(Checkpoint.FILE));
        ModelFile.save(
                net,
                Provenance.of("m", "student", 5, "d", "f", "ce", null, 1, java.util.Map.of(), null),
                dir.resolve("m.dtm"));
        model = Files.readAllBytes(dir.resolve("m.dtm"));
    }

    static TrainingOptions options(Path ckpt) {
        return TrainingOptions.defaults().epochs(1).batchSize(64).seed(5).checkpointDir(ckpt);
    }

    /** Each way a file is found damaged: empty, cut short at several points, one byte changed at several. */
    static Map<String, UnaryOperator<byte[]>> damages(int length) {
        Map<String, UnaryOperator<byte[]>> d = new LinkedHashMap<>();
        d.put("0 bytes", b -> new byte[0]);
        for (double at : new double[] {0.001, 0.25, 0.5, 0.75, 0.999}) {
            int n = (int) (length * at);
            d.put("cut at byte " + n, b -> Arrays.copyOf(b, n));
        }
        for (double at : new double[] {0.01, 0.3, 0.6, 0.9}) {
            int n = (int) (length * at);
            d.put("byte " + n + " changed", b -> {
                byte[] c = b.clone();
                c[n] ^= 0x5A;
                return c;
            });
        }
        return d;
    }

    @Test
    void everyDamagedCheckpointIsNamedWhenReadAndWhenResumed() throws Exception {
        int i = 0;
        for (Map.Entry<String, UnaryOperator<byte[]>> damage :
                damages(checkpoint.length).entrySet()) {
            Path run = Files.createDirectories(dir.resolve("damaged-" + i++));
            Path file = run.resolve(Checkpoint.FILE);
            Files.write(file, damage.getValue().apply(checkpoint));
            SpecException read = assertThrows(SpecException.class, () -> Checkpoint.read(file), damage.getKey());
            assertNamesFileAndFix(read, file, damage.getKey());
            SpecException resumed = assertThrows(
                    SpecException.class,
                    () -> new Trainer(
                                    Network.build(MlpSpec.of(16), 5),
                                    new CrossEntropy(),
                                    options(run).epochs(2).resume(true))
                            .fit(DATA.train(), null, DATA.validation(), null),
                    damage.getKey());
            assertNamesFileAndFix(resumed, file, damage.getKey());
        }
    }

    @Test
    void everyDamagedModelFileIsNamed() throws Exception {
        int i = 0;
        for (Map.Entry<String, UnaryOperator<byte[]>> damage :
                damages(model.length).entrySet()) {
            Path file = dir.resolve("damaged-" + i++ + ".dtm");
            Files.write(file, damage.getValue().apply(model));
            SpecException e = assertThrows(SpecException.class, () -> ModelFile.load(file), damage.getKey());
            assertTrue(e.getMessage().contains(file.toString()), damage.getKey() + ": " + e.getMessage());
            assertTrue(e.getMessage().contains("save the model again"), damage.getKey() + ": " + e.getMessage());
        }
    }

    @Test
    void theUndamagedFilesLoad() {
        assertEquals(
                1,
                Checkpoint.read(dir.resolve("good").resolve(Checkpoint.FILE))
                        .state()
                        .epoch());
        assertEquals(
                MlpSpec.of(16), ModelFile.load(dir.resolve("m.dtm")).network().spec());
    }

    @Test
    void anUnwritableCheckpointDirectoryFailsBeforeTheFirstEpoch() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("a-file"), "x");
        int[] epochs = {0};
        SpecException e = assertThrows(
                SpecException.class,
                () -> new Trainer(
                                Network.build(MlpSpec.of(16), 5),
                                new CrossEntropy(),
                                options(notADirectory.resolve("checkpoint")).epochs(3))
                        .listener(new TrainingListener() {
                            @Override
                            public void onEpoch(String stage, EpochStats stats) {
                                epochs[0]++;
                            }
                        })
                        .fit(DATA.train(), null, DATA.validation(), null));
        assertEquals(0, epochs[0], "no epoch was trained only to be lost");
        assertTrue(
                e.getMessage().contains("cannot write checkpoints to " + notADirectory.resolve("checkpoint")),
                e.getMessage());
    }

    private static void assertNamesFileAndFix(SpecException e, Path file, String damage) {
        String m = e.getMessage();
        assertTrue(m.contains("checkpoint " + file + " is damaged"), damage + ": " + m);
        assertTrue(m.contains("--fresh"), damage + ": " + m);
    }
}
