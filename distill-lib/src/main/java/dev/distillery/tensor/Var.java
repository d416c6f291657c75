package dev.distillery.tensor;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Conv2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.MaxPooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.api.ops.impl.transforms.custom.LogSoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A value on a {@link Tape}: an ND4J array, and, once {@link Tape#backward} has run, the gradient
 * of the loss with respect to it. Ops never change their inputs' values or gradients in place;
 * arrays they create for themselves they may.
 *
 * <p>Elementwise binary ops broadcast like NumPy; their gradients are summed back to each input's
 * shape. Matrix products take rank 2 (or batched rank 3 and 4) operands and run ND4J's matmul op
 * (oneDNN on CPU), with transposes passed as flags rather than copies.
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
        this.op = Tape.PROFILE ? StackWalker.getInstance().walk(f -> f.skip(2).findFirst().map(StackWalker.StackFrame::getMethodName)
                .orElse("?")) : null;
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

    private Var make(INDArray out, Back b, Var... inputs) {
        boolean ng = false;
        for (Var in : inputs) {
            ng |= in.needsGrad;
        }
        return new Var(tape, out, ng && tape.recording(), ng ? b : null);
    }

    private Var same(Var o) {
        if (o.tape != tape) {
            throw new IllegalArgumentException("values from two different tapes cannot be combined");
        }
        return o;
    }

    // ---- elementwise arithmetic, broadcasting -------------------------------------------------

    public Var add(Var o) {
        same(o);
        return make(value.add(o.value), g -> {
            pass(this, g);
            pass(o, g);
        }, this, o);
    }

    public Var sub(Var o) {
        same(o);
        return make(value.sub(o.value), g -> {
            pass(this, g);
            if (o.needsGrad) {
                o.accumulate(reduceTo(g.neg(), o.shape()));
            }
        }, this, o);
    }

    public Var mul(Var o) {
        same(o);
        return make(value.mul(o.value), g -> {
            if (needsGrad) {
                accumulate(reduceTo(g.mul(o.value), shape()));
            }
            if (o.needsGrad) {
                o.accumulate(reduceTo(g.mul(value), o.shape()));
            }
        }, this, o);
    }

    public Var div(Var o) {
        same(o);
        INDArray out = value.div(o.value);
        return make(out, g -> {
            if (needsGrad) {
                accumulate(reduceTo(g.div(o.value), shape()));
            }
            if (o.needsGrad) {
                // d(a/b)/db = -(a/b)/b
                o.accumulate(reduceTo(g.mul(out).divi(o.value).negi(), o.shape()));
            }
        }, this, o);
    }

    public Var add(double c) {
        return make(value.add(c), g -> accumulate(g), this);
    }

    public Var sub(double c) {
        return add(-c);
    }

    /** {@code c − this}. */
    public Var rsub(double c) {
        return make(value.rsub(c), g -> accumulate(g.neg()), this);
    }

    public Var mul(double c) {
        return make(value.mul(c), g -> accumulate(g.mul(c)), this);
    }

    public Var div(double c) {
        return mul(1.0 / c);
    }

    public Var neg() {
        return mul(-1.0);
    }

    // ---- elementwise functions ----------------------------------------------------------------

    public Var square() {
        return make(value.mul(value), g -> accumulate(g.mul(value).muli(2)), this);
    }

    public Var sqrt() {
        INDArray out = Transforms.sqrt(value, true);
        return make(out, g -> accumulate(g.div(out).muli(0.5)), this);
    }

    public Var exp() {
        INDArray out = Transforms.exp(value, true);
        return make(out, g -> accumulate(g.mul(out)), this);
    }

    public Var log() {
        return make(Transforms.log(value, true), g -> accumulate(g.div(value)), this);
    }

    public Var abs() {
        return make(Transforms.abs(value, true), g -> accumulate(g.mul(Transforms.sign(value, true))), this);
    }

    public Var sigmoid() {
        INDArray out = Transforms.sigmoid(value, true);
        // σ' = σ(1 − σ), from the saved output: no second transcendental pass
        return make(out, g -> accumulate(out.rsub(1).muli(out).muli(g)), this);
    }

    public Var tanh() {
        INDArray out = Transforms.tanh(value, true);
        return make(out, g -> accumulate(g.mul(out.mul(out).rsubi(1))), this);
    }

    public Var relu() {
        INDArray out = Transforms.relu(value, true);
        // the gradient passes where the output is positive: sign(out) is that mask (ND4J's relu_bp runs a
        // per-element std::function and costs several times more)
        return make(out, g -> accumulate(Transforms.sign(out, true).muli(g)), this);
    }

    /**
     * GELU in its sigmoid form {@code x·σ(1.702·x)} (ND4J's {@code gelu}). One transcendental pass:
     * the backward pass {@code σ + 1.702·x·σ(1−σ)} reuses the forward's σ. ND4J's own derivative op
     * recomputes it with {@code pow}, at twice the forward's cost.
     */
    public Var gelu() {
        INDArray sig = Transforms.sigmoid(value.mul(1.702), false);
        INDArray out = value.mul(sig);
        return make(out, g -> {
            INDArray d = sig.rsub(1).muli(value).muli(1.702).addi(1).muli(sig);
            accumulate(d.muli(g));
        }, this);
    }

    // ---- softmax along the last axis ----------------------------------------------------------

    public Var softmax() {
        INDArray out = Nd4j.exec((CustomOp) new SoftMax(value, value.ulike(), value.rank() - 1))[0];
        return make(out, g -> {
            // dx = y ⊙ (g − Σ g⊙y)
            INDArray dot = g.mul(out).sum(true, value.rank() - 1);
            accumulate(g.sub(dot).muli(out));
        }, this);
    }

    public Var logSoftmax() {
        INDArray out = Nd4j.exec((CustomOp) new LogSoftMax(value, value.rank() - 1))[0];
        return make(out, g -> {
            // dx = g − softmax ⊙ Σ g
            INDArray sum = g.sum(true, value.rank() - 1);
            accumulate(g.sub(Transforms.exp(out, true).muli(sum)));
        }, this);
    }

    // ---- fused losses on logits ---------------------------------------------------------------------
    // Logits are small ([B, C]); as chains of ND4J ops these losses cost ~20 native calls each way, so
    // their forward and backward passes run as plain loops on Java arrays instead.

    /**
     * Cross-entropy of these logits {@code [B, C]} with {@code targets} {@code [B, C]} (one-hot or
     * soft), averaged over the rows whose {@code mask} {@code [B, 1]} is 1:
     * {@code Σ_i mask_i · (−Σ_c y_ic log softmax(z_i)_c) / (Σ_i mask_i + 1e-8)}. A scalar.
     */
    public Var maskedCrossEntropy(Var targets, Var mask) {
        same(targets);
        same(mask);
        int b = (int) value.size(0);
        int c = (int) value.size(1);
        double[] z = doubles(value);
        double[] y = doubles(targets.value);
        double[] m = doubles(mask.value);
        double[] logp = new double[b * c];
        double denom = 1e-8;
        double total = 0;
        for (int i = 0; i < b; i++) {
            logSoftmaxRow(z, i * c, c, 1.0, logp);
            double ce = 0;
            for (int j = 0; j < c; j++) {
                ce -= y[i * c + j] * logp[i * c + j];
            }
            total += m[i] * ce;
            denom += m[i];
        }
        double d = denom;
        return make(Nd4j.scalar(value.dataType(), total / d), g -> {
            double up = g.getDouble(0) / d;
            if (needsGrad) {
                double[] dz = new double[b * c];
                for (int i = 0; i < b; i++) {
                    double ySum = 0;
                    for (int j = 0; j < c; j++) {
                        ySum += y[i * c + j];
                    }
                    for (int j = 0; j < c; j++) {
                        dz[i * c + j] = up * m[i] * (Math.exp(logp[i * c + j]) * ySum - y[i * c + j]);
                    }
                }
                accumulate(array(dz, shape(), value.dataType()));
            }
            if (targets.needsGrad) {
                double[] dy = new double[b * c];
                for (int i = 0; i < b * c; i++) {
                    dy[i] = -up * m[i / c] * logp[i];
                }
                targets.accumulate(array(dy, targets.shape(), targets.value.dataType()));
            }
        }, this, targets, mask);
    }

    /**
     * Hinton's soft term for these student logits and {@code teacher} logits ({@code [B, C]}) at
     * temperature {@code t}: {@code T² · mean_i KL(softmax(teacher_i/T) ‖ softmax(student_i/T))}. A scalar.
     */
    public Var softKl(Var teacher, double t) {
        same(teacher);
        int b = (int) value.size(0);
        int c = (int) value.size(1);
        double[] zs = doubles(value);
        double[] zt = doubles(teacher.value);
        double[] ls = new double[b * c];
        double[] lt = new double[b * c];
        double[] kl = new double[b];
        double total = 0;
        for (int i = 0; i < b; i++) {
            logSoftmaxRow(zs, i * c, c, t, ls);
            logSoftmaxRow(zt, i * c, c, t, lt);
            for (int j = i * c; j < (i + 1) * c; j++) {
                kl[i] += Math.exp(lt[j]) * (lt[j] - ls[j]);
            }
            total += kl[i];
        }
        double scale = t * t / b;
        return make(Nd4j.scalar(value.dataType(), total * scale), g -> {
            double up = g.getDouble(0) * scale / t;
            if (needsGrad) {
                double[] dz = new double[b * c];
                for (int j = 0; j < b * c; j++) {
                    dz[j] = up * (Math.exp(ls[j]) - Math.exp(lt[j]));
                }
                accumulate(array(dz, shape(), value.dataType()));
            }
            if (teacher.needsGrad) {
                double[] dz = new double[b * c];
                for (int i = 0; i < b; i++) {
                    for (int j = i * c; j < (i + 1) * c; j++) {
                        dz[j] = up * Math.exp(lt[j]) * ((lt[j] - ls[j]) - kl[i]);
                    }
                }
                teacher.accumulate(array(dz, teacher.shape(), teacher.value.dataType()));
            }
        }, this, teacher);
    }

    /** Row {@code [from, from+c)} of {@code z}, divided by {@code t}, log-softmaxed into {@code out}. */
    private static void logSoftmaxRow(double[] z, int from, int c, double t, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = from; j < from + c; j++) {
            max = Math.max(max, z[j] / t);
        }
        double sum = 0;
        for (int j = from; j < from + c; j++) {
            sum += Math.exp(z[j] / t - max);
        }
        double lse = max + Math.log(sum);
        for (int j = from; j < from + c; j++) {
            out[j] = z[j] / t - lse;
        }
    }

    private static double[] doubles(INDArray a) {
        if (a.rank() > 2) {
            throw new IllegalArgumentException("expected a matrix, got shape " + Arrays.toString(a.shape()));
        }
        return a.dup('c').data().asDouble();
    }

    private static INDArray array(double[] v, long[] shape, DataType type) {
        INDArray d = Nd4j.create(v, shape, DataType.DOUBLE);
        return type == DataType.DOUBLE ? d : d.castTo(type);
    }

    // ---- reductions -----------------------------------------------------------------------------

    /** The sum of every element, as a scalar. */
    public Var sum() {
        return make(value.sum(), g -> accumulate(Nd4j.valueArrayOf(shape(), g.getDouble(0), value.dataType())), this);
    }

    /** The mean of every element, as a scalar. */
    public Var mean() {
        long n = value.length();
        return make(value.mean(), g -> accumulate(Nd4j.valueArrayOf(shape(), g.getDouble(0) / n, value.dataType())), this);
    }

    /** The sum over {@code dims} (negative counts from the end), keeping them as size 1 if {@code keep}. */
    public Var sum(boolean keep, int... dims) {
        int[] d = dims(dims);
        return make(value.sum(keep, d), g -> accumulate(spread(g, d, 1.0)), this);
    }

    public Var mean(boolean keep, int... dims) {
        int[] d = dims(dims);
        long n = 1;
        for (int i : d) {
            n *= value.size(i);
        }
        double scale = 1.0 / n;
        return make(value.mean(keep, d), g -> accumulate(spread(g, d, scale)), this);
    }

    /** The maximum over {@code dims}, treated as a constant: for shifting before an exponential. */
    public Var maxDetached(boolean keep, int... dims) {
        return tape.constant(value.max(keep, dims(dims)));
    }

    private int[] dims(int[] dims) {
        int[] d = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            d[i] = dims[i] < 0 ? dims[i] + value.rank() : dims[i];
        }
        Arrays.sort(d);
        return d;
    }

    /** A reduced gradient broadcast back over the reduced dims, times {@code scale}. */
    private INDArray spread(INDArray g, int[] d, double scale) {
        long[] keepShape = shape().clone();
        for (int i : d) {
            keepShape[i] = 1;
        }
        INDArray out = Nd4j.valueArrayOf(shape(), scale, value.dataType());
        return out.muli(g.reshape('c', keepShape));
    }

    // ---- shape ----------------------------------------------------------------------------------

    public Var reshape(long... newShape) {
        long[] from = shape();
        return make(value.reshape('c', newShape), g -> accumulate(g.reshape('c', from)), this);
    }

    public Var permute(int... order) {
        int[] inverse = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            inverse[order[i]] = i;
        }
        return make(value.permute(order), g -> accumulate(g.permute(inverse)), this);
    }

    /** Positions {@code start … start+length-1} along {@code axis} (a copy); the gradient flows back into that range. */
    public Var narrow(int axis, long start, long length) {
        if (start < 0 || length < 1 || start + length > size(axis)) {
            throw new IllegalArgumentException("narrow: " + start + " + " + length + " is outside axis " + axis + " of "
                    + Arrays.toString(shape()));
        }
        if (start == 0 && length == size(axis)) {
            return this;
        }
        org.nd4j.linalg.indexing.INDArrayIndex[] idx = new org.nd4j.linalg.indexing.INDArrayIndex[rank()];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i == axis ? org.nd4j.linalg.indexing.NDArrayIndex.interval(start, start + length)
                    : org.nd4j.linalg.indexing.NDArrayIndex.all();
        }
        INDArray out = value.get(idx).dup('c');
        return make(out, g -> {
            INDArray full = Nd4j.zeros(value.dataType(), shape());
            full.get(idx).assign(g);
            accumulate(full);
        }, this);
    }

    /**
     * Rows {@code ids} of a rank-2 table {@code [V, D]}, as {@code [ids.length, D]}: an embedding
     * lookup. The gradient adds each looked-up row's gradient back into its row of the table
     * (rows used twice get both).
     */
    public Var rows(int[] ids) {
        if (rank() != 2) {
            throw new IllegalArgumentException("rows: needs a [V, D] table, got " + Arrays.toString(shape()));
        }
        long v = size(0);
        int d = (int) size(1);
        for (int id : ids) {
            if (id < 0 || id >= v) {
                throw new IllegalArgumentException("rows: id " + id + " is outside the table's " + v + " rows");
            }
        }
        INDArray out = Nd4j.pullRows(value, 1, ids);
        return make(out, g -> accumulate(scatterRows(g, ids, v, d, value.dataType())), this);
    }

    /**
     * The gradient of {@link #rows}: a {@code [v, d]} table of zeros in the table's own precision, each
     * row of {@code g} added into row {@code ids[i]}. Only the looked-up rows are touched, so this
     * costs the batch's tokens, not the vocabulary.
     */
    private static INDArray scatterRows(INDArray g, int[] ids, long v, int d, DataType type) {
        double[] gs = g.dup('c').data().asDouble();
        INDArray full = Nd4j.zeros(type, v, d);
        org.nd4j.linalg.api.buffer.DataBuffer buf = full.data();
        for (int i = 0; i < ids.length; i++) {
            long base = (long) ids[i] * d;
            int from = i * d;
            for (int j = 0; j < d; j++) {
                buf.put(base + j, buf.getDouble(base + j) + gs[from + j]);
            }
        }
        return full;
    }

    /** Column {@code k} of a rank-2 value, as {@code [rows, 1]}. */
    public Var column(int k) {
        return narrow(1, k, 1);
    }

    // ---- products -------------------------------------------------------------------------------

    /** {@code this · o}: rank 2, or batched over leading dims for rank 3 and 4. */
    public Var mmul(Var o) {
        same(o);
        INDArray out = matmul(value, o.value, false, false);
        return make(out, g -> {
            if (needsGrad) {
                accumulate(matmul(g, o.value, false, true));
            }
            if (o.needsGrad) {
                o.accumulate(matmul(value, g, true, false));
            }
        }, this, o);
    }

    /** {@code this · oᵀ} (last two axes), without materialising the transpose. */
    public Var mmulT(Var o) {
        same(o);
        INDArray out = matmul(value, o.value, false, true);
        return make(out, g -> {
            if (needsGrad) {
                accumulate(matmul(g, o.value, false, false));
            }
            if (o.needsGrad) {
                o.accumulate(matmul(g, value, true, false));
            }
        }, this, o);
    }

    /** {@code thisᵀ · o} (last two axes), without materialising the transpose. */
    public Var tmmul(Var o) {
        same(o);
        INDArray out = matmul(value, o.value, true, false);
        return make(out, g -> {
            if (needsGrad) {
                accumulate(matmul(o.value, g, false, true));
            }
            if (o.needsGrad) {
                o.accumulate(matmul(value, g, false, false));
            }
        }, this, o);
    }

    /** {@code this · w + b} for {@code this} {@code [N, in]}, {@code w} {@code [in, out]}, {@code b} {@code [out]} or {@code [1, out]}. */
    public Var linear(Var w, Var b) {
        same(w);
        same(b);
        INDArray out = matmul(value, w.value, false, false).addiRowVector(b.value.reshape(1, b.value.length()));
        return make(out, g -> {
            if (needsGrad) {
                accumulate(matmul(g, w.value, false, true));
            }
            if (w.needsGrad) {
                w.accumulate(matmul(value, g, true, false));
            }
            if (b.needsGrad) {
                b.accumulate(columnSums(g).reshape('c', b.shape()));
            }
        }, this, w, b);
    }

    static INDArray matmul(INDArray a, INDArray b, boolean ta, boolean tb) {
        return Gemm.mm(a, b, ta, tb);
    }

    // ---- normalisation and convolution ------------------------------------------------------------

    /** Layer normalisation over the last axis with {@code gain} and {@code bias} ({@code [D]}), ε = 1e-5. */
    public Var layerNorm(Var gain, Var bias) {
        same(gain);
        same(bias);
        int last = value.rank() - 1;
        long d = value.size(last);
        INDArray mu = value.mean(true, last);
        INDArray xc = value.sub(mu);
        INDArray inv = Transforms.pow(xc.mul(xc).mean(true, last).addi(1e-5), -0.5, false);
        INDArray xhat = xc.muli(inv);
        INDArray out = xhat.mul(gain.value).addi(bias.value);
        return make(out, g -> {
            long rows = value.length() / d;
            if (gain.needsGrad) {
                gain.accumulate(columnSums(g.mul(xhat).reshape('c', rows, d)).reshape('c', gain.shape()));
            }
            if (bias.needsGrad) {
                bias.accumulate(columnSums(g.reshape('c', rows, d)).reshape('c', bias.shape()));
            }
            if (needsGrad) {
                // dx = inv · (gh − mean(gh) − x̂ · mean(gh ⊙ x̂)), gh = g ⊙ gain
                INDArray gh = g.mul(gain.value);
                INDArray m1 = gh.mean(true, last);
                INDArray m2 = gh.mul(xhat).mean(true, last);
                accumulate(gh.subi(m1).subi(xhat.mul(m2)).muli(inv));
            }
        }, this, gain, bias);
    }

    /** 2-D convolution of NCHW {@code this} with kernel {@code [kH, kW, in, out]} and bias {@code [out]}, "same" padding, stride 1. */
    public Var conv2d(Var kernel, Var bias) {
        same(kernel);
        same(bias);
        int k = (int) kernel.size(0);
        Conv2DConfig cfg = Conv2DConfig.builder().kH(k).kW((int) kernel.size(1)).paddingMode(org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode.SAME)
                .dataFormat(Conv2DConfig.NCHW).build();
        Conv2D op = new Conv2D(value, kernel.value, bias.value, null, cfg);
        INDArray out = Nd4j.exec((CustomOp) op)[0];
        int[] args = ints(op.iArgs());
        return make(out, g -> {
            DynamicCustomOp bp = DynamicCustomOp.builder("conv2d_bp").addInputs(value, kernel.value, bias.value, g)
                    .addIntegerArguments(args).build();
            INDArray[] grads = Nd4j.exec(bp);
            if (needsGrad) {
                accumulate(grads[0]);
            }
            if (kernel.needsGrad) {
                kernel.accumulate(grads[1]);
            }
            if (bias.needsGrad) {
                bias.accumulate(grads[2].reshape('c', bias.shape()));
            }
        }, this, kernel, bias);
    }

    /** Max pooling of NCHW {@code this} over {@code size × size} windows with stride {@code size}. */
    public Var maxPool(int size) {
        Pooling2DConfig cfg = Pooling2DConfig.builder().kH(size).kW(size).sH(size).sW(size).isNHWC(false).build();
        MaxPooling2D op = new MaxPooling2D(value, null, cfg);
        INDArray out = Nd4j.exec((CustomOp) op)[0];
        int[] args = ints(op.iArgs());
        return make(out, g -> {
            DynamicCustomOp bp = DynamicCustomOp.builder("maxpool2d_bp").addInputs(value, g).addIntegerArguments(args)
                    .build();
            accumulate(Nd4j.exec(bp)[0]);
        }, this);
    }

    // ---- gradient helpers -------------------------------------------------------------------------

    private static int[] ints(long[] v) {
        int[] r = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = (int) v[i];
        }
        return r;
    }

    private static void pass(Var to, INDArray g) {
        if (to.needsGrad) {
            to.accumulate(reduceTo(g, to.shape()));
        }
    }

    /**
     * Column sums of a matrix {@code [N, M]} as {@code [1, M]}: a product with a row of ones, which
     * BLAS does 20 times faster than ND4J's strided reduction over the first axis.
     */
    static INDArray columnSums(INDArray g) {
        if (g.rank() != 2) {
            throw new IllegalArgumentException("column sums of a matrix, got " + Arrays.toString(g.shape()));
        }
        return Gemm.mm(Gemm.ones(g.dataType(), g.size(0)), g, false, false);
    }

    /** Sums a broadcast gradient back to {@code shape}. */
    static INDArray reduceTo(INDArray g, long[] shape) {
        long[] gs = g.shape();
        if (Arrays.equals(gs, shape)) {
            return g;
        }
        // broadcast over leading axes only (a bias, a position table): column sums of a matrix view
        int lead = gs.length - shape.length;
        int k = 0;
        while (k < gs.length && (k < lead || (shape[k - lead] == 1 && gs[k] != 1))) {
            k++;
        }
        boolean rest = k > 0 && k < gs.length && g.ordering() == 'c';
        long cols = 1;
        for (int i = k; i < gs.length && rest; i++) {
            rest = shape[i - lead] == gs[i];
            cols *= gs[i];
        }
        if (rest) {
            return columnSums(g.reshape('c', g.length() / cols, cols)).reshape('c', shape);
        }
        int[] dims = new int[gs.length];
        int n = 0;
        for (int i = 0; i < gs.length; i++) {
            long target = i < lead ? 1 : shape[i - lead];
            if (target == 1 && gs[i] != 1) {
                dims[n++] = i;
            }
        }
        INDArray r = n == 0 ? g : g.sum(true, Arrays.copyOf(dims, n));
        return r.reshape('c', shape);
    }

    @Override
    public String toString() {
        return "Var" + Arrays.toString(shape()) + (needsGrad ? " (grad)" : "");
    }
}
