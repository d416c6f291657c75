package dev.distillery.kernel.display;

import dev.distillery.train.EpochStats;
import dev.distillery.train.JobProgress;
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
    private String lastValStage;
    private Double lastVal;
    private String news;
    private String engine;
    private final JobProgress job = new JobProgress();
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
        lastValStage = stage;
        lastVal = s.valAccuracy();
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
        job.runStarted(run, runs);
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

    /**
     * Runs {@code work}; if it throws (an interrupt, bad data, a diverged loss) the area drops its bar and
     * stage line and says it stopped, so a frozen bar never reads as work under way.
     */
    public <T> T watch(java.util.function.Supplier<T> work) {
        try {
            return work.get();
        } catch (RuntimeException | Error e) {
            synchronized (this) {
                current = null;
                message(
                        e instanceof dev.distillery.train.TrainingInterruptedException
                                ? "■ interrupted: the finished epochs are recorded"
                                : "■ stopped: " + e.getClass().getSimpleName());
            }
            throw e;
        }
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
        String stage = current == null ? null : stageLine(current);
        String eta = current == null ? null : etaLine(current);
        List<String> lines = new ArrayList<>();
        lines.add(head);
        notes.forEach(m -> lines.add("  " + m));
        if (stage != null) {
            lines.add("▶ " + stage + " · " + eta);
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
            // where the training is on one line, the bar and the time left on the next: the ETA is never cut off
            h.append("<div class=\"distillery-stage\" style=\"white-space:pre\">▶ ")
                    .append(Html.escape(stage))
                    .append("</div>");
            h.append(String.format(
                    "<div class=\"distillery-eta\" style=\"white-space:pre\"><progress value=\"%.4f\" max=\"1\" "
                            + "style=\"width:240px;vertical-align:middle\"></progress> %s</div>",
                    job.fraction(current), Html.escape(eta)));
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

    /**
     * Where this training is: {@code tiny · scratch · seed 2 · epoch 5/60 · step 3/8 · loss 0.4123 · val
     * 80.12%}; the validation accuracy is the last epoch's, also while that epoch's last step is shown.
     */
    String stageLine(Progress p) {
        Double val = p.valAccuracy() != null ? p.valAccuracy() : p.stage().equals(lastValStage) ? lastVal : null;
        return String.format(
                "%s · epoch %d/%d · step %d/%d · loss %.4f · val %s",
                p.stage(),
                p.epoch(),
                p.epochs(),
                p.step(),
                p.steps(),
                p.loss(),
                val == null ? "–" : String.format("%.2f%%", 100 * val));
    }

    /** The time left in the whole job: {@code run 2 of 3 · 41% done · ETA 12 s}, or {@code ETA 12 s} for one run. */
    String etaLine(Progress p) {
        String eta = "ETA " + Html.duration(job.etaSeconds(p));
        return job.runs() > 1
                ? String.format("run %d of %d · %.0f%% done · %s", job.run(), job.runs(), 100 * job.fraction(p), eta)
                : eta;
    }
}
