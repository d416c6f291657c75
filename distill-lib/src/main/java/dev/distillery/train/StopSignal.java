package dev.distillery.train;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Asks the training running on a thread to stop at its next step. A front end that shares the
 * thread with network I/O (a Jupyter kernel's shell thread) uses this instead of
 * {@link Thread#interrupt()}, which also closes any NIO channel the thread is using.
 * {@link Trainer} honours both.
 */
public final class StopSignal {

    private static final Set<Thread> REQUESTED = ConcurrentHashMap.newKeySet();

    private StopSignal() {}

    public static void request(Thread t) {
        REQUESTED.add(t);
    }

    /** True once per request made for the calling thread. */
    public static boolean consume() {
        return REQUESTED.remove(Thread.currentThread());
    }

    public static void clear(Thread t) {
        REQUESTED.remove(t);
    }
}
