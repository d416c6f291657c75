package dev.distillery.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillery.data.DataLocator;
import dev.distillery.data.OwnDataFiles;
import dev.distillery.loss.Losses;
import dev.distillery.model.ModelSpec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each kind of a user's own data, written into a temporary folder, trains a teacher and distils a
 * student through the same experiment pipeline as the bundled sets: the record names every input
 * file's checksum (a manifest's for folders) and the classes learned from the files.
 */
class OwnDataIT {

    @TempDir
    Path tmp;

    /** One teacher, one student by Hinton KD, one seed; the completed record. */
    private RunRecord distil(String data, String teacher, String student, int epochs) {
        return distil(
                data,
                new ExperimentSpec.TeacherSpec("teacher", ModelSpec.parse(teacher), null, epochs, 16, 3e-3, 0, 0L),
                student,
                Losses.parse("hinton:T=4"),
                epochs);
    }

    private RunRecord distil(
            String data,
            ExperimentSpec.TeacherSpec teacher,
            String student,
            dev.distillery.loss.LossSpec loss,
            int epochs) {
        ExperimentSpec spec = new ExperimentSpec(
                "own-data",
                ExperimentSpec.DataSpec.parse(data),
                teacher,
                List.of(new ExperimentSpec.StudentSpec("student", ModelSpec.parse(student))),
                List.of(new ExperimentSpec.RecipeSpec("kd", loss, epochs, 3e-3, 0)),
                new ExperimentSpec.TrainingSpec(epochs, 16, 3e-3, 0),
                List.of(1L),
                1);
        Experiment.Outcome out = new Experiment(spec, new RunStore(tmp.resolve("runs"))).run();
        assertEquals(1, out.records().size());
        RunRecord r = out.records().get(0);
        assertEquals(RunRecord.COMPLETED, r.status());
        return r;
    }

    private static void learned(RunRecord r, double floor) {
        System.out.printf(
                "%s: teacher %.3f, student %.3f, agreement %.3f on %d test examples%n",
                r.data().dataset(),
                r.teacher().testAccuracy(),
                r.metrics().testAccuracy(),
                r.metrics().agreement(),
                r.data().test());
        assertTrue(r.teacher().testAccuracy() >= floor, "teacher " + r.teacher().testAccuracy());
        assertTrue(r.metrics().testAccuracy() >= floor, "student " + r.metrics().testAccuracy());
        assertTrue(r.metrics().agreement() >= floor, "agreement " + r.metrics().agreement());
    }

    @Test
    void colourPngFolders() {
        Path root = OwnDataFiles.colourImages(tmp.resolve("colours"), 30, 16);
        RunRecord r = distil(
                "folder:" + root,
                "cnn:8x16,shape=3x16x16,dense=32,outputs=3",
                "vit:1x16,heads=2,shape=3x16x16,patch=4,outputs=3",
                15);
        learned(r, 0.8);
        assertEquals(List.of("blue", "green", "red"), r.data().classes());
        assertEquals(1, r.data().sha256().size());
        assertTrue(r.data().sha256().keySet().iterator().next().contains("manifest of 90 files"));
        assertEquals(72, r.data().train());
    }

    @Test
    void greyPngFoldersResized() {
        Path root = OwnDataFiles.greyImages(tmp.resolve("stripes"), 40, 16);
        RunRecord r = distil(
                "folder:" + root + ",size=12x12",
                "cnn:8,shape=1x12x12,dense=16,outputs=2",
                "mlp:16,inputs=144,outputs=2",
                15);
        learned(r, 0.8);
        assertEquals(List.of("horizontal", "vertical"), r.data().classes());
    }

    @Test
    void wavFolders() {
        Path root = OwnDataFiles.tones(tmp.resolve("tones"), 30);
        RunRecord r = distil(
                "folder:" + root,
                "mlp:32,inputs=1520,outputs=3",
                "speech:1x16,heads=2,frame=40,length=38,outputs=3",
                15);
        learned(r, 0.8);
        assertEquals(List.of("high", "low", "middle"), r.data().classes());
    }

    @Test
    void csvTable() {
        Path f = OwnDataFiles.csv(tmp.resolve("iris.csv"), 100, 1);
        RunRecord r =
                distil("csv:" + f + ",label=species", "mlp:32,inputs=4,outputs=3", "mlp:4,inputs=4,outputs=3", 15);
        learned(r, 0.8);
        assertEquals(List.of("setosa", "versicolor", "virginica"), r.data().classes());
        assertEquals(DataLocator.sha256(f), r.data().sha256().get(f.toString()));
    }

    @Test
    void numpyArrays() {
        Path x = tmp.resolve("x.npy");
        Path y = tmp.resolve("y.npy");
        OwnDataFiles.npy(x, y, 400, 1);
        RunRecord r = distil(
                "npy:" + x + ",labels=" + y, "cnn:8,shape=1x6x6,dense=16,outputs=2", "mlp:8,inputs=36,outputs=2", 15);
        learned(r, 0.8);
        assertEquals(List.of("0", "1"), r.data().classes());
        assertEquals(2, r.data().sha256().size());
    }

    /**
     * An unlabelled folder joins the training split as a transfer set: the teacher learns from the
     * labelled images only, the student from the teacher's soft targets on all of them.
     */
    @Test
    void anUnlabelledFolderIsATransferSetForTheStudent() throws Exception {
        Path labelled = OwnDataFiles.colourImages(tmp.resolve("labelled"), 20, 8);
        Path pool = tmp.resolve("pool");
        OwnDataFiles.colourImages(tmp.resolve("more"), 40, 8);
        java.nio.file.Files.createDirectories(pool);
        try (var files = java.nio.file.Files.walk(tmp.resolve("more"))) {
            for (Path f : files.filter(java.nio.file.Files::isRegularFile).toList()) {
                java.nio.file.Files.copy(f, pool.resolve(f.getParent().getFileName() + "-" + f.getFileName()));
            }
        }
        RunRecord r = distil(
                "folder:" + labelled + ",unlabelled=" + pool,
                "cnn:8,shape=3x8x8,dense=16,outputs=3",
                "mlp:8,inputs=192,outputs=3",
                15);
        learned(r, 0.8);
        assertEquals(48 + 120, r.data().train());
        assertEquals(48, r.data().trainLabeled());
        assertEquals(
                2,
                r.data().sha256().size(),
                "both folders' manifests: " + r.data().sha256());
    }

    /** Each clip's waveform is kept: the pretrained speech teacher listens to a user's WAV folder. */
    @Test
    void thePretrainedSpeechTeacherListensToAWavFolder() {
        Path root = OwnDataFiles.tones(tmp.resolve("tones"), 10);
        RunRecord r = distil(
                "folder:" + root + ",seconds=1",
                ExperimentSpec.TeacherSpec.pretrained("oww", "speech-embedding"),
                "speech:1x16,heads=2,frame=40,length=98,outputs=3",
                SpeechTeacherStudy.loss(),
                2);
        assertEquals("oww", r.teacher().name());
        assertTrue(r.loss().contains("pooled over 3 windows"), r.loss());
        assertTrue(r.metrics().parameters() > 0);
    }
}
