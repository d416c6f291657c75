package dev.distillery.kernel;

import dev.distillery.kernel.display.RecordingSink;
import java.util.List;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;

/** One in-process Distillery kernel for a test class, with display data recorded instead of sent. */
final class KernelHarness implements AutoCloseable {

    final DistilleryKernel kernel;
    final RecordingSink sink = new RecordingSink();

    KernelHarness() {
        this(null);
    }

    /** Beside the test's runs (or in a temporary folder): a test never writes the user's own history. */
    private static java.nio.file.Path historyFile(java.nio.file.Path runs) {
        try {
            return runs == null
                    ? java.nio.file.Files.createTempDirectory("distillery-history")
                            .resolve("history.jsonl")
                    : runs.resolveSibling(runs.getFileName() + "-history.jsonl");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    KernelHarness(java.nio.file.Path runs) {
        kernel = DistilleryKernel.builder()
                .extensionsEnabled(false)
                .runs(runs)
                .history(historyFile(runs))
                .build();
        kernel.onStartup();
        kernel.displayTo(sink);
    }

    /** Runs a cell as Jupyter would and returns its result's display data (null: no value). */
    DisplayData exec(String code) {
        return kernel.eval(code);
    }

    /** Runs a cell that must fail and returns the error as the notebook would show it. */
    List<String> error(String code) {
        try {
            kernel.eval(code);
        } catch (RuntimeException e) {
            return kernel.formatError(e).stream().map(KernelHarness::plain).toList();
        }
        throw new AssertionError("expected an error from: " + code);
    }

    static String text(DisplayData d) {
        return (String) d.getData(org.dflib.jjava.jupyter.kernel.display.mime.MIMEType.TEXT_PLAIN);
    }

    /** Without ANSI colour codes. */
    static String plain(String s) {
        return s.replaceAll("\u001B\\[[;\\d]*m", "");
    }

    @Override
    public void close() {
        kernel.onShutdown(false);
    }
}
