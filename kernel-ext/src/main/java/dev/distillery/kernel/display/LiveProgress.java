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
 * One output area that training updates in place ({@code update_display_data}): the stage, epoch,
 * step, loss, validation accuracy and ETA, under the last few messages (teacher trained, one line per
 * finished run). When a job makes several runs (students × recipes × seeds) the bar and the ETA cover
 * them all: runs still to come are estimated from those finished (or, for the first, from its own
 * pace). News from the trainer (an early stop) shows until the run's own line replaces it; the engine
 * line, kept in every record, is folded away under the area. Updates are sent at most every {@value
 * #MIN_INTERVAL_MS} ms.
 */
public final class LiveProgress implements TrainingListener {

    static final long MIN_INTERVAL_MS = 400;
    private static final int KEEP = 12;
    /** Each line on one line: a narrow cell scrolls instead of breaking a value from its unit. */
    private static final String LINE_STYLE = "white-space:pre;color:#555";

    private final DisplaySink sink;
    private final String title;
    private final String id = "distillery-progress-" + UUID.randomUUID();
    private final Deque<String> messages = new ArrayDeque<>();
    private final long started = System.nanoTime();
    private Progress current;
    private String lastEpoch;
    private String news;
    private String engine;
    private int run;
    private int runs;
    private long runStarted;
    private double finishedRunSeconds;
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
        lastEpoch = String.format(
                "%s · epoch %d: loss %.4f, validation accuracy %.2f%%%s (%.1f s)",
                stage,
                s.epoch(),
                s.trainLoss(),
                100 * s.valAccuracy(),
                s.valAgreement() == null ? "" : String.format(", agreement %.2f%%", 100 * s.valAgreement()),
                s.seconds());
        publish(true);
    }

    @Override
    public synchronized void onMessage(String stage, String message) {
        news = stage + ": " + message;
        publish(true);
    }

    @Override
    public synchronized void onRunStart(int run, int runs) {
        long now = System.nanoTime();
        if (this.run > 0) {
            finishedRunSeconds += (now - runStarted) / 1e9;
        }
        this.run = run;
        this.runs = runs;
        runStarted = now;
        current = null;
        publish(true);
    }

    @Override
    public synchronized void onEngine(String engine) {
        this.engine = engine;
        publish(true);
    }

    /** A line for the area's history; shown at once. It replaces the trainer's news and the last epoch's line. */
    public synchronized void message(String line) {
        messages.addLast(line);
        while (messages.size() > KEEP) {
            messages.removeFirst();
        }
        news = null;
        lastEpoch = null;
        publish(true);
    }

    /** The final state: the stage line replaced by {@code summary}. */
    public synchronized void done(String summary) {
        current = null;
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
        String head = title + String.format(" — %s", Html.duration((System.nanoTime() - started) / 1e9));
        List<String> notes = new ArrayList<>(messages);
        if (lastEpoch != null) {
            notes.add(lastEpoch);
        }
        if (news != null) {
            notes.add(news);
        }
        String stage = current == null ? null : stageLine(current, jobFraction(current), jobEta(current));
        List<String> lines = new ArrayList<>();
        lines.add(head);
        notes.forEach(m -> lines.add("  " + m));
        if (stage != null) {
            lines.add("▶ " + stage);
        }
        if (engine != null) {
            lines.add("  engine: " + engine);
        }
        DisplayData d = new DisplayData(String.join("\n", lines));
        StringBuilder h = new StringBuilder("<div class=\"distillery-progress\" "
                + "style=\"font-family:monospace;font-size:12px;overflow-x:auto\">");
        h.append("<b>").append(Html.escape(head)).append("</b>");
        for (String m : notes) {
            h.append("<div style=\"" + LINE_STYLE + "\">")
                    .append(Html.escape(m))
                    .append("</div>");
        }
        if (current != null) {
            h.append(String.format(
                    "<div style=\"white-space:pre\"><progress value=\"%.4f\" max=\"1\" "
                            + "style=\"width:240px;vertical-align:middle\"></progress> %s</div>",
                    jobFraction(current), Html.escape(stage)));
        }
        if (engine != null) {
            h.append("<details class=\"distillery-engine\" style=\"color:#888\"><summary>engine</summary>")
                    .append(Html.escape(engine))
                    .append("</details>");
        }
        h.append("</div>");
        d.putHTML(h.toString());
        return d;
    }

    /** How much of the whole job is done, 0..1: the runs finished and this one's share. */
    double jobFraction(Progress p) {
        return runs <= 1 ? p.fraction() : (run - 1 + p.fraction()) / runs;
    }

    /**
     * Seconds left in the whole job: this run's ETA, plus each run to come at the mean time of those
     * finished (before one has, at this run's own pace).
     */
    double jobEta(Progress p) {
        if (runs <= 1 || run >= runs) {
            return p.etaSeconds();
        }
        double perRun =
                run > 1 ? finishedRunSeconds / (run - 1) : (System.nanoTime() - runStarted) / 1e9 + p.etaSeconds();
        return p.etaSeconds() + (runs - run) * perRun;
    }

    /** The stage line: where this training is, and the time left in the job. */
    String stageLine(Progress p, double fraction, double eta) {
        return String.format(
                "%s%s · epoch %d/%d · step %d/%d · loss %.4f · val %s · %s elapsed · ETA %s%s",
                p.stage(),
                runs > 1 ? String.format(" (run %d of %d)", run, runs) : "",
                p.epoch(),
                p.epochs(),
                p.step(),
                p.steps(),
                p.loss(),
                p.valAccuracy() == null ? "–" : String.format("%.2f%%", 100 * p.valAccuracy()),
                Html.duration((System.nanoTime() - started) / 1e9),
                Html.duration(eta),
                runs > 1 ? String.format(" (%.0f%% of %d runs done)", 100 * fraction, runs) : "");
    }
}
