package dev.distillery.kernel;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything notebook code prints, from any thread, on its way to Jupyter: {@code System.out} and
 * {@code System.err} write into a queue, and the kernel's shell thread publishes it in batches (at
 * most every {@value #FLUSH_MILLIS} ms, at most {@value #BATCH_BYTES} bytes a message, as ipykernel
 * does), so that no message is dropped by the IOPub socket's high-water mark. Display requests from
 * other threads join the same queue, in order. Beyond {@value #HEAD_BYTES} bytes of a stream in one
 * cell the notebook shows no more until the cell ends; then it shows the last {@value #TAIL_BYTES}
 * bytes and a line saying how much was left out and which file holds the whole stream. Output from
 * background threads between cells (up to {@value #BETWEEN_BYTES} bytes) is shown in the next cell.
 */
final class CellOutput {

    static final long FLUSH_MILLIS = 50;
    static final int BATCH_BYTES = 64 * 1024;
    static final int HEAD_BYTES = 4 * 1024 * 1024;
    static final int TAIL_BYTES = 1024 * 1024;
    static final int BETWEEN_BYTES = 1024 * 1024;

    /** Where published text goes: one Jupyter stream message per call. */
    interface Target {
        void stream(String name, String text);
    }

    /** Text of one stream waiting to be published. */
    private static final class Chunk {
        final String stream;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        Chunk(String stream) {
            this.stream = stream;
        }
    }

    /** One stream's account in the running cell. */
    private final class StreamState {
        final String name;
        long bytes;
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        Path file;
        OutputStream fileOut;
        final Tail tail = new Tail(TAIL_BYTES);
        final Utf8 decoder = new Utf8();

        StreamState(String name) {
            this.name = name;
        }

        boolean overflowing() {
            return fileOut != null;
        }
    }

    private final Object lock = new Object();
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private final Map<String, StreamState> streams = new LinkedHashMap<>();
    private final Path overflowDir;
    private final PrintStream out;
    private final PrintStream err;
    private Target target;
    /** A batch is full or a display request waits: publish without waiting out the interval. */
    private boolean urgent;

    private long lastPublished = System.nanoTime();
    private long queuedBetween;
    private long droppedBetween;
    private int cells;

    /** {@code overflowDir}: where a stream too long for the notebook is written whole. */
    CellOutput(Path overflowDir) {
        this.overflowDir = overflowDir;
        this.out = new PrintStream(new Sink("stdout"), true, StandardCharsets.UTF_8);
        this.err = new PrintStream(new Sink("stderr"), true, StandardCharsets.UTF_8);
    }

    PrintStream out() {
        return out;
    }

    PrintStream err() {
        return err;
    }

    /** A cell starts: its output goes to {@code t}, after what background threads printed since the last cell. */
    void begin(Target t) {
        synchronized (lock) {
            target = t;
            cells++;
            streams.clear();
            queuedBetween = 0;
            if (droppedBetween > 0) {
                enqueue(
                        "stderr",
                        bytes(String.format(
                                Locale.ROOT,
                                "[%,d bytes printed by background threads between cells were left out]%n",
                                droppedBetween)));
                droppedBetween = 0;
            }
        }
    }

    /** Whether a cell is running (its output is being published). */
    boolean active() {
        synchronized (lock) {
            return target != null;
        }
    }

    /** Runs {@code r} (a display request) on the publishing thread, in order with the text printed before it. */
    void post(Runnable r) {
        synchronized (lock) {
            queue.add(r);
            urgent = true;
            lock.notifyAll();
        }
    }

    /**
     * Publishes what is queued, called on the thread that owns the sockets. With {@code waitMillis},
     * first waits until that long after the last publishing, unless a batch fills or a display request
     * (or the end of the cell) arrives: so text goes out at most every {@code waitMillis} ms.
     */
    void pump(long waitMillis) {
        List<Object> ready = new ArrayList<>();
        Target t;
        synchronized (lock) {
            long until = lastPublished + waitMillis * 1_000_000L;
            try {
                for (long now = System.nanoTime(); waitMillis > 0 && !urgent && now < until; now = System.nanoTime()) {
                    lock.wait(Math.max(1, (until - now) / 1_000_000L));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // woken early by a full batch: the batch being filled behind it waits for its interval
            boolean early = waitMillis > 0 && System.nanoTime() < until;
            Object kept = early && queue.peekLast() instanceof Chunk c && c.bytes.size() < BATCH_BYTES
                    ? queue.pollLast()
                    : null;
            ready.addAll(queue);
            queue.clear();
            if (kept != null) {
                queue.add(kept);
            } else {
                lastPublished = System.nanoTime();
            }
            urgent = false;
            t = target;
        }
        for (Object o : ready) {
            if (o instanceof Runnable r) {
                try {
                    r.run();
                } catch (RuntimeException e) { // a display that failed must not take the cell's publishing with it
                    if (t != null) {
                        t.stream("stderr", "display failed: " + e + System.lineSeparator());
                    }
                }
            } else if (o instanceof Chunk c && t != null) {
                StreamState s = state(c.stream);
                String text = s.decoder.decode(c.bytes.toByteArray());
                if (!text.isEmpty()) {
                    t.stream(c.stream, text);
                }
            }
        }
    }

    /**
     * The cell is done: publishes what is left and, for a stream that outgrew the notebook, its tail
     * and where the whole of it is; then output waits for the next cell.
     */
    void end() {
        pump(0);
        List<String> notes = new ArrayList<>();
        synchronized (lock) {
            for (StreamState s : streams.values()) {
                if (!s.overflowing()) {
                    continue;
                }
                try {
                    s.fileOut.close();
                } catch (IOException e) {
                    notes.add(s.name + ": the whole stream could not be written to " + s.file + ": " + e.getMessage());
                }
                long shown = HEAD_BYTES + s.tail.size();
                enqueue(
                        s.name,
                        bytes(String.format(
                                Locale.ROOT,
                                "%n[… %s left out here of %s printed to %s; the whole stream is written to %s]%n",
                                size(s.bytes - shown),
                                size(s.bytes),
                                s.name,
                                s.file)));
                Chunk c = new Chunk(s.name);
                byte[] tail = s.tail.bytes();
                c.bytes.write(tail, 0, tail.length);
                queue.add(c);
                s.fileOut = null;
            }
        }
        notes.forEach(n -> enqueue("stderr", bytes(n + System.lineSeparator())));
        pump(0);
        synchronized (lock) {
            target = null;
            streams.clear();
        }
    }

    private static String size(long bytes) {
        return bytes >= 1024 * 1024
                ? String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024))
                : String.format(Locale.ROOT, "%,d bytes", bytes);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private StreamState state(String name) {
        synchronized (lock) {
            return streams.computeIfAbsent(name, StreamState::new);
        }
    }

    /** Text printed to stream {@code name}. */
    private void write(String name, byte[] b, int off, int len) {
        synchronized (lock) {
            if (target == null) {
                if (queuedBetween + len > BETWEEN_BYTES) {
                    droppedBetween += len;
                    return;
                }
                queuedBetween += len;
                enqueue(name, b, off, len);
                return;
            }
            StreamState s = state(name);
            int live = (int) Math.max(0, Math.min(len, HEAD_BYTES - s.bytes));
            if (live > 0) {
                enqueue(name, b, off, live);
                s.head.write(b, off, live);
            }
            if (live < len) {
                overflow(s, b, off + live, len - live);
            }
            s.bytes += len;
        }
    }

    /** Past the head: the text goes to the stream's file (with the head before it) and into the tail. */
    private void overflow(StreamState s, byte[] b, int off, int len) {
        try {
            if (s.fileOut == null) {
                Files.createDirectories(overflowDir);
                String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
                s.file = overflowDir.resolve("cell-" + stamp + "-" + cells + "-" + s.name + ".txt");
                s.fileOut = Files.newOutputStream(s.file);
                s.head.writeTo(s.fileOut);
                s.head = new ByteArrayOutputStream();
            }
            s.fileOut.write(b, off, len);
        } catch (IOException e) {
            throw new UncheckedIOException("writing the cell's " + s.name + " to " + s.file, e);
        }
        s.tail.write(b, off, len);
    }

    private void enqueue(String name, byte[] b) {
        enqueue(name, b, 0, b.length);
    }

    private void enqueue(String name, byte[] b, int off, int len) {
        Object last = queue.peekLast();
        Chunk c = last instanceof Chunk k && k.stream.equals(name) && k.bytes.size() < BATCH_BYTES ? k : null;
        if (c == null) {
            c = new Chunk(name);
            queue.add(c);
        }
        c.bytes.write(b, off, len);
        if (c.bytes.size() >= BATCH_BYTES) {
            urgent = true;
            lock.notifyAll();
        }
    }

    /** One of the two streams, as an {@link OutputStream}. */
    private final class Sink extends OutputStream {
        private final String name;

        Sink(String name) {
            this.name = name;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            CellOutput.this.write(name, b, off, len);
        }
    }

    /** The last {@code capacity} bytes written. */
    private static final class Tail {
        private final byte[] ring;
        private long written;

        Tail(int capacity) {
            ring = new byte[capacity];
        }

        void write(byte[] b, int off, int len) {
            for (int i = 0; i < len; i++) {
                ring[(int) ((written + i) % ring.length)] = b[off + i];
            }
            written += len;
        }

        int size() {
            return (int) Math.min(written, ring.length);
        }

        byte[] bytes() {
            int n = size();
            byte[] out = new byte[n];
            long start = written - n;
            for (int i = 0; i < n; i++) {
                out[i] = ring[(int) ((start + i) % ring.length)];
            }
            // start at a line (or at least a character) boundary
            int from = 0;
            while (from < n && (out[from] & 0xC0) == 0x80) {
                from++;
            }
            return java.util.Arrays.copyOfRange(out, from, n);
        }
    }

    /** UTF-8 decoding across batches: a character split between two batches is held back until it is whole. */
    static final class Utf8 {
        private byte[] pending = new byte[0];

        String decode(byte[] b) {
            byte[] all = pending.length == 0 ? b : concat(pending, b);
            int cut = completeUpTo(all);
            pending = java.util.Arrays.copyOfRange(all, cut, all.length);
            return new String(all, 0, cut, StandardCharsets.UTF_8);
        }

        private static byte[] concat(byte[] a, byte[] b) {
            byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, c, a.length, b.length);
            return c;
        }

        /** The length of the longest prefix that does not end inside a multi-byte character. */
        static int completeUpTo(byte[] b) {
            int n = b.length;
            for (int back = 1; back <= Math.min(3, n); back++) {
                int x = b[n - back] & 0xFF;
                if ((x & 0xC0) == 0x80) {
                    continue; // a continuation byte: look further back for its lead
                }
                int need = x >= 0xF0 ? 4 : x >= 0xE0 ? 3 : x >= 0xC0 ? 2 : 1;
                return need > back ? n - back : n;
            }
            return n;
        }
    }
}
