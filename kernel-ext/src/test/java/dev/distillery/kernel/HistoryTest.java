package dev.distillery.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.dflib.jjava.jupyter.kernel.history.HistoryEntry;
import org.dflib.jjava.jupyter.kernel.history.HistoryManager.ResultFlag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cell history: kept in a file across kernel starts, answering tail, range and search as IPython does. */
class HistoryTest {

    @TempDir
    Path dir;

    static final Set<ResultFlag> NONE = EnumSet.noneOf(ResultFlag.class);

    @Test
    void cellsOfAnEarlierKernelAreFoundAfterARestart() {
        Path file = dir.resolve("jupyter").resolve(History.FILE);
        History first = History.open(file);
        first.record(1, "int x = 6;", null);
        first.record(2, "x * 7", "42");
        History second = History.open(file); // the kernel restarted
        assertEquals(first.session() + 1, second.session());
        second.record(1, "%runs --summary", "(a table)");

        List<HistoryEntry> tail = second.lookupTail(3, EnumSet.of(ResultFlag.INCLUDE_OUTPUT));
        assertEquals(List.of("int x = 6;", "x * 7", "%runs --summary"), inputs(tail));
        assertEquals(first.session(), tail.get(1).getSession());
        assertEquals(2, tail.get(1).getCellNumber());
        assertEquals("42", tail.get(1).getOutput());
        assertNull(second.lookupTail(1, NONE).get(0).getOutput(), "outputs only when asked for");

        assertEquals(List.of("x * 7"), inputs(second.lookupRange(first.session(), 2, 3, NONE)));
        assertEquals(
                List.of("int x = 6;", "x * 7"), inputs(second.lookupRange(-1, 1, 0, NONE)), "-1: the session before");
        assertEquals(List.of("%runs --summary"), inputs(second.lookupRange(0, 1, 0, NONE)), "0: this session");
        assertEquals(
                List.of("int x = 6;", "x * 7", "%runs --summary"),
                inputs(History.open(file).lookupTail(10, NONE)));
    }

    @Test
    void searchMatchesGlobsKeepsTheNewestAndCanBeUnique() {
        History h = History.open(dir.resolve("h.jsonl"));
        for (int i = 1; i <= 4; i++) {
            h.record(2 * i - 1, "6 * 7", "42");
            h.record(2 * i, "%distill mlp:" + i + " --from cnn", null);
        }
        assertEquals(4, h.search("6 * 7", 0, NONE).size(), "* is a wildcard, so the literal cell matches");
        assertEquals(
                List.of("%distill mlp:3 --from cnn", "%distill mlp:4 --from cnn"),
                inputs(h.search("%distill*", 2, NONE)));
        assertEquals(1, h.search("6 * 7", 0, EnumSet.of(ResultFlag.UNIQUE)).size());
        assertEquals(
                List.of("%distill mlp:2 --from cnn"),
                inputs(h.search("%distill mlp:? --from cnn", 3, NONE).subList(0, 1)));
        assertEquals(0, h.search("mlp", 0, NONE).size(), "the pattern matches whole inputs, as IPython's GLOB");
        assertEquals(8, h.search("", 0, NONE).size(), "an empty pattern is everything");
    }

    @Test
    void aTornLineIsSkippedAndTheFileKeepsTheNewestCells() throws Exception {
        Path file = dir.resolve("h.jsonl");
        History.open(file).record(1, "1 + 1", "2");
        Files.writeString(
                file,
                Files.readString(file) + "{\"session\":1,\"line\":2,\"inp",
                java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
        assertEquals(List.of("1 + 1"), inputs(History.open(file).lookupTail(5, NONE)), "a line cut short by a kill");
    }

    @Test
    void anUnwritableFileKeepsTheSessionsHistoryInMemory() throws Exception {
        Path blocker = dir.resolve("not-a-folder");
        Files.writeString(blocker, "x");
        History h = History.open(blocker.resolve(History.FILE));
        h.record(1, "2 + 2", "4");
        assertEquals(List.of("2 + 2"), inputs(h.lookupTail(1, NONE)));
    }

    private static List<String> inputs(List<HistoryEntry> entries) {
        return entries.stream().map(HistoryEntry::getInput).toList();
    }
}
