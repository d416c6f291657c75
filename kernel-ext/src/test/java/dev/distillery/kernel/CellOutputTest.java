package dev.distillery.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a cell prints reaches the notebook whole, in few messages, or in a file when it is too long. */
class CellOutputTest {

    record Message(String stream, String text) {}

    static List<Message> run(CellOutput o, Runnable cell) {
        List<Message> sent = new ArrayList<>();
        o.begin((name, text) -> sent.add(new Message(name, text)));
        Thread t = new Thread(cell);
        t.start();
        while (t.isAlive()) {
            o.pump(CellOutput.FLUSH_MILLIS);
        }
        o.end();
        return sent;
    }

    static String text(List<Message> sent, String stream) {
        StringBuilder s = new StringBuilder();
        sent.stream().filter(m -> m.stream().equals(stream)).forEach(m -> s.append(m.text()));
        return s.toString();
    }

    @Test
    void twentyThousandLinesArriveWholeInBatches(@TempDir Path dir) {
        CellOutput o = new CellOutput(dir);
        long t0 = System.nanoTime();
        List<Message> sent = run(o, () -> {
            for (int i = 0; i < 20000; i++) {
                o.out().println("x".repeat(99));
            }
            o.err().println("done");
        });
        double millis = (System.nanoTime() - t0) / 1e6;
        String out = text(sent, "stdout");
        assertEquals(20000 * 100, out.length(), "every character");
        assertEquals("x".repeat(99) + "\n", out.substring(0, 100));
        assertEquals("done\n", text(sent, "stderr"));
        // at most one message per interval, plus one per full batch, plus the last of each stream
        long bound = (long) (millis / CellOutput.FLUSH_MILLIS) + 2_000_000 / CellOutput.BATCH_BYTES + 4;
        assertTrue(
                sent.size() <= bound,
                "batched: " + sent.size() + " messages for 20,000 lines in " + millis + " ms (at most " + bound + ")");
        assertTrue(
                sent.stream().allMatch(m -> m.text().length() <= CellOutput.BATCH_BYTES + 100), "batches are bounded");
    }

    @Test
    void aStreamTooLongForTheNotebookKeepsHeadAndTailAndIsWrittenWhole(@TempDir Path dir) throws Exception {
        CellOutput o = new CellOutput(dir);
        int lines = 8 * 1024; // 8 MB of 1 KB lines
        List<Message> sent = run(o, () -> {
            for (int i = 0; i < lines; i++) {
                o.out().println(String.format("%06d", i) + "y".repeat(1017));
            }
        });
        String shown = text(sent, "stdout");
        assertTrue(shown.startsWith("000000y"), "the head");
        assertTrue(shown.endsWith(String.format("%06d", lines - 1) + "y".repeat(1017) + "\n"), "the tail");
        Matcher m = Pattern.compile("whole stream is written to (\\S+)]").matcher(shown);
        assertTrue(
                m.find(),
                "says where the whole stream is: "
                        + shown.substring(CellOutput.HEAD_BYTES - 10, CellOutput.HEAD_BYTES + 300));
        assertTrue(shown.contains("left out here of 8.0 MB printed to stdout"), "says how much was left out");
        Path file = Path.of(m.group(1));
        assertEquals((long) lines * 1024, Files.size(file), "the file holds every byte");
        assertTrue(shown.length() < CellOutput.HEAD_BYTES + CellOutput.TAIL_BYTES + 1000, "the notebook gets 5 MB");
        // the next cell starts afresh
        List<Message> next = run(o, () -> o.out().print("small"));
        assertEquals("small", text(next, "stdout"));
    }

    @Test
    void aCharacterSplitBetweenBatchesIsDecodedWhole() {
        CellOutput.Utf8 d = new CellOutput.Utf8();
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8);
        assertEquals("a", d.decode(new byte[] {'a', euro[0]}));
        assertEquals("€b", d.decode(new byte[] {euro[1], euro[2], 'b'}));
    }

    @Test
    void whatBackgroundThreadsPrintBetweenCellsIsShownInTheNextCell(@TempDir Path dir) {
        CellOutput o = new CellOutput(dir);
        o.err().println("from the background");
        List<Message> sent = run(o, () -> o.out().println("the cell"));
        assertEquals("from the background\n", text(sent, "stderr"));
        assertEquals("the cell\n", text(sent, "stdout"));
    }
}
