package dev.distillery.backend;

import java.util.List;

/**
 * How every Distillery JVM is started: the launcher ({@code ./distillery}), the kernelspec, the
 * benchmarks' child processes and the tests use these options ({@code JvmDefaultsTest} checks that
 * the launcher and the build say the same).
 */
public final class JvmDefaults {

    /**
     * <ul>
     *   <li>{@code --add-modules=jdk.incubator.vector}: the Vector API, which the fused GELU, layer norm
     *       and softmax kernels use (a JVM without it runs them as chains of ND4J ops: the transformer
     *       benchmark's step took 206 ms instead of 168). The JVM prints one line for it at start-up:
     *       "WARNING: Using incubator modules: jdk.incubator.vector".
     *   <li>{@code -XX:+UseSerialGC -Xms64m}: a training step's arrays live off the heap, in ND4J's
     *       workspaces, and what it leaves on the heap is short-lived bookkeeping (tape nodes, array
     *       wrappers) that a young collection frees for almost nothing. G1, the default, answered that
     *       garbage by growing the heap: the {@code kd-mlp-256} benchmark committed 1,172 MB of heap and
     *       peaked at 788 MB resident; with the serial collector and a small initial heap, 62 MB and
     *       216 MB, at the same step time (2.4 ms). The maximum heap is each command's own.
     *   <li>{@code -XX:-ShrinkHeapInSteps}: after a full collection the serial collector gives back
     *       the heap the live objects no longer need at once, not a fraction per collection. Loading a
     *       pretrained ONNX model holds its file and the rewritten graph on the heap for a moment
     *       (about 350 MB for {@code bge-small-en-v1.5}); the heap that grew for them stayed committed
     *       and resident for the rest of the process, and the sentence workflow peaked at 1,018 MB
     *       instead of 875. Training's heap use is small and steady, so nothing else changes.
     *   <li>{@code -Dorg.bytedeco.javacpp.maxPhysicalBytes=0}: JavaCPP, which allocates every ND4J
     *       array's shape and buffer, otherwise reads the process's resident size from {@code /proc}
     *       on each allocation to compare it with a limit (twice the maximum heap). A run of small
     *       epochs allocates hundreds of thousands of them: the fast quickstart took 109 s with the
     *       check and 70 s without. The heap limit on JavaCPP's own tracked bytes stays.
     * </ul>
     */
    public static final List<String> OPTIONS = List.of(
            "--add-modules=jdk.incubator.vector",
            "-XX:+UseSerialGC",
            "-Xms64m",
            "-XX:-ShrinkHeapInSteps",
            "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0");

    private JvmDefaults() {}
}
