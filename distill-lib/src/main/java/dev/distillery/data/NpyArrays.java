package dev.distillery.data;

import dev.distillery.spec.SpecException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * NumPy {@code .npy} arrays, read by ND4J: features {@code [N, ...]} (float or integer, flattened to
 * one row per example) and labels {@code [N]} (integers, or floats holding whole numbers).
 */
final class NpyArrays {

    private NpyArrays() {}

    static RawExamples read(Path featuresFile, Path labelsFile) {
        INDArray x = array(featuresFile);
        if (x.rank() < 1 || x.length() == 0) {
            throw new SpecException(featuresFile + " holds an empty array; it should hold one row per example");
        }
        long n = x.size(0);
        long d = x.length() / n;
        float[] f = x.reshape('c', n, d).castTo(DataType.FLOAT).data().asFloat();
        for (int i = 0; i < f.length; i++) {
            if (!Float.isFinite(f[i])) {
                throw new SpecException(featuresFile + ": example " + i / d + " (value " + i % d + " of its row) is "
                        + f[i] + "; replace non-finite values (np.nan_to_num) or drop those examples");
            }
        }
        List<String> labels = labelsFile == null ? null : labels(labelsFile, n, featuresFile);
        String shape = x.rank() == 4
                ? x.size(1) + "x" + x.size(2) + "x" + x.size(3)
                : x.rank() == 3 ? "1x" + x.size(1) + "x" + x.size(2) : null;
        return new RawExamples(
                Nd4j.create(f, new long[] {n, d}, DataType.FLOAT),
                labels,
                null,
                shape,
                java.util.Collections.nCopies((int) n, featuresFile.toString()));
    }

    private static List<String> labels(Path file, long n, Path featuresFile) {
        INDArray y = array(file);
        if (y.length() != y.size(0) || y.rank() > 2) {
            throw new SpecException(file + " holds labels of shape " + Arrays.toString(y.shape())
                    + "; give one whole-number label per example, shape [N]");
        }
        if (y.length() != n) {
            throw new SpecException(file + " holds " + y.length() + " labels but " + featuresFile + " holds " + n
                    + " examples; give one label per example, in the same order");
        }
        double[] v = y.castTo(DataType.DOUBLE).data().asDouble();
        List<String> out = new ArrayList<>(v.length);
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i]) || v[i] != Math.rint(v[i])) {
                throw new SpecException(file + ": label " + i + " is " + v[i]
                        + ", not a whole number; labels are class numbers (0, 1, 2, ...)");
            }
            out.add(String.valueOf((long) v[i]));
        }
        return out;
    }

    /** The array in C order; Fortran-ordered files are read as NumPy means them. */
    private static INDArray array(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new SpecException("NumPy file " + file + " does not exist; save one with numpy.save");
        }
        String header = header(file);
        INDArray a;
        try {
            a = Nd4j.createFromNpyFile(file.toFile());
        } catch (RuntimeException e) {
            throw new SpecException(
                    file + " cannot be read as a NumPy array (" + e.getMessage() + "; header " + header
                            + "); save a float or integer array with numpy.save",
                    e);
        }
        if (header.contains("'fortran_order': True")) {
            long[] shape = a.shape();
            a = a.ravel().reshape('f', shape).dup('c');
        }
        return a;
    }

    /** The header's dictionary ({@code {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }}). */
    private static String header(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] start = in.readNBytes(10);
            if (start.length < 10 || start[0] != (byte) 0x93 || start[1] != 'N' || start[2] != 'U') {
                throw new SpecException(
                        file + " is not a NumPy .npy file (no \\x93NUMPY magic); save it with " + "numpy.save");
            }
            int len = start[6] == 1 ? (start[8] & 0xff) | (start[9] & 0xff) << 8 : -1;
            if (len < 0) {
                byte[] more = in.readNBytes(2);
                len = (start[8] & 0xff) | (start[9] & 0xff) << 8 | (more[0] & 0xff) << 16 | (more[1] & 0xff) << 24;
            }
            String h = new String(in.readNBytes(len), StandardCharsets.ISO_8859_1).trim();
            if (!h.matches(".*'descr': '[<>|=]?[fiub][1248]'.*")) {
                throw new SpecException(file + " holds " + h + ", not float or integer numbers; save a float or "
                        + "integer array (e.g. x.astype('float32'))");
            }
            return h;
        } catch (IOException e) {
            throw new SpecException(file + " cannot be read: " + e.getMessage(), e);
        }
    }
}
