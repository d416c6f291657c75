package dev.distillery.tensor;

/**
 * The C library's allocator, where Distillery needs a say in it (glibc; elsewhere every call does
 * nothing). ND4J allocates arrays outside workspaces, and the arrays a workspace spills while it
 * learns its size, with {@code malloc}.
 *
 * <p>glibc maps a block on its own only above a threshold that rises with every large block freed;
 * below it, freed blocks stay resident in its heap. A workspace's learning pass spills every array
 * of a training step, frees them all when the pass ends and then allocates the learned arena: with
 * the spilled blocks still resident, the process held the step's memory twice (the transformer
 * benchmark peaked at 902 MB, 640 MB with the spilled blocks mapped on their own). A low threshold
 * for every allocation, though, costs a system call and fresh pages per large temporary: ND4J's
 * convolutions allocate such temporaries at every call, and the CNN benchmark's step took 340 ms
 * instead of 57 ms. So the threshold is low only while a learning pass is open.
 */
final class NativeHeap {

    /** Blocks from this size are mapped on their own while a workspace learns its size. */
    static final int LEARNING_MMAP_THRESHOLD = 1 << 20;

    /** glibc's own ceiling for its rising threshold, kept fixed once a learning pass has set it. */
    static final int MMAP_THRESHOLD = 32 << 20;

    /** glibc's trim threshold at that ceiling (twice it): freed memory at the heap's top above it is returned. */
    static final int TRIM_THRESHOLD = 64 << 20;

    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_MMAP_THRESHOLD = -3;

    private static final Object LOCK = new Object();
    private static int learningPasses;

    private NativeHeap() {}

    /** A workspace's learning pass begins: large blocks are mapped on their own until the last such pass ends. */
    static void learningPassOpened() {
        synchronized (LOCK) {
            if (learningPasses++ == 0) {
                set(M_MMAP_THRESHOLD, LEARNING_MMAP_THRESHOLD);
            }
        }
    }

    /** A learning pass ended (its spilled blocks are unmapped by now). */
    static void learningPassClosed() {
        synchronized (LOCK) {
            if (--learningPasses == 0) {
                set(M_MMAP_THRESHOLD, MMAP_THRESHOLD);
                set(M_TRIM_THRESHOLD, TRIM_THRESHOLD);
            }
        }
    }

    /** Returns the pages of freed blocks to the system ({@code malloc_trim(0)}). */
    static void returnFreedPages() {
        if (LIBC != null) {
            try {
                LIBC.malloc_trim(0);
            } catch (UnsatisfiedLinkError e) {
                // a C library without malloc_trim (musl): nothing to give back this way
            }
        }
    }

    private static void set(int param, int value) {
        if (LIBC != null) {
            try {
                LIBC.mallopt(param, value);
            } catch (UnsatisfiedLinkError e) {
                // a C library without mallopt: its own policy stands
            }
        }
    }

    /** The two functions of the C library this class calls. */
    private interface CLibrary extends com.sun.jna.Library {
        int malloc_trim(long pad);

        int mallopt(int param, int value);
    }

    private static final CLibrary LIBC = load();

    private static CLibrary load() {
        try {
            return com.sun.jna.Native.load("c", CLibrary.class);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return null;
        }
    }
}
