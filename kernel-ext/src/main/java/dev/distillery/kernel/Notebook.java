package dev.distillery.kernel;

import dev.distillery.experiment.Experiment;
import dev.distillery.kernel.magics.MagicContext;
import dev.distillery.model.ModelSpec;
import dev.distillery.teacher.Teacher;
import java.util.List;
import java.util.UUID;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;

/**
 * What notebook code reaches without an import (the kernel imports these statically): display,
 * the workbench of named teachers and students, and the calls magics compile to.
 */
public final class Notebook {

    private static volatile MagicContext context;

    private Notebook() {}

    static void install(MagicContext c) {
        context = c;
    }

    static void uninstall(MagicContext c) {
        if (context == c) {
            context = null;
        }
    }

    static MagicContext context() {
        MagicContext c = context;
        if (c == null) {
            throw new IllegalStateException("no Distillery kernel is running in this JVM");
        }
        return c;
    }

    /** The notebook's named teachers and students, the run store and the last experiment. */
    public static Workbench workbench() {
        return context().workbench();
    }

    /** The teacher kept under {@code name} by %teacher or %%distill. */
    public static Teacher teacher(String name) {
        return workbench().teacher(name).teacher();
    }

    /** The student declared under {@code name} by %student. */
    public static ModelSpec student(String name) {
        ModelSpec s = workbench().student(name);
        if (s == null) {
            throw new IllegalArgumentException(
                    "no student named '" + name + "'; known: " + workbench().studentNames());
        }
        return s;
    }

    /**
     * A live progress area in the running cell's output, for library calls made from notebook code:
     * pass it as a training listener, and its {@code message} as a log.
     */
    public static dev.distillery.kernel.display.LiveProgress progress(String title) {
        return context().progress(title);
    }

    /** The last experiment a magic ran, or null. */
    public static Experiment.Outcome lastExperiment() {
        return workbench().last();
    }

    /** Renders {@code o} in the cell's output now; returns the display id for {@link #updateDisplay}. */
    public static String display(Object o) {
        BaseKernel k = context().kernel();
        DisplayData d = k.getRenderer().render(o);
        String id =
                d.getDisplayId() != null ? d.getDisplayId() : UUID.randomUUID().toString();
        d.setDisplayId(id);
        k.display(d);
        return id;
    }

    /** Clears this cell's output so far (what it printed and displayed), as IPython's {@code clear_output()}. */
    public static void clearOutput() {
        clearOutput(false);
    }

    /**
     * Clears this cell's output; with {@code wait}, only when the next output arrives, so that a
     * redrawn figure or line replaces the old one without flicker.
     */
    public static void clearOutput(boolean wait) {
        context().sink().clearOutput(wait);
    }

    /** Replaces the output shown under {@code id} with {@code o}. */
    public static void updateDisplay(String id, Object o) {
        MagicContext c = context();
        c.sink().update(id, c.kernel().getRenderer().render(o));
    }

    /** {@code o} rendered as the kernel would show it. */
    public static DisplayData render(Object o) {
        return context().kernel().getRenderer().render(o);
    }

    /** What {@code %name args} compiles to. */
    public static Object line(String name, List<String> args) {
        BaseKernel k = context().kernel();
        try {
            return k.getMagicsRegistry().evalLineMagic(k, name, args);
        } catch (Exception e) {
            throw Notebook.<RuntimeException>rethrow(e);
        }
    }

    /** What a {@code %%name args} cell compiles to. */
    public static Object cell(String name, List<String> args, String body) {
        BaseKernel k = context().kernel();
        try {
            return k.getMagicsRegistry().evalCellMagic(k, name, args, body);
        } catch (Exception e) {
            throw Notebook.<RuntimeException>rethrow(e);
        }
    }

    /** Lets a magic's checked exception reach the kernel unchanged, so its message is what the user sees. */
    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E rethrow(Throwable t) throws E {
        throw (E) t;
    }
}
