package dev.distillery.tensor;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Memory for repeated tape work (a training step, an inference batch): an ND4J workspace per name
 * and thread that learns its size on the first pass and is reused after, so the arrays of the next
 * pass take the memory of the last instead of fresh pages. Arrays that must outlive a pass leave it
 * as copies ({@code detach()}).
 */
public final class Memory {

    /** Learns on the first pass, then reuses; a pass that needs more spills and the next pass grows. */
    public static final WorkspaceConfiguration REUSED = WorkspaceConfiguration.builder()
            .initialSize(0)
            .policyAllocation(AllocationPolicy.OVERALLOCATE)
            .overallocationLimit(0.3)
            .policyLearning(LearningPolicy.FIRST_LOOP)
            .policyReset(ResetPolicy.BLOCK_LEFT)
            .policySpill(SpillPolicy.REALLOCATE)
            .build();

    private Memory() {}

    /** Opens this thread's workspace {@code name} for one pass; close it when the pass ends. */
    public static MemoryWorkspace open(String name) {
        return Nd4j.getWorkspaceManager().getAndActivateWorkspace(REUSED, name);
    }

    /**
     * Returns the pages of freed native memory to the system (glibc's {@code malloc_trim(0)}). A
     * workspace's first, learning pass allocates every array with {@code malloc} and frees them once it
     * knows its size; glibc keeps such freed blocks resident, so the process would hold the pass's
     * memory twice (the transformer benchmark peaked at 1,270 MB without this and 1,040 MB with it). The trainer calls
     * this after its first step and first validation; elsewhere than glibc it does nothing.
     */
    public static void returnFreedPages() {
        if (LIBC != null) {
            try {
                LIBC.malloc_trim(0);
            } catch (UnsatisfiedLinkError e) {
                // a C library without malloc_trim (musl): nothing to give back this way
            }
        }
    }

    /** The one function of the C library this class calls. */
    private interface CLibrary extends com.sun.jna.Library {
        int malloc_trim(long pad);
    }

    private static final CLibrary LIBC = loadLibc();

    private static CLibrary loadLibc() {
        try {
            return com.sun.jna.Native.load("c", CLibrary.class);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return null;
        }
    }

    /** Gives this thread's workspace {@code name} back. */
    public static void release(String name) {
        Nd4j.getWorkspaceManager()
                .destroyWorkspace(Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(REUSED, name));
    }
}
