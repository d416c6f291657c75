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
            "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0");

    private JvmDefaults() {}
}
