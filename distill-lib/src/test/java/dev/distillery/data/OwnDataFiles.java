package dev.distillery.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * Small data sets of each kind a user brings, written into a folder for tests: class folders of PNG
 * images (colour, grey), of WAV clips, a CSV table and NumPy arrays. Each is learnable: the class
 * shows in the colour, the stripes, the pitch, or the position of a point.
 */
public final class OwnDataFiles {

    private OwnDataFiles() {}

    /** Colour images: class {@code red}, {@code green} or {@code blue} is the brightest channel of a noisy square. */
    public static Path colourImages(Path root, int perClass, int size) {
        String[] classes = {"blue", "green", "red"};
        SplittableRandom rng = new SplittableRandom(1);
        for (int c = 0; c < classes.length; c++) {
            for (int i = 0; i < perClass; i++) {
                BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        int[] rgb = new int[3];
                        for (int k = 0; k < 3; k++) {
                            rgb[k] = rng.nextInt(120);
                        }
                        rgb[2 - c] += 100 + rng.nextInt(30); // blue is channel 2 of RGB, red channel 0
                        img.setRGB(x, y, rgb[0] << 16 | rgb[1] << 8 | rgb[2]);
                    }
                }
                png(img, root.resolve(classes[c]).resolve(String.format(Locale.ROOT, "%03d.png", i)));
            }
        }
        return root;
    }

    /** Grey images: horizontal or vertical stripes, at a random phase, with noise. */
    public static Path greyImages(Path root, int perClass, int size) {
        String[] classes = {"horizontal", "vertical"};
        SplittableRandom rng = new SplittableRandom(2);
        for (int c = 0; c < classes.length; c++) {
            for (int i = 0; i < perClass; i++) {
                BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
                int phase = rng.nextInt(4);
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        int along = c == 0 ? y : x;
                        int v = ((along + phase) / 2) % 2 == 0 ? 200 : 40;
                        img.getRaster().setSample(x, y, 0, Math.max(0, Math.min(255, v + rng.nextInt(50) - 25)));
                    }
                }
                png(img, root.resolve(classes[c]).resolve(String.format(Locale.ROOT, "%03d.png", i)));
            }
        }
        return root;
    }

    /** WAV clips of 0.4 s at 16 kHz: a low, middle or high tone in noise. */
    public static Path tones(Path root, int perClass) {
        String[] classes = {"high", "low", "middle"};
        double[] hz = {3000, 300, 1000};
        SplittableRandom rng = new SplittableRandom(3);
        for (int c = 0; c < classes.length; c++) {
            for (int i = 0; i < perClass; i++) {
                float[] x = new float[6400];
                double f = hz[c] * (0.9 + 0.2 * rng.nextDouble());
                for (int t = 0; t < x.length; t++) {
                    x[t] = (float) (0.4 * Math.sin(2 * Math.PI * f * t / 16000) + 0.05 * (rng.nextDouble() - 0.5));
                }
                write(root.resolve(classes[c]).resolve(String.format(Locale.ROOT, "%03d.wav", i)), wav(x, 16000));
            }
        }
        return root;
    }

    /** A 16-bit mono PCM WAV file of {@code x} at {@code rate} Hz. */
    public static byte[] wav(float[] x, int rate) {
        return Wav.bytes(x, rate);
    }

    /** A CSV table: four numeric columns and a {@code species} label; the class sets the mean of two columns. */
    public static Path csv(Path file, int perClass, long seed) {
        String[] classes = {"setosa", "versicolor", "virginica"};
        SplittableRandom rng = new SplittableRandom(seed);
        StringBuilder s = new StringBuilder("sepal,petal,width,noise,species\n");
        for (int i = 0; i < perClass; i++) {
            for (int c = 0; c < classes.length; c++) {
                s.append(String.format(
                        Locale.ROOT,
                        "%.4f,%.4f,%.4f,%d,%s%n",
                        10 * c + rng.nextGaussian() * 3,
                        -5 * c + rng.nextGaussian() * 2,
                        rng.nextGaussian(),
                        rng.nextInt(100),
                        classes[c]));
            }
        }
        write(file, s.toString().getBytes(StandardCharsets.UTF_8));
        return file;
    }

    /**
     * NumPy arrays: {@code x} uint8 images {@code [N, 6, 6]} with one bright pixel in the top or bottom
     * half, {@code y} int64 labels 0 (top) or 1 (bottom).
     */
    public static void npy(Path x, Path y, int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        byte[] pixels = new byte[n * 36];
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 2;
            for (int p = 0; p < 36; p++) {
                pixels[i * 36 + p] = (byte) rng.nextInt(40);
            }
            int row = (int) labels[i] * 3 + rng.nextInt(3);
            pixels[i * 36 + row * 6 + rng.nextInt(6)] = (byte) 250;
        }
        ByteBuffer lb = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (long l : labels) {
            lb.putLong(l);
        }
        write(x, npyFile("|u1", "(" + n + ", 6, 6)", false, pixels));
        write(y, npyFile("<i8", "(" + n + ",)", false, lb.array()));
    }

    /** An {@code .npy} file (format 1.0) of {@code data} as {@code descr} and {@code shape} say. */
    public static byte[] npyFile(String descr, String shape, boolean fortran, byte[] data) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': "
                + shape + ", }";
        int unpadded = 10 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93)
                .put("NUMPY".getBytes(StandardCharsets.US_ASCII))
                .put((byte) 1)
                .put((byte) 0);
        b.putShort((short) header.length())
                .put(header.getBytes(StandardCharsets.US_ASCII))
                .put(data);
        return b.array();
    }

    /** Little-endian float32 bytes. */
    public static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return b.array();
    }

    public static void png(BufferedImage img, Path file) {
        try {
            Files.createDirectories(file.getParent());
            ImageIO.write(img, "png", file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static void write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
