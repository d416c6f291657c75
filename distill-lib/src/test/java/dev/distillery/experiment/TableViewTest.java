package dev.distillery.experiment;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

class TableViewTest {

    static Table summary() {
        DoubleColumn agree = DoubleColumn.create("agreement_mean", new double[] {0, 0.8934666});
        agree.setMissing(0);
        DoubleColumn agreeStd = DoubleColumn.create("agreement_std", new double[] {0, 0.0027300});
        agreeStd.setMissing(0);
        return Table.create(
                "summary",
                StringColumn.create("student", "tiny", "tiny"),
                StringColumn.create("recipe", "scratch", "kd T=4 a=0.1"),
                IntColumn.create("seeds", 3, 3),
                DoubleColumn.create("test_acc_mean", 0.8079333, 0.8291333),
                DoubleColumn.create("test_acc_std", 0.0034019, 0.0020033),
                agree,
                agreeStd,
                DoubleColumn.create("kl_mean", Double.NaN, 0.1109614),
                LongColumn.create("params", 50890, 1234567));
    }

    @Test
    void summaryReadsWithHumanHeadersPercentagesAndSeparators() {
        TableView v = TableView.of(summary());
        assertEquals(
                List.of("student", "recipe", "seeds", "test accuracy", "agreement", "KL", "parameters"), v.headers());
        assertEquals(
                List.of("tiny", "scratch", "3", "80.79 ± 0.34%", "", "", "50,890"),
                v.rows().get(0));
        assertEquals(
                List.of("tiny", "kd T=4 a=0.1", "3", "82.91 ± 0.20%", "89.35 ± 0.27%", "0.111", "1,234,567"),
                v.rows().get(1));
        String text = v.text(10);
        assertTrue(text.startsWith("summary\nstudent | recipe       | seeds | test accuracy"), text);
        assertTrue(text.contains("82.91 ± 0.20%") && !text.contains("test_acc"), text);
    }

    @Test
    void aColumnItDoesNotKnowKeepsItsNameAndOnePercentColumnHasNoSpread() {
        Table t = Table.create(
                "mine",
                DoubleColumn.create("test_acc", 0.5),
                DoubleColumn.create("my_score", 1.234567),
                IntColumn.create("my_count", new int[] {12345}));
        TableView v = TableView.of(t);
        assertEquals(List.of("test accuracy", "my_score", "my_count"), v.headers());
        assertEquals(List.of("50.00%", "1.2346", "12,345"), v.rows().get(0));
        assertEquals(List.of(true, true, true), v.numeric());
    }
}
