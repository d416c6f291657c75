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

    /** Gives this thread's workspace {@code name} back. */
    public static void release(String name) {
        Nd4j.getWorkspaceManager()
                .destroyWorkspace(Nd4j.getWorkspaceManager().getWorkspaceForCurrentThread(REUSED, name));
    }
}
