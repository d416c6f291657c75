package dev.distillery.kernel;

import dev.distillery.kernel.magics.MagicUsageException;
import dev.distillery.train.TrainingDivergedException;
import dev.distillery.train.TrainingInterruptedException;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;
import org.dflib.jjava.jupyter.kernel.magic.UndefinedMagicException;
import org.dflib.jjava.jupyter.kernel.util.StringStyler;

/** How a failed cell reads: the error in the user's terms, without the wrappers JShell and reflection add. */
final class ErrorLines {

    private ErrorLines() {}

    /**
     * The first line says what went wrong in the user's terms; a magic's usage follows its error;
     * the stack trace is left to {@code %tb}.
     */
    static List<String> format(Throwable e, StringStyler errorStyler) {
        Throwable t = unwrap(e);
        List<String> lines = new ArrayList<>();
        if (t instanceof MagicUsageException u) {
            lines.add(errorStyler.primary(u.getMessage()));
            lines.add("");
            lines.addAll(u.usage().lines().toList());
        } else if (t instanceof JShellSession.CompileException || t instanceof JShellSession.IncompleteException) {
            List<String> msg = t.getMessage().lines().toList();
            lines.add(errorStyler.primary("compile error: " + (msg.isEmpty() ? "" : msg.get(0))));
            lines.addAll(msg.subList(Math.min(1, msg.size()), msg.size()));
        } else if (t instanceof UndefinedMagicException u) {
            lines.add(errorStyler.primary("unknown " + (u.isLineMagic() ? "line" : "cell") + " magic '"
                    + (u.isLineMagic() ? "%" : "%%") + u.getMagicName() + "'; %lsmagic lists the magics"));
        } else if (t instanceof TrainingInterruptedException) {
            lines.add(errorStyler.primary("interrupted: " + t.getMessage()));
            lines.add("The run is recorded with status 'interrupted' and the epochs it finished; the kernel is ready.");
        } else if (t instanceof TrainingDivergedException) {
            lines.add(errorStyler.primary("training diverged: " + t.getMessage()));
        } else {
            String msg = t.getMessage() == null ? "" : t.getMessage();
            lines.add(errorStyler.primary(name(t) + (msg.isEmpty() ? "" : ": " + msg)));
            for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
                if (c.getMessage() != null && !msg.contains(c.getMessage())) {
                    lines.add("  caused by " + name(c) + ": " + c.getMessage());
                }
            }
            lines.add(errorStyler.secondary("%tb shows the full stack trace"));
        }
        return lines;
    }

    private static String name(Throwable t) {
        return t.getClass().getSimpleName();
    }

    /** The user's own exception inside JShell's, the kernel's and reflection's wrappers. */
    static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof JShellSession.SnippetException
                        || t instanceof DistilleryKernel.KernelError
                        || t instanceof InvocationTargetException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
