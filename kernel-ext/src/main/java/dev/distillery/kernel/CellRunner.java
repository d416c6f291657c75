package dev.distillery.kernel;

import dev.distillery.train.StopSignal;
import java.lang.reflect.InvocationTargetException;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs notebook code on a thread of its own, a cell thread, while the calling thread (the kernel's
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

    /**
     * Runs {@code body} on a new cell thread and returns its value; what it throws is rethrown. Called
     * from a cell thread (a magic evaluating code), it runs {@code body} there.
     */
    Object run(Body body) throws Exception {
        if (Thread.currentThread() == cell) {
            return body.run();
        }
        Object[] value = new Object[1];
        Throwable[] thrown = new Throwable[1];
        Thread t = new Thread(
                () -> {
                    try {
                        value[0] = body.run();
                    } catch (Throwable e) { // everything, ThreadDeath included, goes back to the caller
                        thrown[0] = e;
                    }
                },
                "distillery-cell-" + counter.incrementAndGet());
        t.setContextClassLoader(Thread.currentThread().getContextClassLoader());
        t.setDaemon(true);
        interruptedAt = 0;
        interruptSent = false;
        stopsSent = 0;
        long started = System.nanoTime();
        cell = t;
        t.start();
        try {
            while (t.isAlive()) {
                if (output != null && output.active()) {
                    output.pump(CellOutput.FLUSH_MILLIS);
                } else {
                    t.join(CellOutput.FLUSH_MILLIS);
                }
                escalate(t);
            }
            t.join();
        } finally {
            cell = null;
            StopSignal.clear(t);
        }
        if (stopsSent > 0 && (thrown[0] instanceof ThreadDeath || cause(thrown[0]) instanceof ThreadDeath)) {
            throw new InvocationTargetException(new CellStoppedException(String.format(
                    Locale.ROOT,
                    "the cell was stopped after %.1f s by an interrupt (it did not stop when asked); variables "
                            + "it was assigning may be incomplete, everything else in the session is kept",
                    (System.nanoTime() - started) / 1e9)));
        }
        if (thrown[0] instanceof Exception e) {
            throw e;
        }
        if (thrown[0] instanceof Error e) {
            throw e;
        }
        return value[0];
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
