package dev.distillery.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillery.experiment.RunRecord;
import dev.distillery.experiment.RunStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./distillery runs} over a store with one truncated record: the others shown, that one named. */
class RunsCommandTest {

    @Test
    void aTruncatedRecordIsNamedAndTheOtherRunsAreListed(@TempDir Path dir) throws Exception {
        RunStore store = new RunStore(dir);
        Path broken = null;
        for (int i = 0; i < 3; i++) {
            try (RunStore.Claim c = store.create("exp", "s", "kd", i)) {
                Path f = store.write(RunRecord.builder(c.id(), "exp")
                        .student("s", "mlp:8")
                        .recipe("kd", "hinton")
                        .build());
                broken = i == 1 ? f : broken;
            }
        }
        byte[] whole = Files.readAllBytes(broken);
        Files.write(broken, Arrays.copyOf(whole, whole.length / 2));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = System.out;
        PrintStream e = System.err;
        int code;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            code = Main.commandLine().execute("runs", "--runs", dir.toString());
        } finally {
            System.setOut(o);
            System.setErr(e);
        }
        String table = out.toString(StandardCharsets.UTF_8);
        String errors = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, errors);
        assertEquals(2, table.lines().filter(line -> line.contains("completed")).count(), table);
        assertTrue(errors.contains("corrupt record " + broken), errors);
    }
}
