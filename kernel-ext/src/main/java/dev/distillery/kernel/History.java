package dev.distillery.kernel;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.dflib.jjava.jupyter.kernel.history.HistoryEntry;
import org.dflib.jjava.jupyter.kernel.history.HistoryManager;

/**
 * The cells a user ran, kept across kernel restarts in one small file (JSON lines, {@value #FILE}
 * under the user's Jupyter data directory), answering Jupyter's {@code history_request}: the last
 * {@code n} cells, a range of one session, or a glob search ({@code *}, {@code ?}) as IPython's. Each
 * kernel start is a new session, numbered after the last one in the file; several kernels may share
 * the file (appends are locked). The file keeps the newest {@value #KEEP} cells.
 */
public final class History implements HistoryManager {

    static final String FILE = "distillery/history.jsonl";

    static final int KEEP = 10_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One line of the file: a cell, or (input null) the start of a session. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Line(int session, Integer line, String input, String output) {}

    private final Path file;
    private final List<Line> cells = new ArrayList<>();
    private final int session;
    /** Whether cells still go to the file: the first failure to write says why and keeps the rest in memory. */
    private volatile boolean persistent = true;

    private History(Path file) {
        this.file = file;
        int s;
        try {
            s = start();
        } catch (UncheckedIOException e) {
            stopPersisting(e);
            s = 1;
        }
        this.session = s;
    }

    private int start() {
        return locked(() -> {
            List<Line> all = read(file);
            if (all.size() > KEEP + KEEP / 10) {
                all = new ArrayList<>(all.subList(all.size() - KEEP, all.size()));
                rewrite(all);
            }
            int last = all.stream().mapToInt(Line::session).max().orElse(0);
            all.stream().filter(l -> l.input() != null).forEach(cells::add);
            append(new Line(last + 1, null, null, null));
            return last + 1;
        });
    }

    /** The history in {@code file} (created when missing), as a new session. */
    public static History open(Path file) {
        return new History(file);
    }

    /** The user's: {@code $JUPYTER_DATA_DIR/}{@value #FILE}, else {@code ~/.local/share/jupyter/}{@value #FILE}. */
    public static Path defaultFile() {
        String env = System.getenv("JUPYTER_DATA_DIR");
        Path data = env != null && !env.isBlank()
                ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".local", "share", "jupyter");
        return data.resolve(FILE);
    }

    /** This kernel's session number. */
    public int session() {
        return session;
    }

    /** Keeps cell {@code line} of this session: what was typed, and the text of its result (or null). */
    public void record(int line, String input, String output) {
        Line l = new Line(session, line, input, output);
        synchronized (this) {
            cells.add(l);
        }
        if (!persistent) {
            return;
        }
        try {
            locked(() -> {
                append(l);
                return null;
            });
        } catch (UncheckedIOException e) {
            stopPersisting(e);
        }
    }

    private void stopPersisting(UncheckedIOException e) {
        persistent = false;
        System.err.println(e.getMessage() + "; this session's history is kept in memory only");
    }

    @Override
    public synchronized List<HistoryEntry> lookupTail(int length, Set<ResultFlag> flags) {
        List<Line> picked = cells.subList(Math.max(0, cells.size() - Math.max(0, length)), cells.size());
        return entries(picked, flags);
    }

    /**
     * Cells {@code start} (inclusive) to {@code stop} (exclusive; 0 or less: to the end) of {@code
     * session}: a positive number is that session, 0 this one, a negative number counts back from it.
     */
    @Override
    public synchronized List<HistoryEntry> lookupRange(int session, int start, int stop, Set<ResultFlag> flags) {
        int wanted = session > 0 ? session : this.session + session;
        List<Line> picked = cells.stream()
                .filter(l -> l.session() == wanted && l.line() >= start && (stop <= 0 || l.line() < stop))
                .toList();
        return entries(picked, flags);
    }

    /**
     * The newest {@code length} cells (0 or less: all) whose input matches the glob {@code pattern}
     * as a whole; with {@link ResultFlag#UNIQUE}, each input once, at its latest.
     */
    @Override
    public synchronized List<HistoryEntry> search(String pattern, int length, Set<ResultFlag> flags) {
        Pattern glob = glob(pattern == null || pattern.isEmpty() ? "*" : pattern);
        Map<String, Line> matches = new LinkedHashMap<>();
        List<Line> all = new ArrayList<>();
        for (Line l : cells) {
            if (glob.matcher(l.input()).matches()) {
                if (flags.contains(ResultFlag.UNIQUE)) {
                    matches.remove(l.input());
                    matches.put(l.input(), l);
                } else {
                    all.add(l);
                }
            }
        }
        List<Line> found = flags.contains(ResultFlag.UNIQUE) ? new ArrayList<>(matches.values()) : all;
        if (length > 0 && found.size() > length) {
            found = found.subList(found.size() - length, found.size());
        }
        return entries(found, flags);
    }

    /** A glob as IPython's search reads it: {@code *} any text, {@code ?} one character, the rest literal. */
    static Pattern glob(String pattern) {
        StringBuilder re = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            switch (c) {
                case '*' -> re.append("[\\s\\S]*");
                case '?' -> re.append("[\\s\\S]");
                default -> re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }

    private static List<HistoryEntry> entries(List<Line> lines, Set<ResultFlag> flags) {
        boolean output = flags.contains(ResultFlag.INCLUDE_OUTPUT);
        return lines.stream()
                .map(l -> new HistoryEntry(l.session(), l.line(), l.input(), output ? l.output() : null))
                .toList();
    }

    private static List<Line> read(Path file) {
        List<Line> out = new ArrayList<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        try {
            for (String s : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                try {
                    out.add(JSON.readValue(s, Line.class));
                } catch (IOException e) {
                    // a line cut short by a killed kernel: the others still count
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the history in " + file + ": " + e.getMessage(), e);
        }
        return out;
    }

    private void append(Line l) {
        try {
            Files.writeString(
                    file,
                    JSON.writeValueAsString(l) + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the history in " + file + ": " + e.getMessage(), e);
        }
    }

    private void rewrite(List<Line> lines) {
        StringBuilder s = new StringBuilder();
        try {
            for (Line l : lines) {
                s.append(JSON.writeValueAsString(l)).append('\n');
            }
            Files.writeString(file, s, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the history in " + file + ": " + e.getMessage(), e);
        }
    }

    /** {@code body} while holding an OS lock on a file beside the history: kernels take turns. */
    @SuppressWarnings("try") // the lock is held for the body's scope
    private <T> T locked(java.util.function.Supplier<T> body) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (FileChannel ch = FileChannel.open(
                            file.resolveSibling(file.getFileName() + ".lock"),
                            StandardOpenOption.CREATE,
                            StandardOpenOption.WRITE);
                    FileLock lock = ch.lock()) {
                return body.get();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the history in " + file + ": " + e.getMessage(), e);
        }
    }
}
