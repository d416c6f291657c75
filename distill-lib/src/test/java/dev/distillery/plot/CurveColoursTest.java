package dev.distillery.plot;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.Color;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

/** Training curves read by recipe: one hue per recipe, its seeds in shades and line styles of it. */
class CurveColoursTest {

    static float hue(Color c) {
        return Color.RGBtoHSB(c.getRed(), c.getGreen(), c.getBlue(), null)[0];
    }

    @Test
    void seedsOfOneRecipeShareAHueAndRecipesDiffer() {
        XYChart chart = Charts.curves(
                "validation accuracy",
                "validation accuracy (%)",
                List.of(
                        new Charts.Curve("tiny scratch s1", "tiny scratch", new double[] {60, 70, 75}),
                        new Charts.Curve("tiny scratch s2", "tiny scratch", new double[] {61, 71, 74}),
                        new Charts.Curve("tiny scratch s3", "tiny scratch", new double[] {59, 69, 76}),
                        new Charts.Curve("tiny kd s1", "tiny kd", new double[] {70, 80, 84}),
                        new Charts.Curve("tiny kd s2", "tiny kd", new double[] {71, 79, 83})));
        List<XYSeries> s = List.copyOf(chart.getSeriesMap().values());
        assertEquals(5, s.size());
        Color scratch = s.get(0).getLineColor();
        Color kd = s.get(3).getLineColor();
        for (XYSeries seed : s.subList(0, 3)) {
            assertEquals(hue(scratch), hue(seed.getLineColor()), 0.01, seed.getName() + " keeps the recipe's hue");
            assertEquals(seed.getLineColor(), seed.getMarkerColor());
        }
        assertEquals(hue(kd), hue(s.get(4).getLineColor()), 0.01);
        assertTrue(Math.abs(hue(scratch) - hue(kd)) > 0.1, "two recipes, two hues: " + scratch + " " + kd);
        // seeds apart: each a different shade and line style
        assertNotEquals(s.get(0).getLineColor(), s.get(1).getLineColor());
        assertNotEquals(s.get(1).getLineColor(), s.get(2).getLineColor());
        assertNotEquals(s.get(0).getLineStyle(), s.get(1).getLineStyle());
    }
}
