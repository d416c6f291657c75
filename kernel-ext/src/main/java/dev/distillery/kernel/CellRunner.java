package dev.distillery.kernel;

import dev.distillery.train.StopSignal;
import java.lang.reflect.InvocationTargetException;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs notebook code on a thread of its own, the cell thread, while the calling thread (the kernel's
 * shell thread, which owns the Jupyter sockets) publishes what the cell prints and displays. An
 * interrupt first asks the code to stop ({@link StopSignal}, which training honours at its next
 * step), then interrupts the cell thread after {@value #INTERRUPT_AFTER_MILLIS} ms, then stops it
 * after {@value #STOP_AFTER_MILLIS} ms (a loop that checks nothing); the cell then fails with
 * {@link CellStoppedException} and the session, with every other variable, carries on. A thread
 * inside a native call stops when the call returns.
 */
final class CellRunner {

    static final long INTERRUPT_AFTER_MILLIS = 2000;
    static final long STOP_AFTER_MILLIS = 5000;

    /** Code to run on the cell thread. */
    interface Body {
        Object run() throws Exception;
    }

    /** A cell stopped by an interrupt before it finished. */
    static final class CellStoppedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CellStoppedException(String message) {
            super(message);
        }
    }

    private final CellOutput output;
    private final long interruptAfterMillis;
    private final long stopAfterMillis;
    private final AtomicLong counter = new AtomicLong();
    private volatile Thread cell;
    private volatile long interruptedAt;
    private boolean interruptSent;
    private long stopsSent;

    /** {@code output}: what the cell prints, published while it runs (null: nothing to publish). */
    CellRunner(CellOutput output) {
        this(output, INTERRUPT_AFTER_MILLIS, STOP_AFTER_MILLIS);
    }

    /** With other waits between an interrupt and the thread's interrupt, and its stop (tests). */
    CellRunner(CellOutput output, long interruptAfterMillis, long stopAfterMillis) {
        this.output = output;
        this.interruptAfterMillis = interruptAfterMillis;
        this.stopAfterMillis = stopAfterMillis;
    }

    /** The thread running the current cell, or null. */
    Thread cellThread() {
        return cell;
    }

    /** One cell's code, handed to the cell thread, and how it ended. */
    private static final class Job {
        final Body body;
        final ClassLoader loader;
        Object value;
        Throwable thrown;
        boolean done;

        Job(Body body, ClassLoader loader) {
            this.body = body;
            this.loader = loader;
        }

        synchronized void finish(Object v, Throwable t) {
            value = v;
            thrown = t;
            done = true;
            notifyAll();
        }

        synchronized boolean await(long millis) throws InterruptedException {
            if (!done) {
                wait(millis);
            }
            return done;
        }

        synchronized boolean isDone() {
            return done;
        }
    }

    private final java.util.concurrent.BlockingQueue<Job> jobs = new java.util.concurrent.LinkedBlockingQueue<>();
    private Thread worker;

    /**
     * The cell thread: one for the session, so that what a library keeps per thread (ND4J's
     * workspaces) is kept from cell to cell; a new one after a cell was stopped.
     */
    private Thread worker() {
        if (worker == null || !worker.isAlive()) {
            worker = new Thread(this::work, "distillery-cell-" + counter.incrementAndGet());
            worker.setDaemon(true);
            worker.start();
        }
        return worker;
    }

    private void work() {
        while (true) {
            Job job;
            try {
                job = jobs.take();
            } catch (InterruptedException e) {
                continue; // an interrupt meant for a cell that has just ended
            }
            Thread.interrupted();
            StopSignal.clear(Thread.currentThread());
            Thread.currentThread().setContextClassLoader(job.loader);
            Object v = null;
            Throwable t = null;
            try {
                v = job.body.run();
            } catch (Throwable e) { // everything, ThreadDeath included, goes back to the caller
                t = e;
            }
            job.finish(v, t);
            if (output != null) {
                output.post(() -> {}); // wakes the publishing thread: the cell is done
            }
            if (t instanceof ThreadDeath || cause(t) instanceof ThreadDeath) {
                return; // a stopped thread is not trusted with the next cell
            }
        }
    }

    /**
     * Runs {@code body} on the cell thread and returns its value; what it throws is rethrown. Called
     * from the cell thread (a magic evaluating code), it runs {@code body} there.
     */
    Object run(Body body) throws Exception {
        if (Thread.currentThread() == cell) {
            return body.run();
        }
        Job job = new Job(body, Thread.currentThread().getContextClassLoader());
        Thread t = worker();
        interruptedAt = 0;
        interruptSent = false;
        stopsSent = 0;
        long started = System.nanoTime();
        cell = t;
        jobs.add(job);
        try {
            while (!job.isDone() && t.isAlive()) {
                if (output != null && output.active()) {
                    output.pump(CellOutput.FLUSH_MILLIS);
                } else {
                    job.await(CellOutput.FLUSH_MILLIS);
                }
                escalate(t);
            }
        } finally {
            cell = null;
            StopSignal.clear(t);
        }
        if (!job.isDone()) { // stopped between the cell's code and the report of its end
            job.finish(null, new ThreadDeath());
        }
        if (stopsSent > 0 && (job.thrown instanceof ThreadDeath || cause(job.thrown) instanceof ThreadDeath)) {
            worker = null;
            throw new InvocationTargetException(new CellStoppedException(String.format(
                    Locale.ROOT,
                    "the cell was stopped after %.1f s by an interrupt (it did not stop when asked); variables "
                            + "it was assigning may be incomplete, everything else in the session is kept",
                    (System.nanoTime() - started) / 1e9)));
        }
        if (job.thrown instanceof Exception e) {
            throw e;
        }
        if (job.thrown instanceof Error e) {
            throw e;
        }
        return job.value;
    }

    private static Throwable cause(Throwable t) {
        return t instanceof InvocationTargetException ite ? ite.getCause() : null;
    }

    /** Asks the running cell to stop; a second interrupt skips the waiting. */
    void interrupt() {
        Thread t = cell;
        if (t == null) {
            return;
        }
        StopSignal.request(t);
        if (interruptedAt == 0) {
            interruptedAt = System.nanoTime();
        } else {
            // impatient: as if the waits had passed
            interruptedAt = System.nanoTime() - stopAfterMillis * 1_000_000L;
        }
    }

    /** Called on the shell thread while the cell runs: interrupt, then stop, as time passes after an interrupt. */
    private void escalate(Thread t) {
        long at = interruptedAt;
        if (at == 0 || !t.isAlive()) {
            return;
        }
        long millis = (System.nanoTime() - at) / 1_000_000L;
        if (millis >= interruptAfterMillis && !interruptSent) {
            interruptSent = true;
            t.interrupt();
        }
        // again every few seconds: a stop lands only when the thread runs Java code
        if (millis >= stopAfterMillis * (1 + stopsSent)) {
            stopsSent++;
            stop(t);
        }
    }

    /**
     * {@link Thread#stop()}, the one way to end code that checks neither the stop signal nor its
     * interrupt flag (a busy loop). Deprecated for removal, it works on Java 17 to 19; later JDKs throw
     * {@link UnsupportedOperationException}, and the cell then runs on.
     */
    @SuppressWarnings({"removal", "deprecation"})
    private static void stop(Thread t) {
        try {
            t.stop();
        } catch (UnsupportedOperationException e) {
            System.err.println("distillery kernel: this JDK cannot stop a thread (" + e.getMessage()
                    + "); the cell keeps running until it checks its interrupt flag");
        }
    }
}
