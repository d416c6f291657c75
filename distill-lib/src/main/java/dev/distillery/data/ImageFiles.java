package dev.distillery.data;

import dev.distillery.spec.SpecException;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Image files (PNG, JPEG, BMP, GIF through the JDK's ImageIO) as rows of pixels in [0, 1], channel by
 * channel ({@code C×H×W}). Greyscale images give one channel and colour images three (red, green,
 * blue); a set with both is read in colour (grey copied to each channel) unless {@code channels} says
 * otherwise (1: colour turned to grey by luminance). Every image must have one size, or all are resized
 * (bilinear) to {@code height × width}.
 */
final class ImageFiles {

    /** How to read: the channels (0: as the images are) and the size (0 × 0: as the images are). */
    record Options(int channels, int height, int width) {
        static final Options AS_IS = new Options(0, 0, 0);

        boolean resize() {
            return height > 0;
        }
    }

    /** One decoded image: its planes ({@code [C][H·W]}), at its own size. */
    private record Decoded(Path file, float[][] planes, int height, int width) {}

    private ImageFiles() {}

    static RawExamples read(List<Path> files, List<String> labels, Options o) {
        List<Decoded> images = new ArrayList<>(files.size());
        boolean colour = false;
        for (Path f : files) {
            Decoded d = decode(f);
            colour |= d.planes().length == 3;
            if (!o.resize() && !images.isEmpty()) {
                Decoded first = images.get(0);
                if (d.height() != first.height() || d.width() != first.width()) {
                    throw new SpecException("images differ in size: " + first.file() + " is " + first.height() + "×"
                            + first.width() + " (height × width) but " + f + " is " + d.height() + "×" + d.width()
                            + "; give one size to resize them all to, e.g. size=" + first.height() + "x"
                            + first.width());
                }
            }
            images.add(d);
        }
        int c = o.channels() > 0 ? o.channels() : colour ? 3 : 1;
        int h = o.resize() ? o.height() : images.get(0).height();
        int w = o.resize() ? o.width() : images.get(0).width();
        int plane = h * w;
        float[] x = new float[images.size() * c * plane];
        List<String> origins = new ArrayList<>(files.size());
        for (int i = 0; i < images.size(); i++) {
            Decoded d = images.get(i);
            float[][] planes = channels(d.planes(), c);
            for (int ch = 0; ch < c; ch++) {
                float[] p = d.height() == h && d.width() == w
                        ? planes[ch]
                        : resize(planes[ch], d.height(), d.width(), h, w);
                System.arraycopy(p, 0, x, (i * c + ch) * plane, plane);
            }
            origins.add(d.file().toString());
        }
        return new RawExamples(
                Nd4j.create(x, new long[] {images.size(), (long) c * plane}, DataType.FLOAT),
                labels,
                null,
                c + "x" + h + "x" + w,
                origins);
    }

    private static Decoded decode(Path f) {
        BufferedImage img;
        try {
            img = ImageIO.read(f.toFile());
        } catch (IOException | RuntimeException e) {
            throw new SpecException(
                    f + " cannot be read as an image (" + e.getMessage()
                            + "); replace it with a valid PNG or JPEG, or remove it",
                    e);
        }
        if (img == null) {
            throw new SpecException(
                    f + " is not an image ImageIO can read (PNG, JPEG, BMP, GIF); " + "convert it to PNG or remove it");
        }
        int h = img.getHeight();
        int w = img.getWidth();
        boolean grey = img.getColorModel().getNumColorComponents() == 1
                && !(img.getColorModel() instanceof java.awt.image.IndexColorModel);
        if (grey) {
            // the raster's own values: getRGB would pass grey through a colour-space conversion
            Raster r = img.getRaster();
            double max = (1 << img.getColorModel().getComponentSize(0)) - 1;
            float[] p = new float[h * w];
            for (int y = 0; y < h; y++) {
                for (int xx = 0; xx < w; xx++) {
                    p[y * w + xx] = (float) (r.getSample(xx, y, 0) / max);
                }
            }
            return new Decoded(f, new float[][] {p}, h, w);
        }
        int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
        float[][] p = new float[3][h * w];
        for (int i = 0; i < argb.length; i++) {
            p[0][i] = ((argb[i] >> 16) & 0xff) / 255f;
            p[1][i] = ((argb[i] >> 8) & 0xff) / 255f;
            p[2][i] = (argb[i] & 0xff) / 255f;
        }
        return new Decoded(f, p, h, w);
    }

    /** {@code planes} as {@code c} channels: grey copied to three, or colour to grey by luminance (ITU-R 601). */
    private static float[][] channels(float[][] planes, int c) {
        if (planes.length == c) {
            return planes;
        }
        if (c == 3) {
            return new float[][] {planes[0], planes[0], planes[0]};
        }
        float[] g = new float[planes[0].length];
        for (int i = 0; i < g.length; i++) {
            g[i] = 0.299f * planes[0][i] + 0.587f * planes[1][i] + 0.114f * planes[2][i];
        }
        return new float[][] {g};
    }

    /** Bilinear resampling of one plane, pixel centres aligned (as PIL and OpenCV do). */
    static float[] resize(float[] src, int sh, int sw, int h, int w) {
        float[] out = new float[h * w];
        for (int y = 0; y < h; y++) {
            double fy = Math.max(0, Math.min(sh - 1, (y + 0.5) * sh / h - 0.5));
            int y0 = (int) fy;
            int y1 = Math.min(sh - 1, y0 + 1);
            double dy = fy - y0;
            for (int x = 0; x < w; x++) {
                double fx = Math.max(0, Math.min(sw - 1, (x + 0.5) * sw / w - 0.5));
                int x0 = (int) fx;
                int x1 = Math.min(sw - 1, x0 + 1);
                double dx = fx - x0;
                double top = src[y0 * sw + x0] * (1 - dx) + src[y0 * sw + x1] * dx;
                double bottom = src[y1 * sw + x0] * (1 - dx) + src[y1 * sw + x1] * dx;
                out[y * w + x] = (float) (top * (1 - dy) + bottom * dy);
            }
        }
        return out;
    }
}
