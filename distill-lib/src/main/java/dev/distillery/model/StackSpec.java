package dev.distillery.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.distillery.nn.Activation;
import dev.distillery.nn.Classifier;
import dev.distillery.nn.Conv2d;
import dev.distillery.nn.Dropout;
import dev.distillery.nn.Init;
import dev.distillery.nn.LayerNorm;
import dev.distillery.nn.Linear;
import dev.distillery.nn.MaxPool2d;
import dev.distillery.nn.Model;
import dev.distillery.nn.Module;
import dev.distillery.nn.Nonlinearity;
import dev.distillery.nn.StackModel;
import dev.distillery.spec.SpecException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A student composed from modules, step by step ({@link Student} builds one in a notebook cell): its
 * structure as data, which rebuilds it. Steps, in order: {@code linear:N}, {@code conv:N} or {@code
 * conv:NkK} (N channels, K×K kernel, 3 by default, same padding), {@code maxpool:S} (S×S windows),
 * {@code layernorm}, {@code dropout:P}, and the activations {@code relu}, {@code gelu}, {@code
 * tanh}, {@code sigmoid}; the classifier follows the last step. The input is {@code inputs} values,
 * or, with {@code shape}, images ({@code CxHxW}) that convolutions and pooling read until the first
 * linear step flattens them. Compact form: {@code stack:conv:8>relu>maxpool:2>linear:64>relu,shape=1x28x28}.
 */
public record StackSpec(
        Integer inputs,
        @JsonInclude(JsonInclude.Include.NON_NULL) ImageShape shape,
        List<String> steps,
        Integer outputs)
        implements ModelSpec {

    public StackSpec {
        inputs = shape == null ? (inputs == null ? 784 : inputs) : CnnSpec.checkShape("stack", inputs, shape);
        outputs = outputs == null ? 10 : outputs;
        steps = steps == null
                ? List.of()
                : steps.stream().map(s -> s.trim().toLowerCase(Locale.ROOT)).toList();
        ModelSpec.checkPositive("stack", "inputs", inputs);
        ModelSpec.checkPositive("stack", "outputs", outputs);
        plan(inputs, shape, steps);
    }

    /** Reads {@code stack:STEP>STEP>…[,inputs=N][,shape=CxHxW][,outputs=K]}. */
    static StackSpec parseCompact(String text) {
        String body = text.trim().substring("stack:".length());
        String[] parts = body.split(",");
        Integer inputs = null;
        Integer outputs = null;
        ImageShape shape = null;
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            if (kv.length != 2) {
                throw new SpecException("model spec '" + text + "': '" + parts[i] + "' should be key=value");
            }
            String value = kv[1].trim();
            try {
                switch (kv[0].trim()) {
                    case "inputs" -> inputs = Integer.parseInt(value);
                    case "outputs" -> outputs = Integer.parseInt(value);
                    case "shape" -> shape = ImageShape.parse(value);
                    default ->
                        throw new SpecException("model spec '" + text + "': unknown key '" + kv[0].trim()
                                + "'; a stack takes inputs, shape and outputs (its layers are its steps)");
                }
            } catch (NumberFormatException e) {
                throw new SpecException("model spec '" + text + "': '" + value + "' is not a number for " + kv[0]);
            }
        }
        List<String> steps = parts[0].isBlank() ? List.of() : List.of(parts[0].split(">", -1));
        return new StackSpec(inputs, shape, steps, outputs);
    }

    /** A step's shape on the way through: an image {@code c×h×w}, or a vector of {@code c} values ({@code h = 0}). */
    private record Flow(int c, int h, int w) {
        boolean image() {
            return h > 0;
        }

        int values() {
            return image() ? c * h * w : c;
        }

        Flow flat() {
            return new Flow(values(), 0, 0);
        }
    }

    /** One step, read and checked: what it is, its numbers, and the shapes around it. */
    private record Step(String kind, int size, int kernel, double rate, Flow in, Flow out) {}

    private static List<Step> plan(int inputs, ImageShape shape, List<String> steps) {
        List<Step> out = new ArrayList<>();
        Flow flow = shape == null ? new Flow(inputs, 0, 0) : new Flow(shape.channels(), shape.height(), shape.width());
        for (int i = 0; i < steps.size(); i++) {
            String step = steps.get(i);
            String where = "stack spec: step " + (i + 1) + " '" + step + "'";
            String[] kv = step.split(":", 2);
            String kind = kv[0].trim();
            String arg = kv.length > 1 ? kv[1].trim() : null;
            Step s = switch (kind) {
                case "linear" -> {
                    int n = whole(where, arg, "linear:64 (output values)");
                    yield new Step(kind, n, 0, 0, flow, new Flow(n, 0, 0));
                }
                case "conv" -> {
                    if (!flow.image()) {
                        throw new SpecException(where + ": a convolution reads images, and this step gets "
                                + flow.values() + " flat values; give the stack an image shape "
                                + "(Student.image(1, 28, 28), shape=1x28x28) and put convolutions before the "
                                + "first linear step");
                    }
                    String[] ck = arg == null ? new String[] {null} : arg.split("k", 2);
                    int n = whole(where, ck[0], "conv:16 (channels) or conv:16k5 (a 5x5 kernel)");
                    int k = ck.length > 1 ? whole(where, ck[1], "conv:16k5 (a 5x5 kernel)") : 3;
                    yield new Step(kind, n, k, 0, flow, new Flow(n, flow.h(), flow.w()));
                }
                case "maxpool" -> {
                    if (!flow.image()) {
                        throw new SpecException(where + ": pooling reads images, and this step gets flat "
                                + "values; put pooling after a convolution, before the first linear step");
                    }
                    int size = arg == null ? 2 : whole(where, arg, "maxpool:2");
                    if (flow.h() < size || flow.w() < size) {
                        throw new SpecException(where + ": the images here are " + flow.h() + "x" + flow.w()
                                + ", smaller than the " + size + "x" + size
                                + " window; pool less often or with a smaller window");
                    }
                    yield new Step(kind, size, 0, 0, flow, new Flow(flow.c(), flow.h() / size, flow.w() / size));
                }
                case "layernorm" -> {
                    noArgument(where, arg);
                    if (flow.image()) {
                        throw new SpecException(where + ": layer norm reads flat values, and this step gets "
                                + "images; put it after a linear step");
                    }
                    yield new Step(kind, flow.c(), 0, 0, flow, flow);
                }
                case "dropout" -> {
                    double p;
                    try {
                        p = Double.parseDouble(String.valueOf(arg));
                    } catch (NumberFormatException e) {
                        throw new SpecException(where + ": give the rate, e.g. dropout:0.1");
                    }
                    if (!(p > 0 && p < 1)) {
                        throw new SpecException(where + ": the rate must lie in (0, 1), e.g. dropout:0.1");
                    }
                    yield new Step(kind, 0, 0, p, flow, flow);
                }
                case "relu", "gelu", "tanh", "sigmoid" -> {
                    noArgument(where, arg);
                    yield new Step(kind, 0, 0, 0, flow, flow);
                }
                default ->
                    throw new SpecException(where + ": unknown step; steps are linear:N, conv:N[kK], "
                            + "maxpool:S, layernorm, dropout:P, relu, gelu, tanh, sigmoid");
            };
            out.add(s);
            flow = s.out();
        }
        return out;
    }

    private static int whole(String where, String arg, String example) {
        try {
            int n = Integer.parseInt(String.valueOf(arg).trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new SpecException(where + ": give a positive whole number, e.g. " + example);
    }

    private static void noArgument(String where, String arg) {
        if (arg != null) {
            throw new SpecException(where + ": this step takes no number");
        }
    }

    private List<Step> plan() {
        return plan(inputs, shape, steps);
    }

    /** The values per example the classifier reads: the last step's output, flattened. */
    public long featureWidth() {
        List<Step> p = plan();
        return p.isEmpty() ? inputs : p.get(p.size() - 1).out().values();
    }

    /** Layers (linear and convolution steps) and the widest of them (values, or channels). */
    int[] depthAndWidth() {
        int depth = 0;
        int width = 0;
        for (Step s : plan()) {
            if (s.kind().equals("linear") || s.kind().equals("conv")) {
                depth++;
                width = Math.max(width, s.size());
            }
        }
        return new int[] {depth, width};
    }

    @Override
    public long parameterCount() {
        long n = 0;
        for (Step s : plan()) {
            n += switch (s.kind()) {
                case "linear" -> (long) s.in().values() * s.size() + s.size();
                case "conv" -> (long) s.kernel() * s.kernel() * s.in().c() * s.size() + s.size();
                case "layernorm" -> 2L * s.size();
                default -> 0L;
            };
        }
        return n + featureWidth() * outputs + outputs;
    }

    @Override
    public Model compose(Classifier.Factory heads) {
        List<Step> plan = plan();
        List<Module> modules = new ArrayList<>();
        Activation last = Activation.RELU;
        for (int i = 0; i < plan.size(); i++) {
            Step s = plan.get(i);
            Activation next = following(plan, i);
            switch (s.kind()) {
                case "linear" -> {
                    long in = s.in().values();
                    Init init = next == null ? Init.xavier(in, s.size()) : Init.fan(in, s.size(), next);
                    modules.add(new Linear(in, s.size(), init, 1, s.size()));
                }
                case "conv" ->
                    modules.add(new Conv2d(s.in().c(), s.size(), s.kernel(), next == null ? Activation.TANH : next));
                case "maxpool" -> modules.add(new MaxPool2d(s.size()));
                case "layernorm" -> modules.add(new LayerNorm(s.size()));
                case "dropout" -> modules.add(new Dropout(s.in().values(), s.rate()));
                default -> {
                    last = Activation.of(s.kind());
                    modules.add(new Nonlinearity(last));
                }
            }
        }
        int[] image = shape == null ? null : new int[] {shape.channels(), shape.height(), shape.width()};
        return new StackModel(inputs, image, modules, featureWidth(), outputs, last, heads);
    }

    /** The activation that follows step {@code i} before the next layer opens, or null: it scales the layer's initial weights. */
    private static Activation following(List<Step> plan, int i) {
        for (int j = i + 1; j < plan.size(); j++) {
            String k = plan.get(j).kind();
            if (k.equals("linear") || k.equals("conv")) {
                return null;
            }
            if (List.of("relu", "gelu", "tanh", "sigmoid").contains(k)) {
                return Activation.of(k);
            }
        }
        return null;
    }

    @Override
    public String describe() {
        return "stack " + (shape == null ? inputs : shape) + " > " + String.join(" > ", steps) + " > " + outputs;
    }

    @Override
    public String compact() {
        String s = "stack:" + String.join(">", steps);
        if (shape != null) s += ",shape=" + shape;
        else if (inputs != 784) s += ",inputs=" + inputs;
        if (outputs != 10) s += ",outputs=" + outputs;
        return s;
    }

    /** The compact form, so that {@code %distill {student} --from teacher} reads it back. */
    @Override
    public String toString() {
        return compact();
    }
}
