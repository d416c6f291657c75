package dev.distillery.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.distillery.spec.SpecException;

/**
 * The shape of the images a convolutional or vision-transformer model reads: {@code channels}
 * planes of {@code height × width} pixels, stored in each row channel by channel, row by row
 * ({@code C×H×W}, as PyTorch lays images out). Written {@code 3x32x32}; {@code 32x32} is one channel.
 */
public record ImageShape(int channels, int height, int width) {

    public ImageShape {
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new SpecException("image shape " + channels + "x" + height + "x" + width
                    + " must have a positive channel count, height and width, e.g. 3x32x32");
        }
    }

    /** A square single-channel image of {@code inputs} pixels (784 is 1×28×28); refused when not square. */
    public static ImageShape square(String family, int inputs) {
        int side = (int) Math.round(Math.sqrt(inputs));
        if (side * side != inputs) {
            throw new SpecException(family + " spec: inputs " + inputs + " is not a square single-channel image "
                    + "(784 = 28x28); give the image's shape instead, e.g. shape=3x32x32");
        }
        return new ImageShape(1, side, side);
    }

    /** {@code CxHxW} or {@code HxW} (one channel). */
    @JsonCreator
    public static ImageShape parse(String text) {
        String[] p = text.trim().split("x", -1);
        if (p.length < 2 || p.length > 3) {
            throw new SpecException("image shape '" + text + "' should be CHANNELSxHEIGHTxWIDTH, e.g. 3x32x32 "
                    + "(or HEIGHTxWIDTH for one channel)");
        }
        int[] v = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            try {
                v[i] = Integer.parseInt(p[i].trim());
            } catch (NumberFormatException e) {
                throw new SpecException(
                        "image shape '" + text + "': '" + p[i] + "' is not a whole number; e.g. 3x32x32");
            }
        }
        return p.length == 2 ? new ImageShape(1, v[0], v[1]) : new ImageShape(v[0], v[1], v[2]);
    }

    /** Values per image: channels × height × width. */
    public int size() {
        return channels * height * width;
    }

    /** Whether this is the square single-channel image that {@link #square} makes of {@link #size()} inputs. */
    public boolean isSquareGrey() {
        return channels == 1 && height == width;
    }

    @JsonValue
    @Override
    public String toString() {
        return channels + "x" + height + "x" + width;
    }
}
