package dev.distillery.kernel.display;

import dev.distillery.train.EpochStats;
import dev.distillery.train.Progress;
import dev.distillery.train.TrainingListener;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.UUID;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;

/**
 * One output area that training updates in place ({@code update_display_data}): the stage,
 * epoch, step, loss, validation accuracy and ETA, under the last few messages (epochs finished,
 * teacher trained, runs done). Updates are sent at most every {@value #MIN_INTERVAL_MS} ms.
 */
public final class LiveProgress implements TrainingListener {

    static final long MIN_INTERVAL_MS = 400;
    private static final int KEEP = 12;

    private final DisplaySink sink;
    private final String title;
    private final String id = "distillery-progress-" + UUID.randomUUID();
    private final Deque<String> messages = new ArrayDeque<>();
    private final long started = System.nanoTime();
    private Progress current;
    private String lastEpoch;
    private boolean shown;
    private long lastSent;

    public LiveProgress(DisplaySink sink, String title) {
        this.sink = sink;
        this.title = title;
    }

    @Override
    public synchronized void onStep(Progress p) {
        current = p;
        publish(false);
    }

    @Override
    public synchronized void onEpoch(String stage, EpochStats s) {
        // one line for the latest epoch, so per-epoch news never pushes the run summaries out
        lastEpoch = (String.format(
                "%s · epoch %d: loss %.4f, validation accuracy %.2f%%%s (%.1f s)",
                stage,
                s.epoch(),
                s.trainLoss(),
                100 * s.valAccuracy(),
                s.valAgreement() == null ? "" : String.format(", agreement %.2f%%", 100 * s.valAgreement()),
                s.seconds()));
        publish(true);
    }

    @Override
    public synchronized void onMessage(String stage, String message) {
        message(stage + ": " + message);
    }

    /** A line for the area's history; shown at once. */
    public synchronized void message(String line) {
        messages.addLast(line);
        while (messages.size() > KEEP) {
            messages.removeFirst();
        }
        publish(true);
    }

    /** The final state: the stage line replaced by {@code summary}. */
    public synchronized void done(String summary) {
        current = null;
        lastEpoch = null;
        message(summary);
    }

    private void publish(boolean force) {
        long now = System.currentTimeMillis();
        if (!force && shown && now - lastSent < MIN_INTERVAL_MS) {
            return;
        }
        lastSent = now;
        DisplayData data = render();
        data.setDisplayId(id);
        if (!shown) {
            sink.display(data);
            shown = true;
        } else {
            sink.update(id, data);
        }
    }

    /** The area as text/plain and text/html. */
    DisplayData render() {
        List<String> lines = new ArrayList<>();
        lines.add(title + String.format(" — %s", Html.duration((System.nanoTime() - started) / 1e9)));
        messages.forEach(m -> lines.add("  " + m));
        if (lastEpoch != null) {
            lines.add("  " + lastEpoch);
        }
        String stage = current == null ? null : stageLine(current);
        if (stage != null) {
            lines.add("▶ " + stage);
        }
        DisplayData d = new DisplayData(String.join("\n", lines));
        StringBuilder h =
                new StringBuilder("<div class=\"distillery-progress\" style=\"font-family:monospace;font-size:12px\">");
        h.append("<b>").append(Html.escape(lines.get(0))).append("</b>");
        for (String m : messages) {
            h.append("<div style=\"color:#555\">").append(Html.escape(m)).append("</div>");
        }
        if (lastEpoch != null) {
            h.append("<div style=\"color:#555\">")
                    .append(Html.escape(lastEpoch))
                    .append("</div>");
        }
        if (current != null) {
            h.append(String.format(
                    "<div><progress value=\"%.4f\" max=\"1\" style=\"width:240px;vertical-align:middle\">"
                            + "</progress> %s</div>",
                    current.fraction(), Html.escape(stage)));
        }
        h.append("</div>");
        d.putHTML(h.toString());
        return d;
    }

    static String stageLine(Progress p) {
        return String.format(
                "%s · epoch %d/%d · step %d/%d · loss %.4f · val %s · %s elapsed · ETA %s",
                p.stage(),
                p.epoch(),
                p.epochs(),
                p.step(),
                p.steps(),
                p.loss(),
                p.valAccuracy() == null ? "–" : String.format("%.2f%%", 100 * p.valAccuracy()),
                Html.duration(p.elapsedSeconds()),
                Html.duration(p.etaSeconds()));
    }
}
