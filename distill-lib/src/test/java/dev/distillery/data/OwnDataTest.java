package dev.distillery.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillery.backend.Backend;
import dev.distillery.spec.SpecException;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A user's own files load as split, labelled data; bad files are refused with the file and the fix. */
class OwnDataTest {

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        Backend.start();
    }

    private static Splits load(String dataset, Map<String, String> options, long seed) {
        return DataSources.open(dataset, options).load(null, 0, seed);
    }

    @Test
    void colourClassFoldersSplitPerClassAndKeepTheirPixels() throws Exception {
        Path root = OwnDataFiles.colourImages(tmp.resolve("colours"), 10, 8);
        Dataset set = DataSources.open("folder:" + root, Map.of());
        Splits s = set.load(null, 0, 0);
        assertEquals(List.of("blue", "green", "red"), set.classes(null));
        assertEquals(3, s.train().numClasses());
        // 80/10/10 of 10 per class: 8, 1, 1 each
        assertEquals(24, s.train().size());
        assertEquals(3, s.validation().size());
        assertEquals(3, s.test().size());
        assertEquals("3x8x8", s.train().imageShape());
        assertEquals(192, s.train().inputSize());
        // every "red" image is brightest in its first (red) plane
        for (int i = 0; i < s.train().size(); i++) {
            float[] row = s.train().features().getRow(i).toFloatVector();
            double[] mean = new double[3];
            for (int j = 0; j < row.length; j++) {
                mean[j / 64] += row[j] / 64;
                assertTrue(row[j] >= 0 && row[j] <= 1);
            }
            int brightest = mean[0] > mean[1] && mean[0] > mean[2] ? 0 : mean[1] > mean[2] ? 1 : 2;
            assertEquals(List.of(2, 1, 0).get(s.train().labels()[i]), brightest, "row " + i);
        }
        // the seed draws another split; the same seed the same one
        assertNotEquals(
                s.test().fingerprint(),
                load("folder:" + root, Map.of(), 1).test().fingerprint());
        assertEquals(
                s.test().fingerprint(),
                load("folder:" + root, Map.of(), 0).test().fingerprint());
        Map<String, String> sums = set.checksums(null);
        assertEquals(1, sums.size());
        assertTrue(sums.keySet().iterator().next().contains("manifest of 30 files"), sums.toString());
        // a changed file changes the manifest and is read again
        OwnDataFiles.png(new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB), root.resolve("red/000.png"));
        assertNotEquals(sums, set.checksums(null));
        assertNotEquals(s.train().fingerprint(), set.load(null, 0, 0).train().fingerprint());
    }

    @Test
    void greyImagesGiveOneChannelAndResizeOnRequest() {
        Path root = OwnDataFiles.greyImages(tmp.resolve("stripes"), 5, 12);
        Splits s = load("folder:" + root, Map.of(), 0);
        assertEquals("1x12x12", s.train().imageShape());
        Splits small = load("folder:" + root, Map.of("size", "6x4"), 0);
        assertEquals("1x6x4", small.train().imageShape());
        assertEquals(24, small.train().inputSize());
        Splits colour = load("folder:" + root, Map.of("channels", "3"), 0);
        assertEquals("3x12x12", colour.train().imageShape());
    }

    @Test
    void givenSplitFoldersAreKeptAndAnUnlabelledFolderJoinsTrainingWithoutLabels() throws Exception {
        Path root = tmp.resolve("given");
        OwnDataFiles.colourImages(root.resolve("train"), 6, 8);
        OwnDataFiles.colourImages(root.resolve("test"), 2, 8);
        Path pool = tmp.resolve("pool");
        for (String c : List.of("blue", "green")) {
            try (var files = Files.list(root.resolve("train").resolve(c))) {
                for (Path f : files.toList()) {
                    Files.createDirectories(pool);
                    Files.copy(f, pool.resolve(c + f.getFileName()));
                }
            }
        }
        Splits s = load("folder:" + root, Map.of("unlabelled", pool.toString(), "split", "60/30/10"), 0);
        assertEquals(6, s.test().size());
        // validation's share of train + validation (30 / 90) of each class's 6 training images held out
        assertEquals(6, s.validation().size());
        assertEquals(12 + 12, s.train().size());
        assertEquals(12, s.train().labeledCount());
        assertEquals(12, s.withLabels(12, 0).train().labeledCount());
        assertEquals(6, s.withLabels(6, 0).train().labeledCount());
        String msg =
                assertThrows(SpecException.class, () -> s.withLabels(13, 0)).getMessage();
        assertTrue(msg.contains("12 labelled rows"), msg);
    }

    @Test
    void wavFoldersBecomeLogMelFramesWithWaveformsKept() {
        Path root = OwnDataFiles.tones(tmp.resolve("tones"), 5);
        Splits s = load("folder:" + root, Map.of(), 0);
        LabeledData train = s.train();
        assertTrue(train.hasWaveforms());
        assertEquals(6400, train.waveforms().columns());
        // 0.4 s: 38 frames of 40 bands, standardised per band on the training clips
        assertEquals(38 * 40, train.inputSize());
        double mean = train.features().meanNumber().doubleValue();
        assertEquals(0, mean, 1e-3);
        Splits longer = load("folder:" + root, Map.of("seconds", "1"), 0);
        assertEquals(16000, longer.train().waveforms().columns());
        assertEquals(98 * 40, longer.train().inputSize());
    }

    @Test
    void csvColumnsAreFeaturesAndLabelValuesAreClasses() {
        Path f = OwnDataFiles.csv(tmp.resolve("iris.csv"), 20, 1);
        Dataset set = DataSources.open("csv:" + f, Map.of("label", "species"));
        Splits s = set.load(null, 0, 0);
        assertEquals(List.of("setosa", "versicolor", "virginica"), set.classes(null));
        assertEquals(4, s.train().inputSize());
        assertEquals(
                48 + 6 + 6, s.train().size() + s.validation().size() + s.test().size());
        // standardised with the training rows' statistics
        assertEquals(0, s.train().features().getColumn(0).meanNumber().doubleValue(), 1e-4);
        assertEquals(Map.of(f.toString(), DataLocator.sha256(f)), set.checksums(null));
        Splits raw = load("csv:" + f, Map.of("label", "species", "scale", "none"), 0);
        assertTrue(raw.train().features().getColumn(3).maxNumber().doubleValue() > 10);
    }

    @Test
    void csvFilesPerSplitAreKeptAsGiven() {
        OwnDataFiles.csv(tmp.resolve("t-train.csv"), 10, 1);
        OwnDataFiles.csv(tmp.resolve("t-val.csv"), 3, 2);
        OwnDataFiles.csv(tmp.resolve("t-test.csv"), 4, 3);
        Splits s = load("csv:" + tmp.resolve("t-{split}.csv"), Map.of("label", "species"), 0);
        assertEquals(30, s.train().size());
        assertEquals(9, s.validation().size());
        assertEquals(12, s.test().size());
    }

    @Test
    void numpyIntegerImagesAndLabelsLoad() {
        Path x = tmp.resolve("x.npy");
        Path y = tmp.resolve("y.npy");
        OwnDataFiles.npy(x, y, 40, 1);
        Dataset set = DataSources.open("npy:" + x, Map.of("labels", y.toString()));
        Splits s = set.load(null, 0, 0);
        assertEquals(List.of("0", "1"), set.classes(null));
        assertEquals(36, s.train().inputSize());
        assertEquals("1x6x6", s.train().imageShape());
        assertEquals(2, set.checksums(null).size());
        Splits raw = load("npy:" + x, Map.of("labels", y.toString(), "scale", "none"), 0);
        assertEquals(250, raw.train().features().maxNumber().doubleValue(), 1e-6);
    }

    @Test
    void numpyFilesPerSplitMeetTheirOwnLabels() {
        OwnDataFiles.npy(tmp.resolve("x_train.npy"), tmp.resolve("y_train.npy"), 30, 1);
        OwnDataFiles.npy(tmp.resolve("x_test.npy"), tmp.resolve("y_test.npy"), 10, 2);
        Splits s = load(
                "npy:" + tmp.resolve("x_{split}.npy"),
                Map.of("labels", tmp.resolve("y_{split}.npy").toString()),
                0);
        assertEquals(10, s.test().size());
        // no val file: validation's share of train + validation (10 / 90) drawn from the 30 training rows
        assertEquals(30, s.train().size() + s.validation().size());
        assertTrue(s.validation().size() > 0);
        String msg = error(
                "npy:" + tmp.resolve("x_{split}.npy"),
                Map.of("labels", tmp.resolve("y_train.npy").toString()));
        assertTrue(msg.contains("write {split} in both paths or in neither"), msg);
    }

    @Test
    void fortranOrderedArraysAreReadAsNumpyMeansThem() {
        Path x = tmp.resolve("f.npy");
        Path y = tmp.resolve("fy.npy");
        // [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 10, 11]] written column by column
        OwnDataFiles.write(
                x,
                OwnDataFiles.npyFile("<f4", "(4, 3)", true, OwnDataFiles.floats(0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11)));
        OwnDataFiles.write(y, OwnDataFiles.npyFile("<f4", "(4,)", false, OwnDataFiles.floats(0, 1, 0, 1)));
        Map<String, RawExamples> parts =
                SourceFiles.npy(x.toString(), Map.of("labels", y.toString())).parts();
        assertArrayEquals(
                new float[] {3, 4, 5}, parts.get("all").features().getRow(1).toFloatVector());
    }

    // ---- errors: each names the file and the fix ----

    private String error(String dataset, Map<String, String> options) {
        return assertThrows(SpecException.class, () -> load(dataset, options, 0))
                .getMessage();
    }

    @Test
    void anEmptyClassFolderIsRefused() throws Exception {
        Path root = OwnDataFiles.colourImages(tmp.resolve("c"), 4, 8);
        Files.createDirectories(root.resolve("yellow"));
        String msg = error("folder:" + root, Map.of());
        assertTrue(msg.contains(root.resolve("yellow") + " is empty") && msg.contains("remove the folder"), msg);
    }

    @Test
    void mixedImageSizesWithoutASizeAreRefused() {
        Path root = OwnDataFiles.colourImages(tmp.resolve("c"), 4, 8);
        OwnDataFiles.png(new BufferedImage(10, 9, BufferedImage.TYPE_INT_RGB), root.resolve("red/big.png"));
        String msg = error("folder:" + root, Map.of());
        assertTrue(msg.contains(root.resolve("red/big.png") + " is 9×10") && msg.contains("size=8x8"), msg);
        assertEquals(
                "3x8x8",
                load("folder:" + root, Map.of("size", "8x8"), 0).train().imageShape());
    }

    @Test
    void anUnreadableOrNonImageFileIsRefused() {
        Path root = OwnDataFiles.colourImages(tmp.resolve("c"), 4, 8);
        OwnDataFiles.write(root.resolve("red/broken.png"), "not a png".getBytes(StandardCharsets.UTF_8));
        String msg = error("folder:" + root, Map.of());
        assertTrue(msg.contains(root.resolve("red/broken.png").toString()) && msg.contains("remove it"), msg);
        Path other = OwnDataFiles.colourImages(tmp.resolve("d"), 4, 8);
        OwnDataFiles.write(other.resolve("blue/notes.txt"), "hello".getBytes(StandardCharsets.UTF_8));
        msg = error("folder:" + other, Map.of());
        assertTrue(msg.contains("notes.txt is neither an image") && msg.contains("remove it"), msg);
    }

    @Test
    void aWavOfAnotherSampleRateIsRefused() {
        Path root = OwnDataFiles.tones(tmp.resolve("t"), 3);
        OwnDataFiles.write(root.resolve("low/slow.wav"), OwnDataFiles.wav(new float[4000], 8000));
        String msg = error("folder:" + root, Map.of());
        assertTrue(msg.contains("slow.wav is sampled at 8000 Hz") && msg.contains("sox IN.wav -r 16000"), msg);
    }

    @Test
    void aMissingOrNonNumericColumnIsRefused() {
        Path f = OwnDataFiles.csv(tmp.resolve("iris.csv"), 5, 1);
        String msg = error("csv:" + f, Map.of("label", "kind"));
        assertTrue(msg.contains("no column 'kind'") && msg.contains("sepal, petal, width, noise, species"), msg);
        Path words = tmp.resolve("words.csv");
        OwnDataFiles.write(words, "a,colour,label\n1,red,x\n2,blue,y\n".getBytes(StandardCharsets.UTF_8));
        msg = error("csv:" + words, Map.of("label", "label"));
        assertTrue(msg.contains("column 'colour'") && msg.contains("not numbers"), msg);
    }

    @Test
    void missingAndNanValuesAreRefusedWithTheirRow() {
        Path f = tmp.resolve("gaps.csv");
        OwnDataFiles.write(f, "a,b,label\n1,2,x\n3,,y\n".getBytes(StandardCharsets.UTF_8));
        String msg = error("csv:" + f, Map.of("label", "label"));
        assertTrue(msg.contains("row 3") && msg.contains("column 'b'"), msg);
        Path x = tmp.resolve("nan.npy");
        Path y = tmp.resolve("nany.npy");
        OwnDataFiles.write(x, OwnDataFiles.npyFile("<f4", "(2, 2)", false, OwnDataFiles.floats(1, 2, Float.NaN, 4)));
        OwnDataFiles.write(y, OwnDataFiles.npyFile("<f4", "(2,)", false, OwnDataFiles.floats(0, 1)));
        msg = error("npy:" + x, Map.of("labels", y.toString()));
        assertTrue(msg.contains(x + ": example 1") && msg.contains("NaN"), msg);
    }

    @Test
    void labelsAndFeaturesOfDifferentLengthsAreRefused() {
        Path x = tmp.resolve("x.npy");
        Path y = tmp.resolve("y.npy");
        OwnDataFiles.npy(x, y, 10, 1);
        OwnDataFiles.write(y, OwnDataFiles.npyFile("<f4", "(3,)", false, OwnDataFiles.floats(0, 1, 0)));
        String msg = error("npy:" + x, Map.of("labels", y.toString()));
        assertTrue(msg.contains("holds 3 labels but " + x + " holds 10 examples"), msg);
    }

    @Test
    void fewerExamplesThanTheSplitsNeedAreRefused() {
        Path root = OwnDataFiles.colourImages(tmp.resolve("c"), 3, 8);
        // 3 per class at 80/10/10: no test image in any class
        String msg = error("folder:" + root, Map.of());
        assertTrue(msg.contains("9 examples leave the") && msg.contains("add examples"), msg);
    }

    @Test
    void anUnlabelledFolderAloneAndUnknownKeysAreRefused() {
        Path pool = tmp.resolve("pool");
        OwnDataFiles.png(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), pool.resolve("a.png"));
        OwnDataFiles.png(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), pool.resolve("b.png"));
        String msg = error("folder:" + pool, Map.of());
        assertTrue(msg.contains("unlabelled=PATH"), msg);
        msg = assertThrows(SpecException.class, () -> DataSources.open("folder:" + pool, Map.of("label", "x")))
                .getMessage();
        assertTrue(msg.contains("takes the keys size, channels, seconds, unlabelled, split"), msg);
        msg = assertThrows(SpecException.class, () -> DataSources.open("csv:t.csv", Map.of()))
                .getMessage();
        assertTrue(msg.contains("label=COLUMN"), msg);
        msg = error("folder:" + tmp.resolve("nowhere"), Map.of());
        assertTrue(msg.contains("does not exist"), msg);
    }
}
