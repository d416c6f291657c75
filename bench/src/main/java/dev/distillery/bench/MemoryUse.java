package dev.distillery.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where a benchmark process's memory goes, sampled at every step and kept at its largest: the Java
 * heap (in use, and committed: reserved pages the collector may touch), the off-heap memory ND4J holds for arrays (its workspaces, and the arrays
 * JavaCPP allocated outside them), the JVM's own non-heap memory (compiled code, class metadata),
 * and the rest of the peak resident set: native libraries' code and their own allocations (BLAS
 * buffers, oneDNN's caches), thread stacks and allocator slack.
 */
final class MemoryUse {

    private long heap;
    private long heapUsed;
    private long workspaces;
    private long arrays;
    private long jvm;

    /** Takes one sample of this thread's workspaces and the process's pools. */
    void sample() {
        long ws = 0;
        for (MemoryWorkspace w : Nd4j.getWorkspaceManager().getAllWorkspacesForCurrentThread()) {
            ws += w.getCurrentSize();
        }
        workspaces = Math.max(workspaces, ws);
        arrays = Math.max(arrays, Pointer.totalBytes());
        long h = 0;
        long used = 0;
        long other = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                h += pool.getUsage().getCommitted();
                used += pool.getUsage().getUsed();
            } else {
                other += pool.getUsage().getCommitted();
            }
        }
        heap = Math.max(heap, h);
        heapUsed = Math.max(heapUsed, used);
        jvm = Math.max(jvm, other);
    }

    /**
     * The largest of each, in MB, and the peak resident set's remainder over the heap in use and the
     * rest as {@code native_mb} (an estimate: the peaks need not coincide).
     */
    Map<String, Object> report(long peakRssMb) {
        sample();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("heap_used_mb", mb(heapUsed));
        m.put("heap_committed_mb", mb(heap));
        m.put("workspaces_mb", mb(workspaces));
        m.put("offheap_arrays_mb", mb(arrays));
        m.put("jvm_nonheap_mb", mb(jvm));
        m.put("native_mb", Math.max(0, peakRssMb - mb(heapUsed) - mb(workspaces) - mb(arrays) - mb(jvm)));
        return m;
    }

    private static long mb(long bytes) {
        return Math.round(bytes / (1024.0 * 1024));
    }
}
