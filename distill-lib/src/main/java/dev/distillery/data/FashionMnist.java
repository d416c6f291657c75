package dev.distillery.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fashion-MNIST (Zalando, 28x28 grey images, 10 classes) from the Debian package
 * {@code dataset-fashion-mnist}, checked by SHA-256. Pixels are scaled to [0, 1] and flattened to 784.
 */
public final class FashionMnist {

    public static final String NAME = "fashion-mnist";
    public static final int CLASSES = 10;
    public static final int PIXELS = 28 * 28;
    public static final String PROVIDER = "sudo apt-get install dataset-fashion-mnist";
    public static final Path SYSTEM_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    public static final String[] CLASS_NAMES = {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"
    };

    /** The files as Debian ships them. */
    public enum Part {
        TRAIN(
                "train",
                "b0564c3eedabfbf835052cff8503ea422014ce006caf5b757f851416ee8300c7",
                "0ae29f65d86684f32d1b9c85147786c547b9c6aebcaf235f0400a0cce308b056"),
        TEST(
                "t10k",
                "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa",
                "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05");

        final String prefix;
        final String imagesSha256;
        final String labelsSha256;

        Part(String prefix, String imagesSha256, String labelsSha256) {
            this.prefix = prefix;
            this.imagesSha256 = imagesSha256;
            this.labelsSha256 = labelsSha256;
        }

        public String imagesFile() {
            return prefix + "-images-idx3-ubyte.gz";
        }

        public String imagesSha256() {
            return imagesSha256;
        }

        public String labelsSha256() {
            return labelsSha256;
        }

        public String labelsFile() {
            return prefix + "-labels-idx1-ubyte.gz";
        }
    }

    private static final DataLocator LOCATOR = new DataLocator(NAME, SYSTEM_DIR, PROVIDER);

    private FashionMnist() {}

    public static DataLocator locator() {
        return LOCATOR;
    }

    /** Train (60,000) and test (10,000) from the default search path, with a seeded validation split. */
    public static Splits splits(int validationSize, long seed) {
        return Splits.of(load(Part.TRAIN, null), load(Part.TEST, null), validationSize, seed);
    }

    /** One part, searched from {@code explicitDir} (may be null) onwards. */
    public static LabeledData load(Part part, Path explicitDir) {
        Path images = LOCATOR.locate(part.imagesFile(), part.imagesSha256, explicitDir);
        Path labels = LOCATOR.locate(part.labelsFile(), part.labelsSha256, explicitDir);
        return read(images, labels, NAME + "/" + part.prefix, part.imagesSha256 + part.labelsSha256);
    }

    /** Reads an IDX image file and label file pair (gzip), without checksum checks. */
    public static LabeledData read(Path images, Path labels, String name, String sourceSha) {
        try (DataInputStream im = open(images);
                DataInputStream lb = open(labels)) {
            int magic = im.readInt();
            if (magic != 2051) {
                throw new DataUnavailableException(
                        images + " is not an IDX image file (magic " + magic + ", expected 2051)");
            }
            int n = im.readInt();
            int rows = im.readInt();
            int cols = im.readInt();
            int lmagic = lb.readInt();
            int ln = lb.readInt();
            if (lmagic != 2049 || ln != n) {
                throw new DataUnavailableException(labels + " does not match " + images + ": magic " + lmagic + " with "
                        + ln + " labels for " + n + " images");
            }
            int d = rows * cols;
            byte[] px = new byte[n * d];
            im.readFully(px);
            float[] f = new float[px.length];
            for (int i = 0; i < px.length; i++) {
                f[i] = (px[i] & 0xff) / 255f;
            }
            byte[] lab = new byte[n];
            lb.readFully(lab);
            int[] y = new int[n];
            for (int i = 0; i < n; i++) {
                y[i] = lab[i];
            }
            return new LabeledData(
                            name,
                            Nd4j.create(f, new long[] {n, d}, DataType.FLOAT),
                            y,
                            CLASSES,
                            DataLocator.sha256(name + "|" + sourceSha))
                    .withImageShape("1x" + rows + "x" + cols);
        } catch (IOException e) {
            throw new DataUnavailableException(
                    "cannot read " + images + " / " + labels + ": " + e.getMessage() + ". Reinstall with: "
                            + PROVIDER.replace("install", "install --reinstall"),
                    e);
        }
    }

    private static DataInputStream open(Path p) throws IOException {
        return new DataInputStream(new BufferedInputStream(new GZIPInputStream(Files.newInputStream(p), 1 << 16)));
    }
}
