package dev.distillery.teacher;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;

/** Opening ONNX Runtime sessions the way every Distillery teacher does: thread count, GPU when there is one. */
final class OrtSessions {

    private OrtSessions() {}

    /** A session and where it runs: {@code CPU}, {@code CUDA:0}, or {@code CPU (…)} saying why CUDA did not start. */
    record Opened(OrtSession session, String device) {}

    /**
     * {@code model} on {@code threads} intra-op threads, on GPU 0 through the CUDA execution provider
     * when this ONNX Runtime has it (the {@code onnxruntime_gpu} artifact, {@code -Pcuda}) and it
     * starts; otherwise on the CPU.
     */
    static Opened open(OrtEnvironment env, byte[] model, int threads) throws OrtException {
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(threads);
            o.setInterOpNumThreads(1);
            String device = gpu(o);
            return new Opened(env.createSession(model, o), device);
        }
    }

    /**
     * Called once a model is open: its file's bytes and any rewritten graph are garbage now that ONNX
     * Runtime holds its own copy. A full collection here lets the serial collector give that heap
     * back at once ({@code -XX:-ShrinkHeapInSteps}, {@code backend.JvmDefaults}); otherwise the heap
     * grown for a 133 MB model stays committed until some later full collection, if one comes.
     */
    static void releaseModelBytes() {
        System.gc();
    }

    private static String gpu(OrtSession.SessionOptions o) {
        if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
            return "CPU";
        }
        try {
            o.addCUDA(0);
            return "CUDA:0";
        } catch (OrtException | RuntimeException e) {
            return "CPU (CUDA provider did not start: " + firstLine(e) + ")";
        }
    }

    /** The first line of an exception's message: ONNX Runtime's run on for pages. */
    static String firstLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
