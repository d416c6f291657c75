package dev.distillery.teacher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The tests' Python scripts ({@code src/test/python}), run by Debian's python3 to write the models they load. */
final class PythonScripts {

    private PythonScripts() {}

    /** Runs {@code script} with {@code dir} as its one argument; it must succeed within {@code minutes}. */
    static void run(String script, Path dir, int minutes) throws Exception {
        Process p = new ProcessBuilder(
                        "/usr/bin/python3", Path.of("src/test/python", script).toString(), dir.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(minutes, TimeUnit.MINUTES), script + " still running: " + out);
        assertEquals(0, p.exitValue(), script + " failed: " + out);
    }
}
