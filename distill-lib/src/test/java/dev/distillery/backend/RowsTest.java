package dev.distillery.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class RowsTest {

    private static final int[] PICK = {4, 0, 4, 7, 2};

    private static INDArray counting(DataType type, long... shape) {
        return Nd4j.linspace(1, 100_000, Nd4j.create(shape).length(), type).reshape('c', shape);
    }

    private static void sameAsPullRows(INDArray a) {
        INDArray got = Rows.gather(a, PICK);
        INDArray want = Nd4j.pullRows(a, 1, PICK);
        assertArrayEquals(want.shape(), got.shape());
        assertEquals(want.dataType(), got.dataType());
        assertArrayEquals(want.dup('c').data().asDouble(), got.dup('c').data().asDouble(), 0.0);
    }

    @Test
    void picksTheRowsInOrderAsPullRowsDoes() {
        sameAsPullRows(counting(DataType.FLOAT, 8, 5));
        sameAsPullRows(counting(DataType.DOUBLE, 8, 3));
        INDArray ids = counting(DataType.INT32, 8, 6);
        sameAsPullRows(ids);
    }

    @Test
    void readsRowsOfAViewFromItsOwnOffset() {
        INDArray whole = counting(DataType.FLOAT, 20, 6);
        INDArray view = whole.get(NDArrayIndex.interval(9, 17), NDArrayIndex.all());
        INDArray got = Rows.gather(view, PICK);
        for (int i = 0; i < PICK.length; i++) {
            assertArrayEquals(
                    whole.getRow(9 + PICK[i]).toFloatVector(), got.getRow(i).toFloatVector(), 0f, "row " + i);
        }
    }

    @Test
    void handlesEveryLayoutPullRowsDoes() {
        INDArray column = counting(DataType.FLOAT, 5, 8).transpose(); // [8, 5] 'f', rows not contiguous
        sameAsPullRows(column);
        INDArray cube = counting(DataType.FLOAT, 8, 3, 4);
        INDArray got = Rows.gather(cube, PICK);
        assertArrayEquals(new long[] {5, 3, 4}, got.shape());
        for (int i = 0; i < PICK.length; i++) {
            assertEquals(cube.slice(PICK[i]), got.slice(i), "example " + i);
        }
    }

    @Test
    void gathersIntoTheOpenWorkspace() {
        INDArray a = counting(DataType.FLOAT, 8, 5);
        try (var ws = Nd4j.getWorkspaceManager()
                .getAndActivateWorkspace(
                        WorkspaceConfiguration.builder().initialSize(1 << 20).build(), "rows-test")) {
            INDArray got = Rows.gather(a, PICK);
            assertEquals(ws, got.data().getParentWorkspace(), "allocated in the open workspace");
            assertArrayEquals(a.getRow(7).toFloatVector(), got.getRow(3).toFloatVector(), 0f);
        }
    }

    @Test
    void refusesARowOutsideTheArray() {
        INDArray a = counting(DataType.FLOAT, 8, 5);
        var e = assertThrows(IndexOutOfBoundsException.class, () -> Rows.gather(a, new int[] {1, 8}));
        assertEquals("row 8 of an array with 8 rows", e.getMessage());
    }
}
