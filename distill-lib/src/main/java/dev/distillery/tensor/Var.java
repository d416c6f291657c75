package dev.distillery.tensor;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A value on a {@link Tape}: an ND4J array, and, once {@link Tape#backward} has run, the gradient
 * of the loss with respect to it. Ops never change their inputs' values or gradients in place;
 * arrays they create for themselves they may.
 *
 * <p>The ops read as methods here; each is defined, with its derivative rule, beside its kind:
 * {@link Elementwise} (arithmetic broadcasting like NumPy, with gradients summed back to each
 * input's shape; functions; softmax), {@link Reductions}, {@link Movement} (reshapes, slices,
 * lookups), {@link Products} (matrix products on BLAS, transposes passed as flags rather than
 * copies) and {@link LayerKernels} (layer norm, convolution, pooling). Fused logit losses are in
 * {@link FusedLosses}.
 */
public final class Var {

    /** Passes this value's gradient on to its inputs. */
    interface Back {
        void apply(INDArray g);
    }

    private final Tape tape;
    private final INDArray value;
    private final boolean needsGrad;
    final Back back;
    /** The op that made this value (its method name), recorded only when profiling. */
    final String op;

    private INDArray grad;

    Var(Tape tape, INDArray value, boolean needsGrad, Back back) {
        this.tape = tape;
        this.value = value;
        this.needsGrad = needsGrad;
        this.back = back;
        this.op = Tape.PROFILE
                ? StackWalker.getInstance()
                        .walk(f -> f.skip(2)
                                .findFirst()
                                .map(StackWalker.StackFrame::getMethodName)
                                .orElse("?"))
                : null;
        if (Tape.PROFILE && back != null) {
            tape.charge(this);
        }
        if (needsGrad && back != null) {
            tape.record(this);
        }
    }

    public INDArray value() {
        return value;
    }

    /** The gradient after {@link Tape#backward}, or null if the loss does not depend on this value. */
    public INDArray grad() {
        return grad;
    }

    public long[] shape() {
        return value.shape();
    }

    public long size(int dim) {
        return value.size(dim);
    }

    public int rank() {
        return value.rank();
    }

    public Tape tape() {
        return tape;
    }

    public boolean needsGrad() {
        return needsGrad;
    }

    /** The scalar value as a double. */
    public double item() {
        return value.getDouble(0);
    }

    void accumulate(INDArray g) {
        grad = grad == null ? g : grad.add(g);
    }

    /** A new value on this value's tape, computed from {@code inputs}; {@code b} passes its gradient back to them. */
    Var make(INDArray out, Back b, Var... inputs) {
        boolean ng = false;
        for (Var in : inputs) {
            ng |= in.needsGrad;
        }
        return new Var(tape, out, ng && tape.recording(), ng ? b : null);
    }

    /** {@code o}, refused when it lives on another tape. */
    Var same(Var o) {
        if (o.tape != tape) {
            throw new IllegalArgumentException("values from two different tapes cannot be combined");
        }
        return o;
    }

    // ---- elementwise: arithmetic broadcasts; the gradient is summed back to each input's shape ----

    public Var add(Var o) {
        return Elementwise.add(this, o);
    }

    public Var sub(Var o) {
        return Elementwise.sub(this, o);
    }

    public Var mul(Var o) {
        return Elementwise.mul(this, o);
    }

    public Var div(Var o) {
        return Elementwise.div(this, o);
    }

    public Var add(double c) {
        return Elementwise.add(this, c);
    }

    public Var sub(double c) {
        return add(-c);
    }

    /** {@code c − this}. */
    public Var rsub(double c) {
        return Elementwise.rsub(this, c);
    }

    public Var mul(double c) {
        return Elementwise.mul(this, c);
    }

    public Var div(double c) {
        return mul(1.0 / c);
    }

    public Var neg() {
        return mul(-1.0);
    }

    public Var square() {
        return Elementwise.square(this);
    }

    public Var sqrt() {
        return Elementwise.sqrt(this);
    }

    public Var exp() {
        return Elementwise.exp(this);
    }

    public Var log() {
        return Elementwise.log(this);
    }

    public Var abs() {
        return Elementwise.abs(this);
    }

    public Var sigmoid() {
        return Elementwise.sigmoid(this);
    }

    public Var tanh() {
        return Elementwise.tanh(this);
    }

    public Var relu() {
        return Elementwise.relu(this);
    }

    /** GELU in its sigmoid form {@code x·σ(1.702·x)}, as ND4J's {@code gelu}. */
    public Var gelu() {
        return Elementwise.gelu(this);
    }

    /** Softmax along the last axis. */
    public Var softmax() {
        return Elementwise.softmax(this);
    }

    /** Log-softmax along the last axis. */
    public Var logSoftmax() {
        return Elementwise.logSoftmax(this);
    }

    // ---- reductions ------------------------------------------------------------------------------

    /** The sum of every element, as a scalar. */
    public Var sum() {
        return Reductions.sum(this);
    }

    /** The mean of every element, as a scalar. */
    public Var mean() {
        return Reductions.mean(this);
    }

    /** The sum over {@code dims} (negative counts from the end), keeping them as size 1 if {@code keep}. */
    public Var sum(boolean keep, int... dims) {
        return Reductions.sum(this, keep, dims);
    }

    /** The mean over {@code dims} (negative counts from the end), keeping them as size 1 if {@code keep}. */
    public Var mean(boolean keep, int... dims) {
        return Reductions.mean(this, keep, dims);
    }

    /** The maximum over {@code dims}, treated as a constant: for shifting before an exponential. */
    public Var maxDetached(boolean keep, int... dims) {
        return Reductions.maxDetached(this, keep, dims);
    }

    // ---- movement --------------------------------------------------------------------------------

    public Var reshape(long... newShape) {
        return Movement.reshape(this, newShape);
    }

    public Var permute(int... order) {
        return Movement.permute(this, order);
    }

    /** Positions {@code start … start+length-1} along {@code axis} (a copy); the gradient flows back into that range. */
    public Var narrow(int axis, long start, long length) {
        return Movement.narrow(this, axis, start, length);
    }

    /**
     * Rows {@code ids} of a rank-2 table {@code [V, D]}, as {@code [ids.length, D]}: an embedding
     * lookup. The gradient adds each looked-up row's gradient back into its row of the table
     * (rows used twice get both).
     */
    public Var rows(int[] ids) {
        return Movement.rows(this, ids);
    }

    /** Column {@code k} of a rank-2 value, as {@code [rows, 1]}. */
    public Var column(int k) {
        return narrow(1, k, 1);
    }

    // ---- products --------------------------------------------------------------------------------

    /** {@code this · o}: rank 2, or batched over leading dims for rank 3 and 4. */
    public Var mmul(Var o) {
        return Products.mmul(this, o);
    }

    /** {@code this · oᵀ} (last two axes), without materialising the transpose. */
    public Var mmulT(Var o) {
        return Products.mmulT(this, o);
    }

    /** {@code thisᵀ · o} (last two axes), without materialising the transpose. */
    public Var tmmul(Var o) {
        return Products.tmmul(this, o);
    }

    /** {@code this · w + b} for {@code this} {@code [N, in]}, {@code w} {@code [in, out]}, {@code b} {@code [out]} or {@code [1, out]}. */
    public Var linear(Var w, Var b) {
        return Products.linear(this, w, b);
    }

    // ---- layer kernels ---------------------------------------------------------------------------

    /** Layer normalisation over the last axis with {@code gain} and {@code bias} ({@code [D]}), ε = 1e-5. */
    public Var layerNorm(Var gain, Var bias) {
        return LayerKernels.layerNorm(this, gain, bias);
    }

    /** 2-D convolution of NCHW {@code this} with kernel {@code [kH, kW, in, out]} and bias {@code [out]}, "same" padding, stride 1. */
    public Var conv2d(Var kernel, Var bias) {
        return LayerKernels.conv2d(this, kernel, bias);
    }

    /** Max pooling of NCHW {@code this} over {@code size × size} windows with stride {@code size}. */
    public Var maxPool(int size) {
        return LayerKernels.maxPool(this, size);
    }

    @Override
    public String toString() {
        return "Var" + Arrays.toString(shape()) + (needsGrad ? " (grad)" : "");
    }
}
