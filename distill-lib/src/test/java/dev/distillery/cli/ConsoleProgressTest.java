package dev.distillery.cli;

import static org.junit.jupiter.api.Assertions.*;

import dev.distillery.train.Progress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The terminal's bar counts the runs of the job, and its ETA covers the runs still to come. */
class ConsoleProgressTest {

    @Test
    void theBarAndEtaCoverEveryRunOfTheJob() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ConsoleProgress console = new ConsoleProgress(new PrintStream(out, true, StandardCharsets.UTF_8), true);
        console.onRunStart(1, 3);
        // the last step of the first run: its own ETA is 0, two more runs are to come
        console.onStep(new Progress("tiny · scratch · seed 1", 3, 3, 10, 10, 0.4, 0.8, 2.0, 0.0));
        String shown = out.toString(StandardCharsets.UTF_8);
        assertTrue(shown.contains("] run 1/3 · tiny · scratch · seed 1 · epoch 3/3"), shown);
        assertFalse(shown.contains("eta 0s"), "two runs are still to come: " + shown);
        // a third of the job is done: 8 of the bar's 24 marks
        assertTrue(shown.contains("[########................]"), shown);
    }
}
