package dev.distillery.kernel.magics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.dflib.jjava.jupyter.kernel.magic.MagicsRegistry;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every magic in one place. Each entry's picocli declaration is read once and feeds
 * {@code %help}, completion, usage errors and the registration with the kernel.
 */
public final class MagicCatalog {

    public enum Kind {
        LINE,
        CELL
    }

    /** One declared magic: its name without the percent signs, kind, group, and how to make one. */
    public static final class Entry {
        private final String name;
        private final Kind kind;
        private final String group;
        private final Supplier<? extends Magic> factory;
        private final CommandSpec spec;
        private final Class<?> resultType;

        Entry(String name, Kind kind, String group, Supplier<? extends Magic> factory) {
            this.name = name;
            this.kind = kind;
            this.group = group;
            this.factory = factory;
            Magic sample = factory.get();
            this.spec = CommandSpec.forAnnotatedObject(sample);
            String declared = spec.name();
            String expected = (kind == Kind.CELL ? "%%" : "%") + name;
            if (!declared.equals(expected)) {
                throw new IllegalStateException(sample.getClass().getName() + " declares @Command(name = \"" + declared
                        + "\") but is registered as " + expected);
            }
            try {
                this.resultType =
                        sample.getClass().getMethod("run", String.class).getReturnType();
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException(e);
            }
        }

        public String name() {
            return name;
        }

        public Kind kind() {
            return kind;
        }

        public String group() {
            return group;
        }
        /** The type {@code run} declares: notebook code receives the magic's value as this type. */
        public Class<?> resultType() {
            return resultType;
        }

        /** How the magic is written, e.g. {@code %%distill}. */
        public String invocation() {
            return (kind == Kind.CELL ? "%%" : "%") + name;
        }

        /** The first line of the description. */
        public String description() {
            String[] d = spec.usageMessage().description();
            // descriptions are picocli format strings: a literal percent sign is written %%
            return d.length == 0 ? "" : d[0].replace("%%", "%");
        }

        /** The usage text: synopsis, description, every option, examples. */
        /** A fresh instance of the magic, as each call gets one. */
        Magic newMagic() {
            return factory.get();
        }

        public String usage() {
            Magic m = factory.get();
            CommandLine cl = new CommandLine(m);
            var usage = cl.getCommandSpec().usageMessage();
            List<String> footer = new ArrayList<>(Arrays.asList(usage.footer()));
            // picocli reads help texts as format strings
            m.knownNames().forEach(l -> footer.add(l.replace("%", "%%")));
            usage.footer(footer.toArray(String[]::new));
            // wide enough that no example is wrapped inside a command: a copied example must run
            usage.width(Math.max(
                    usage.width(),
                    footer.stream().mapToInt(String::length).max().orElse(0) + 2));
            return cl.getUsageMessage(CommandLine.Help.Ansi.OFF).stripTrailing();
        }

        /** The one-line synopsis, e.g. {@code %student NAME --spec SPEC}. */
        public String synopsis() {
            return new CommandLine(factory.get()).getHelp().synopsis(0).strip();
        }

        /** Every option name, long forms first. */
        public List<String> optionNames() {
            List<String> out = new ArrayList<>();
            for (OptionSpec o : spec.options()) {
                out.addAll(Arrays.asList(o.names()));
            }
            return out;
        }

        /** Values the option or positional at {@code optionName} (null: first positional) can take, if it lists them. */
        public List<String> candidates(String optionName) {
            List<String> out = new ArrayList<>();
            if (optionName == null) {
                spec.positionalParameters().stream()
                        .findFirst()
                        .flatMap(p -> java.util.Optional.ofNullable(p.completionCandidates()))
                        .ifPresent(c -> c.forEach(out::add));
            } else {
                OptionSpec o = spec.findOption(optionName);
                if (o != null && o.completionCandidates() != null) {
                    o.completionCandidates().forEach(out::add);
                }
            }
            return out;
        }

        /** Parses {@code args} into a fresh magic and runs it; a bad line becomes a {@link MagicUsageException}. */
        public Object eval(MagicContext context, List<String> args, String body) throws Exception {
            Magic m = factory.get().in(context);
            CommandLine cl = new CommandLine(m);
            cl.setCaseInsensitiveEnumValuesAllowed(true);
            cl.setUnmatchedOptionsArePositionalParams(false);
            try {
                cl.parseArgs(args.toArray(String[]::new));
            } catch (CommandLine.ParameterException e) {
                throw new MagicUsageException(invocation(), e.getMessage(), usage());
            }
            return m.run(body);
        }
    }

    private final Map<String, Entry> line = new LinkedHashMap<>();
    private final Map<String, Entry> cell = new LinkedHashMap<>();

    public MagicCatalog add(String name, Kind kind, String group, Supplier<? extends Magic> factory) {
        Entry e = new Entry(name, kind, group, factory);
        (kind == Kind.LINE ? line : cell).put(name, e);
        return this;
    }

    /** The magics every Distillery kernel and the JJava extension have. */
    public static MagicCatalog distillation() {
        return new MagicCatalog()
                .add("teacher", Kind.LINE, "distillation", TeacherMagic::new)
                .add("student", Kind.LINE, "distillation", StudentMagic::new)
                .add("distill", Kind.LINE, "distillation", DistillMagic::new)
                .add("distill", Kind.CELL, "distillation", DistillCellMagic::new)
                .add("sweep", Kind.LINE, "distillation", SweepMagic::new)
                .add("ensemble", Kind.LINE, "distillation", EnsembleMagic::new)
                .add("chain", Kind.LINE, "distillation", ChainMagic::new)
                .add("runs", Kind.LINE, "distillation", RunsMagic::new)
                .add("dataset", Kind.LINE, "distillation", DatasetMagic::new)
                .add("data", Kind.LINE, "distillation", DataMagic::new)
                .add("export", Kind.LINE, "distillation", ExportMagic::new)
                .add("plot", Kind.LINE, "distillation", PlotMagic::new)
                .add("help", Kind.LINE, "help", HelpMagic::new)
                .add("lsmagic", Kind.LINE, "help", LsmagicMagic::new);
    }

    /** Everything above plus the magics that need Distillery's own JShell: class path, Maven, load, traceback. */
    public static MagicCatalog kernel() {
        return distillation()
                .add("classpath", Kind.LINE, "kernel", ClasspathMagic::new)
                .add("jars", Kind.LINE, "kernel", JarsMagic::new)
                .add("maven", Kind.LINE, "kernel", MavenMagic::new)
                .add("load", Kind.LINE, "kernel", LoadMagic::new)
                .add("tb", Kind.LINE, "help", TracebackMagic::new);
    }

    public Entry line(String name) {
        return line.get(name);
    }

    public Entry cell(String name) {
        return cell.get(name);
    }

    public Collection<Entry> all() {
        List<Entry> out = new ArrayList<>(line.values());
        out.addAll(cell.values());
        return out;
    }

    /** Registers every entry with a jjava kernel's magic registry, bound to {@code context}. */
    public void registerWith(MagicsRegistry registry, MagicContext context) {
        for (Entry e : line.values()) {
            registry.registerLineMagic(e.name(), (k, args) -> e.eval(context, args, null));
        }
        for (Entry e : cell.values()) {
            registry.registerCellMagic(e.name(), (k, args, body) -> e.eval(context, args, body));
        }
    }
}
