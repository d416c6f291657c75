package dev.distillery.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillery.backend.Backend;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Fidelity and neighbour agreement on embeddings whose relation is known. */
class EmbeddingsTest {

    @BeforeAll
    static void start() {
        Backend.start(1);
    }

    private static INDArray gaussian(long seed, int n, int d) {
        java.util.Random r = new java.util.Random(seed);
        double[][] v = new double[n][d];
        for (double[] row : v) {
            for (int j = 0; j < d; j++) {
                row[j] = r.nextGaussian();
            }
        }
        return Nd4j.create(v);
    }

    @Test
    void aLinearImageOfTheTeacherHasFidelityOneAndANarrowNoisyOneLess() {
        INDArray teacher = gaussian(1, 600, 16);
        INDArray map = gaussian(2, 16, 24);
        INDArray student = teacher.mmul(map); // wider, but the teacher is a linear function of it
        double f = Embeddings.fidelity(
                student.get(NDArrayIndex.interval(0, 400), NDArrayIndex.all()),
                teacher.get(NDArrayIndex.interval(0, 400), NDArrayIndex.all()),
                student.get(NDArrayIndex.interval(400, 600), NDArrayIndex.all()),
                teacher.get(NDArrayIndex.interval(400, 600), NDArrayIndex.all()));
        assertEquals(1.0, f, 1e-3);
        // a student that keeps only 4 of the 16 directions recovers about a quarter of each vector's energy
        INDArray narrow =
                teacher.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 4)).dup();
        double g = Embeddings.fidelity(
                narrow.get(NDArrayIndex.interval(0, 400), NDArrayIndex.all()),
                teacher.get(NDArrayIndex.interval(0, 400), NDArrayIndex.all()),
                narrow.get(NDArrayIndex.interval(400, 600), NDArrayIndex.all()),
                teacher.get(NDArrayIndex.interval(400, 600), NDArrayIndex.all()));
        assertTrue(g > 0.35 && g < 0.65, "cosine of a vector with its 4-of-16 projection is about sqrt(4/16): " + g);
    }

    @Test
    void neighboursAgreeUnderRotationAndScalingAndNotForUnrelatedEmbeddings() {
        INDArray teacher = gaussian(3, 300, 8);
        INDArray q = Nd4j.linalg().qr(gaussian(4, 8, 8))[0];
        assertEquals(1.0, Embeddings.neighbourAgreement(teacher.mmul(q).mul(3.0), teacher, 10), 1e-9);
        double random = Embeddings.neighbourAgreement(gaussian(5, 300, 8), teacher, 10);
        assertTrue(random < 0.1, "unrelated embeddings share about k/n = 3% of neighbours: " + random);
    }
}
