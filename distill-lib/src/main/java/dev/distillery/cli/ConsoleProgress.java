package dev.distillery.cli;

import dev.distillery.train.EpochStats;
import dev.distillery.train.JobProgress;
import dev.distillery.train.Progress;
import dev.distillery.train.TrainingListener;
import java.io.PrintStream;

/**
 * Progress on a terminal: a bar redrawn in place (at most ten times a second) and a line per
 * finished epoch. Without a terminal, only the epoch lines. When a job makes several runs, the bar
 * and the ETA cover them all ({@link JobProgress}).
 */
public final class ConsoleProgress implements TrainingListener {

    private final PrintStream out;
    private final boolean live;
    private final JobProgress job = new JobProgress();
    private long lastDraw;
    private boolean drawn;

    public ConsoleProgress(PrintStream out, boolean live) {
        this.out = out;
        this.live = live;
    }

    @Override
    public void onStep(Progress p) {
        if (!live) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastDraw < 100_000_000L && p.step() != p.steps()) {
            return;
        }
        lastDraw = now;
        int width = 24;
        int filled = (int) Math.round(job.fraction(p) * width);
        String bar = "#".repeat(filled) + ".".repeat(width - filled);
        out.printf(
                "\r[%s] %s%s · epoch %d/%d · step %d/%d · loss %.4f%s · eta %s   ",
                bar,
                job.runs() > 1 ? "run " + job.run() + "/" + job.runs() + " · " : "",
                p.stage(),
                p.epoch(),
                p.epochs(),
                p.step(),
                p.steps(),
                p.loss(),
                p.valAccuracy() == null ? "" : String.format(" · val %.2f%%", 100 * p.valAccuracy()),
                time(job.etaSeconds(p)));
        out.flush();
        drawn = true;
    }

    @Override
    public void onEpoch(String stage, EpochStats s) {
        clear();
        out.printf(
                "  %s · epoch %d: loss %.4f, val accuracy %.2f%%%s (%.1f s)%n",
                stage,
                s.epoch(),
                s.trainLoss(),
                100 * s.valAccuracy(),
                s.valAgreement() == null ? "" : String.format(", agreement %.2f%%", 100 * s.valAgreement()),
                s.seconds());
    }

    @Override
    public void onMessage(String stage, String message) {
        clear();
        out.println("  " + stage + ": " + message);
    }

    @Override
    public void onRunStart(int run, int runs) {
        job.runStarted(run, runs);
    }

    @Override
    public void onEngine(String engine) {
        clear();
        out.println(engine);
    }

    private void clear() {
        if (drawn) {
            out.print("\r" + " ".repeat(150) + "\r");
            drawn = false;
        }
    }

    static String time(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600
                ? String.format("%dh%02dm", s / 3600, (s % 3600) / 60)
                : s >= 60 ? String.format("%dm%02ds", s / 60, s % 60) : s + "s";
    }
}
