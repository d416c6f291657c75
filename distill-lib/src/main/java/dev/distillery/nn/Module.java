package dev.distillery.nn;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A piece of a model that owns its parameters and the sub-modules it is made of, in the order it
 * declares them: that order is the order parameters are initialised in, and a parameter's name is
 * its path from the root ({@code blocks.0.attn.q.weight}). Each module's structure stays
 * inspectable: {@link #type()}, {@link #settings()} (its hyper-parameters), {@link #children()} and
 * {@link #ownParameters()}; {@link #tree()} prints it all.
 */
public abstract class Module {

    private final Map<String, Object> entries = new LinkedHashMap<>();

    /** Declares a parameter of this module, initialised by {@code init}. */
    protected final Parameter parameter(String name, Init init, long... shape) {
        Parameter p = new Parameter(init, shape);
        put(name, p);
        return p;
    }

    /** Declares a sub-module; its parameters are named {@code name.<its names>}. */
    protected final <M extends Module> M child(String name, M module) {
        put(name, module);
        return module;
    }

    private void put(String name, Object entry) {
        if (name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException(
                    "'" + name + "' cannot name a part of a module: names are non-empty, without dots");
        }
        if (entries.putIfAbsent(name, entry) != null) {
            throw new IllegalArgumentException(type() + " already has a part named '" + name + "'");
        }
    }

    /** The kind of module, e.g. {@code Linear}. */
    public String type() {
        return getClass().getSimpleName();
    }

    /** The hyper-parameters that shape this module, by name. */
    public Map<String, Object> settings() {
        return Map.of();
    }

    /** This module's sub-modules by name, in declaration order. */
    public Map<String, Module> children() {
        Map<String, Module> m = new LinkedHashMap<>();
        entries.forEach((k, v) -> {
            if (v instanceof Module c) {
                m.put(k, c);
            }
        });
        return Collections.unmodifiableMap(m);
    }

    /** The parameters this module declares itself (not its children's), by name. */
    public Map<String, Parameter> ownParameters() {
        Map<String, Parameter> m = new LinkedHashMap<>();
        entries.forEach((k, v) -> {
            if (v instanceof Parameter p) {
                m.put(k, p);
            }
        });
        return Collections.unmodifiableMap(m);
    }

    /** Every parameter of this module and its sub-modules by path, in declaration (initialisation) order. */
    public Map<String, Parameter> parameters() {
        Map<String, Parameter> m = new LinkedHashMap<>();
        walk("", (path, p) -> m.put(path, p));
        return Collections.unmodifiableMap(m);
    }

    private void walk(String prefix, BiConsumer<String, Parameter> visit) {
        entries.forEach((k, v) -> {
            if (v instanceof Parameter p) {
                visit.accept(prefix + k, p);
            } else {
                ((Module) v).walk(prefix + k + ".", visit);
            }
        });
    }

    /** Every module in this tree, this one first, depth first in declaration order. */
    public java.util.List<Module> modules() {
        java.util.List<Module> all = new java.util.ArrayList<>();
        all.add(this);
        children().values().forEach(c -> all.addAll(c.modules()));
        return all;
    }

    public long parameterCount() {
        return parameters().values().stream().mapToLong(Parameter::size).sum();
    }

    /** The module as an indented tree: each part with its settings, each parameter with its shape and initialisation. */
    public String tree() {
        StringBuilder sb = new StringBuilder(toString()).append('\n');
        tree(sb, "  ");
        return sb.toString();
    }

    private void tree(StringBuilder sb, String indent) {
        entries.forEach((k, v) -> {
            sb.append(indent).append(k).append(": ").append(v).append('\n');
            if (v instanceof Module c) {
                c.tree(sb, indent + "  ");
            }
        });
    }

    /** Settings in the order given: {@code ordered("in", 784, "out", 32)}. */
    protected static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return Collections.unmodifiableMap(m);
    }

    @Override
    public String toString() {
        Map<String, Object> s = settings();
        if (s.isEmpty()) {
            return type();
        }
        StringBuilder sb = new StringBuilder(type()).append('(');
        s.forEach((k, v) -> sb.append(sb.charAt(sb.length() - 1) == '(' ? "" : ", ")
                .append(k)
                .append('=')
                .append(v instanceof long[] a ? java.util.Arrays.toString(a) : v));
        return sb.append(')').toString();
    }
}
