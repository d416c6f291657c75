package dev.distillery.kernel.magics;

import dev.distillery.kernel.Workbench;
import dev.distillery.kernel.display.DisplaySink;
import dev.distillery.kernel.display.LiveProgress;
import org.dflib.jjava.jupyter.kernel.BaseKernel;

/**
 * What a magic may reach: the kernel (display), the notebook's workbench (named teachers,
 * students, runs), the catalog (for help), and the code runner when the kernel is Distillery's
 * own (null inside a stock JJava kernel).
 */
public record MagicContext(BaseKernel kernel, DisplaySink sink, Workbench workbench, MagicCatalog catalog, Code code) {

    /** The Java evaluation behind the kernel, for magics that load code or extend the class path. */
    public interface Code {
        Object eval(String source);

        void addToClasspath(String path);

        /** Every class path entry snippets compile and run against. */
        java.util.List<String> classpath();

        /** The last error a cell raised, or null. */
        Throwable lastError();
    }

    /** A fresh live progress area in the running cell's output. */
    public LiveProgress progress(String title) {
        return new LiveProgress(sink, title);
    }

    Code requireCode(String magic) {
        if (code == null) {
            throw new IllegalStateException(magic
                    + " needs the Distillery kernel's own JShell; this kernel provides its own " + "class path magics");
        }
        return code;
    }
}
