package dev.distillery.kernel;

import static org.junit.jupiter.api.Assertions.*;

import dev.distillery.experiment.Experiment;
import dev.distillery.teacher.Teacher;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.Table;

/** {@code %data} names a user's own folder for the magics that take {@code --data}, and refuses what it cannot read. */
class DataMagicTest {

    @TempDir
    static Path dir;

    static KernelHarness h;
    static Path folder;

    @BeforeAll
    static void start() throws Exception {
        h = new KernelHarness(dir.resolve("runs"));
        folder = dir.resolve("shapes");
        Random rng = new Random(1);
        String[] classes = {"dark", "light"};
        for (int c = 0; c < 2; c++) {
            Files.createDirectories(folder.resolve(classes[c]));
            for (int i = 0; i < 20; i++) {
                BufferedImage img = new BufferedImage(10, 10, BufferedImage.TYPE_INT_RGB);
                for (int p = 0; p < 100; p++) {
                    int v = c * 120 + rng.nextInt(100);
                    img.setRGB(p % 10, p / 10, v << 16 | v << 8 | (255 - v));
                }
                ImageIO.write(
                        img,
                        "png",
                        folder.resolve(classes[c]).resolve(i + ".png").toFile());
            }
        }
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    @Test
    void aNamedFolderIsShownAndTakenByTeacherAndDistill() {
        h.sink.clear();
        Table counts = (Table) h.kernel.evalRaw("%data shapes folder:" + folder + " --size 8x8 --split 50/25/25");
        assertEquals(List.of("dark", "light"), counts.stringColumn("class").asList());
        assertEquals(List.of(10, 10), counts.intColumn("train").asList());
        assertEquals(List.of(5, 5), counts.intColumn("test").asList());
        String shown = KernelHarness.text(h.sink.events().get(0).data());
        assertTrue(shown.contains("shapes = folder:" + folder + ",size=8x8,split=50/25/25: 2 classes"), shown);
        assertTrue(shown.contains("3x8x8 images: e.g. cnn:16x32,shape=3x8x8,outputs=2"), shown);
        assertTrue(shown.contains("manifest of 40 files"), shown);

        Teacher t = (Teacher) h.kernel.evalRaw(
                "%teacher t --spec cnn:4,shape=3x8x8,dense=8,outputs=2 --data shapes --epochs 6 --batch-size 8");
        assertTrue(h.kernel.workbench().teacher("t").testAccuracy() >= 0.8, "teacher");
        assertEquals(2, t.outputs());
        Experiment.Outcome o = (Experiment.Outcome) h.kernel.evalRaw(
                "%distill mlp:8,inputs=192,outputs=2 --from t --data shapes:labels=4 --epochs 2 --batch-size 8");
        var data = o.records().get(0).data();
        assertEquals(4, data.trainLabeled());
        assertEquals(List.of("dark", "light"), data.classes());
        // shown again by name alone
        Table again = (Table) h.kernel.evalRaw("%data shapes");
        assertEquals(
                counts.intColumn("train").asList(), again.intColumn("train").asList());
    }

    @Test
    void wrongArgumentsAreAnsweredWithTheFix() throws Exception {
        String unknown = h.error("%data nothing").get(0);
        assertTrue(unknown.contains("no data named 'nothing'; register it: %data nothing folder:PATH"), unknown);
        String registered = h.error("%data x fashion-mnist").get(0);
        assertTrue(registered.contains("is not your own data"), registered);
        String taken = h.error("%data fashion-mnist folder:" + folder).get(0);
        assertTrue(taken.contains("already names a registered data set"), taken);
        String key = h.error("%data y folder:" + folder + ",colour=1").get(0);
        assertTrue(key.contains("takes the keys size, channels, seconds, unlabelled, split"), key);
        Path broken = dir.resolve("broken");
        Files.createDirectories(broken.resolve("a"));
        Files.createDirectories(broken.resolve("b"));
        Files.writeString(broken.resolve("a/1.png"), "not an image");
        Files.writeString(broken.resolve("b/1.png"), "not an image");
        String bad = h.error("%data z folder:" + broken).get(0);
        assertTrue(bad.contains(broken.resolve("a/1.png") + " is not an image"), bad);
        assertNull(h.kernel.workbench().namedData("z"), "data that failed to load is not named");
    }
}
