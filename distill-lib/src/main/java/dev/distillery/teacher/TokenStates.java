package dev.distillery.teacher;

import ai.djl.huggingface.tokenizers.Encoding;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Array plumbing between token-id matrices and an encoder's per-token outputs: trimming padded id
 * rows to the batch's longest sentence, padding outputs back to the full length with zeros at
 * padding, and pooling token states into one L2-normalised sentence vector.
 */
final class TokenStates {

    private TokenStates() {}

    /** Token ids, attention mask and token types {@code [B, S]} for one batch; outputs are padded back to {@code full}. */
    record Trimmed(long[][] ids, long[][] mask, long[][] types, int full) {

        /** Ids {@code [B, full]} (0 for padding) cut to the longest sentence; token types all 0. */
        static Trimmed of(INDArray idMatrix) {
            int b = idMatrix.rows();
            int full = idMatrix.columns();
            float[] ids = idMatrix.dup('c').data().asFloat();
            int len = 1;
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < full; j++) {
                    if (ids[i * full + j] != 0) {
                        len = Math.max(len, j + 1);
                    }
                }
            }
            long[][] tok = new long[b][len];
            long[][] mask = new long[b][len];
            for (int i = 0; i < b; i++) {
                for (int j = 0; j < len; j++) {
                    tok[i][j] = (long) ids[i * full + j];
                    mask[i][j] = tok[i][j] != 0 ? 1 : 0;
                }
            }
            return new Trimmed(tok, mask, new long[b][len], full);
        }

        /** A tokenizer's encodings padded with zeros to the longest; {@code full} is that length. */
        static Trimmed of(Encoding[] enc) {
            int len = 0;
            for (Encoding e : enc) {
                len = Math.max(len, e.getIds().length);
            }
            int b = enc.length;
            long[][] ids = new long[b][len];
            long[][] mask = new long[b][len];
            long[][] types = new long[b][len];
            for (int i = 0; i < b; i++) {
                long[] id = enc[i].getIds();
                long[] m = enc[i].getAttentionMask();
                long[] t = enc[i].getTypeIds();
                System.arraycopy(id, 0, ids[i], 0, id.length);
                System.arraycopy(m, 0, mask[i], 0, m.length);
                System.arraycopy(t, 0, types[i], 0, t.length);
            }
            return new Trimmed(ids, mask, types, len);
        }
    }

    /** {@code [B][H][S][S]} to {@code [B][H·full][full]}, zero where the query or the key is padding or past {@code S}. */
    static float[][][] paddedMaps(float[][][][] a, long[][] mask, int full) {
        float[][][] out = new float[a.length][][];
        for (int i = 0; i < a.length; i++) {
            int h = a[i].length;
            int s = a[i][0].length;
            out[i] = new float[h * full][full];
            for (int k = 0; k < h; k++) {
                for (int q = 0; q < s; q++) {
                    if (mask[i][q] == 0) {
                        continue;
                    }
                    float[] row = out[i][k * full + q];
                    for (int j = 0; j < s; j++) {
                        row[j] = mask[i][j] == 0 ? 0f : a[i][k][q][j];
                    }
                }
            }
        }
        return out;
    }

    /** {@code h} {@code [B][S][D]} to {@code [B][full][D]}, zero at padding and past {@code S}. */
    static float[][][] padded(float[][][] h, long[][] mask, int full) {
        float[][][] out = new float[h.length][full][];
        for (int i = 0; i < h.length; i++) {
            int d = h[i][0].length;
            for (int j = 0; j < full; j++) {
                out[i][j] = j < h[i].length && mask[i][j] != 0 ? h[i][j] : new float[d];
            }
        }
        return out;
    }

    /** One sentence's token states {@code [S][D]} pooled as {@code pooling} says, then L2-normalised. */
    static float[] sentence(float[][] tokens, long[] mask, OnnxEncoder.Pooling pooling) {
        return normalise(pooling == OnnxEncoder.Pooling.CLS ? tokens[0].clone() : mean(tokens, mask));
    }

    private static float[] mean(float[][] tokens, long[] mask) {
        float[] sum = new float[tokens[0].length];
        int n = 0;
        for (int t = 0; t < tokens.length; t++) {
            if (mask[t] == 0) {
                continue;
            }
            n++;
            for (int j = 0; j < sum.length; j++) {
                sum[j] += tokens[t][j];
            }
        }
        for (int j = 0; j < sum.length; j++) {
            sum[j] /= Math.max(1, n);
        }
        return sum;
    }

    private static float[] normalise(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += (double) x * x;
        }
        float inv = (float) (1 / Math.max(Math.sqrt(norm), 1e-12));
        for (int i = 0; i < v.length; i++) {
            v[i] *= inv;
        }
        return v;
    }
}
