package dev.distillery.registry;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The known things of one kind (logit losses, feature terms, projections, data sets, pretrained
 * teachers), each with a name, a one-line description and its parameters. Help texts, the
 * "unknown name" errors and the README's lists are all generated from here, so registering an
 * entry makes it appear in every one of them.
 */
public final class Registry<T> {

    /** A setting an entry takes: its name, what it does, and its default (null: none). */
    public record Param(String name, String description, String defaultValue) {}

    /** One known thing: {@code name}, other names it answers to, a one-line description, parameters, the value. */
    public record Entry<T>(String name, List<String> aliases, String description, List<Param> params, T value) {
        public Entry {
            aliases = List.copyOf(aliases);
            params = List.copyOf(params);
        }

        /** {@code name(p1, p2)}, or the bare name without parameters. */
        public String signature() {
            return params.isEmpty()
                    ? name
                    : name + "("
                            + String.join(", ", params.stream().map(Param::name).toList()) + ")";
        }
    }

    /** Thrown for a name no entry has; its message lists the known names. */
    public static final class UnknownNameException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        public UnknownNameException(String message) {
            super(message);
        }
    }

    private final String kind;
    private final Map<String, Entry<T>> entries = new LinkedHashMap<>();

    /** A registry of {@code kind}s, e.g. {@code feature loss}: the word its errors and help use. */
    public Registry(String kind) {
        this.kind = kind;
    }

    public String kind() {
        return kind;
    }

    /** Adds an entry without parameters. */
    public Registry<T> register(String name, String description, T value) {
        return register(new Entry<>(name, List.of(), description, List.of(), value));
    }

    /** Adds {@code e}; a name already taken (or an alias of another entry) is refused. */
    public synchronized Registry<T> register(Entry<T> e) {
        List<String> names = new ArrayList<>(e.aliases());
        names.add(0, e.name());
        for (String n : names) {
            Entry<T> other = find(n);
            if (other != null) {
                throw new IllegalArgumentException(
                        kind + " '" + n + "' is already registered (" + other.description() + ")");
            }
        }
        entries.put(key(e.name()), e);
        return this;
    }

    /** Adds {@code e}, replacing an entry of the same name (a user's own version of a built-in, say). */
    public synchronized Registry<T> replace(Entry<T> e) {
        entries.remove(key(e.name()));
        return register(e);
    }

    /** The entry called {@code name} (or one of its aliases), any case; an {@link UnknownNameException} otherwise. */
    public synchronized Entry<T> entry(String name) {
        Entry<T> e = find(name);
        if (e == null) {
            throw new UnknownNameException("unknown " + kind + " '" + name + "'; known: " + String.join(", ", names()));
        }
        return e;
    }

    public T get(String name) {
        return entry(name).value();
    }

    public synchronized boolean contains(String name) {
        return find(name) != null;
    }

    private Entry<T> find(String name) {
        Entry<T> e = entries.get(key(name));
        if (e != null) {
            return e;
        }
        for (Entry<T> c : entries.values()) {
            if (c.aliases().stream().anyMatch(a -> key(a).equals(key(name)))) {
                return c;
            }
        }
        return null;
    }

    private static String key(String name) {
        return name.trim().toLowerCase(Locale.ROOT);
    }

    /** The names in registration order. */
    public synchronized List<String> names() {
        return entries.values().stream().map(Entry::name).toList();
    }

    public synchronized List<Entry<T>> entries() {
        return Collections.unmodifiableList(new ArrayList<>(entries.values()));
    }

    /** Plain-text lines for a help screen: a heading, then each entry with its parameters and description. */
    public synchronized List<String> helpLines(String heading) {
        List<String> out = new ArrayList<>();
        out.add(heading);
        int width = entries.values().stream()
                .mapToInt(e -> e.signature().length())
                .max()
                .orElse(0);
        for (Entry<T> e : entries.values()) {
            out.add("  " + pad(e.signature(), width) + "  " + e.description());
            for (Param p : e.params()) {
                out.add("  " + pad("", width) + "    " + p.name() + ": " + p.description()
                        + (p.defaultValue() == null ? "" : " (default " + p.defaultValue() + ")"));
            }
        }
        return out;
    }

    /** A Markdown list for the README: each entry's name, parameters and description. */
    public synchronized String markdown() {
        StringBuilder sb = new StringBuilder();
        for (Entry<T> e : entries.values()) {
            sb.append("- `").append(e.name()).append('`');
            if (!e.params().isEmpty()) {
                sb.append(" (")
                        .append(String.join(
                                ", ",
                                e.params().stream()
                                        .map(p -> "`" + p.name() + "`"
                                                + (p.defaultValue() == null ? "" : " = " + p.defaultValue()))
                                        .toList()))
                        .append(')');
            }
            sb.append(": ").append(e.description()).append('\n');
        }
        return sb.toString();
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(Math.max(0, width - s.length()));
    }
}
