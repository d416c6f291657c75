package dev.distillery.nn;

import java.util.Arrays;

/**
 * A trainable tensor a module declares: its shape and how it starts. The values live in the
 * network built from the module; a {@link Forward} pass finds them by this object.
 */
public final class Parameter {

    private final long[] shape;
    private final Init init;

    Parameter(Init init, long... shape) {
        this.shape = shape.clone();
        this.init = init;
    }

    public long[] shape() {
        return shape.clone();
    }

    public Init init() {
        return init;
    }

    public long size() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    @Override
    public String toString() {
        return Arrays.toString(shape) + " " + init;
    }
}
