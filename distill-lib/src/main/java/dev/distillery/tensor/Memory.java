package dev.distillery.tensor;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Memory for repeated tape work (a training step, an inference batch): an ND4J workspace per thread
 * that learns its size on the first pass and is reused after, so the arrays of the next pass take
 * the memory of the last instead of fresh pages. Arrays that must outlive a pass leave it as copies
 * ({@code detach()}).
 *
 * <p>Every outermost pass of a thread, a training step or a validation batch alike, shares one
 * workspace ({@link #WORK}): validating between steps reuses the step's memory instead of holding
 * a second arena beside it (166 MB beside a 4-layer transformer's 342 MB). A pass opened inside
 * another, such as a live teacher's forward pass within a step, gets a workspace of its own
 * ({@link #NESTED}).
 */
public final class Memory {

    /** The workspace of each thread's outermost passes. */
    public static final String WORK = "distillery-work";

    /** The workspace of a pass opened while another is open on the same thread. */
    public static final String NESTED = "distillery-nested";

    /**
     * Learns on the first pass, then reuses; a pass that needs more spills and the next pass grows.
     * The learned size is kept as it is: a training step's arrays are the same every step, and one
     * that grows (sentences of another length) costs one spilled pass.
     */
    public static final WorkspaceConfiguration REUSED = WorkspaceConfiguration.builder()
            .initialSize(0)
            .policyAllocation(AllocationPolicy.STRICT)
            .policyLearning(LearningPolicy.FIRST_LOOP)
            .policyReset(ResetPolicy.BLOCK_LEFT)
            .policySpill(SpillPolicy.REALLOCATE)
            .build();

    private Memory() {}

    /** One pass in a workspace; closing it ends the pass and leaves the workspace. */
    public static final class Pass implements AutoCloseable {
        private final MemoryWorkspace workspace;
        private final boolean learning;

        private Pass(MemoryWorkspace workspace, boolean learning) {
            this.workspace = workspace;
            this.learning = learning;
        }

        @Override
        public void close() {
            try {
                workspace.close();
            } finally {
                if (learning) {
                    NativeHeap.learningPassClosed();
                }
            }
        }
    }

    /**
     * Opens a pass: in the thread's shared workspace, or in the nested one while the shared one is
     * open (also when a scope outside every workspace was entered within it); close it when the pass
     * ends.
     */
    public static Pass open() {
        var manager = Nd4j.getWorkspaceManager();
        MemoryWorkspace ws = manager.getWorkspaceForCurrentThread(
                REUSED, manager.checkIfWorkspaceExistsAndActive(WORK) ? NESTED : WORK);
        boolean learning = ws.getCurrentSize() == 0;
        if (learning) {
            NativeHeap.learningPassOpened();
        }
        try {
            ws.notifyScopeEntered();
        } catch (RuntimeException e) {
            if (learning) {
                NativeHeap.learningPassClosed();
            }
            throw e;
        }
        return new Pass(ws, learning);
    }

    /** This thread's workspace {@code name} ({@link #WORK} or {@link #NESTED}), created if absent. */
    public static MemoryWorkspace workspace(String name) {
        return Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(REUSED, name);
    }

    /**
     * Returns the pages of freed native memory to the system (glibc's {@code malloc_trim(0)}): small
     * blocks freed after a learning pass stay resident in glibc's heap otherwise. The trainer calls
     * this after its first step and first validation; elsewhere than glibc it does nothing.
     */
    public static void returnFreedPages() {
        NativeHeap.returnFreedPages();
    }

    /** Gives this thread's workspaces back: a notebook trains many models, each learning its own size. */
    public static void release() {
        var manager = Nd4j.getWorkspaceManager();
        for (String name : new String[] {WORK, NESTED}) {
            if (manager.checkIfWorkspaceExists(name)) {
                manager.destroyWorkspace(manager.getWorkspaceForCurrentThread(REUSED, name));
            }
        }
    }
}
