package dev.distillery.kernel;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillery.train.StopSignal;
import java.lang.reflect.InvocationTargetException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Cells run on a thread of their own, and an interrupt ends even a loop that checks nothing. */
class CellRunnerTest {

    static void interruptSoon(CellRunner r, long millis) {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                return;
            }
            r.interrupt();
        });
        t.setDaemon(true);
        t.start();
    }

    @Test
    void aCellRunsOnItsOwnThreadAndNestedCodeRunsOnTheSame() throws Exception {
        CellRunner r = new CellRunner(null);
        Thread shell = Thread.currentThread();
        Object v = r.run(() -> {
            Thread cell = Thread.currentThread();
            assertTrue(cell != shell, "not the caller's thread");
            return r.run(() -> Thread.currentThread() == cell ? "same thread" : "another");
        });
        assertEquals("same thread", v);
        Object first = r.run(Thread::currentThread);
        assertEquals(
                first, r.run(Thread::currentThread), "one cell thread from cell to cell (ND4J keeps state per thread)");
    }

    @Test
    void aBusyLoopIsStoppedAndTheErrorSaysSo() {
        CellRunner r = new CellRunner(null, 100, 300);
        AtomicLong n = new AtomicLong();
        interruptSoon(r, 100);
        long t0 = System.nanoTime();
        InvocationTargetException e = assertThrows(
                InvocationTargetException.class,
                () -> r.run(() -> {
                    for (; ; ) {
                        n.incrementAndGet();
                    }
                }));
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertInstanceOf(CellRunner.CellStoppedException.class, e.getCause());
        assertTrue(
                e.getCause().getMessage().contains("stopped after"),
                e.getCause().getMessage());
        assertTrue(seconds < 30, "stopped: " + seconds + " s");
        long after = n.get();
        assertEquals(after, n.get(), "the loop no longer runs");
        assertEquals(42, assertDoesNotThrow(() -> r.run(() -> 42)), "the next cell runs, on a new thread");
    }

    @Test
    void codeThatHonoursTheStopSignalStopsAtOnceWithItsOwnException() {
        CellRunner r = new CellRunner(null, 60_000, 60_000);
        interruptSoon(r, 200);
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> r.run(() -> {
                    while (true) {
                        if (StopSignal.consume()) {
                            throw new IllegalStateException("stopped at a step");
                        }
                        Thread.onSpinWait();
                    }
                }));
        assertEquals("stopped at a step", e.getMessage());
    }

    @Test
    void exceptionsAndValuesComeBackAsThrownAndReturned() throws Exception {
        CellRunner r = new CellRunner(null);
        assertEquals(42, r.run(() -> 42));
        assertThrows(
                UnsupportedOperationException.class,
                () -> r.run(() -> {
                    throw new UnsupportedOperationException("as thrown");
                }));
    }
}
