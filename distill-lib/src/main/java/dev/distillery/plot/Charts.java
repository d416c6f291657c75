package dev.distillery.plot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** XChart figures: training curves and accuracy against parameter count, saved as PNG. */
public final class Charts {

    /** One curve: a name and its y values at x = 1, 2, ... */
    public record Curve(String name, double[] values) {}

    /** One point of a trade-off plot: a group (series), x (parameters), y (accuracy) and its error bar. */
    public record Point(String group, double parameters, double accuracy, double error) {}

    private Charts() {}

    /** Curves against epoch, e.g. validation accuracy of each run. */
    public static XYChart curves(String title, String yLabel, List<Curve> curves) {
        XYChart c = new XYChartBuilder()
                .width(800)
                .height(500)
                .title(title)
                .xAxisTitle("epoch")
                .yAxisTitle(yLabel)
                .build();
        c.getStyler().setMarkerSize(4);
        c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
        for (Curve cv : curves) {
            double[] x = new double[cv.values().length];
            for (int i = 0; i < x.length; i++) {
                x[i] = i + 1;
            }
            c.addSeries(unique(c, cv.name()), x, cv.values());
        }
        return c;
    }

    /** Accuracy against parameter count (log scale), one series per group, with error bars. */
    public static XYChart tradeoff(String title, List<Point> points) {
        XYChart c = new XYChartBuilder()
                .width(800)
                .height(500)
                .title(title)
                .xAxisTitle("parameters")
                .yAxisTitle("test accuracy (%)")
                .build();
        c.getStyler().setXAxisLogarithmic(true);
        c.getStyler().setMarkerSize(10);
        c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideSE);
        points.stream().map(Point::group).distinct().forEach(g -> {
            List<Point> ps = points.stream().filter(p -> p.group().equals(g)).toList();
            double[] x = ps.stream().mapToDouble(Point::parameters).toArray();
            double[] y = ps.stream().mapToDouble(p -> 100 * p.accuracy()).toArray();
            double[] e = ps.stream().mapToDouble(p -> 100 * p.error()).toArray();
            XYSeries s = c.addSeries(g, x, y, e);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(SeriesMarkers.CIRCLE);
        });
        return c;
    }

    /** Writes {@code chart} as a PNG; returns the file. */
    public static Path savePng(Chart<?, ?> chart, Path file) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            String name = file.toString().endsWith(".png")
                    ? file.toString().substring(0, file.toString().length() - 4)
                    : file.toString();
            BitmapEncoder.saveBitmapWithDPI(chart, name, BitmapEncoder.BitmapFormat.PNG, 120);
            return Path.of(name + ".png");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write figure " + file + ": " + e.getMessage(), e);
        }
    }

    private static String unique(XYChart c, String name) {
        String n = name;
        for (int i = 2; c.getSeriesMap().containsKey(n); i++) {
            n = name + " (" + i + ")";
        }
        return n;
    }
}
