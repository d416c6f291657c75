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
    public record Curve(String name, String group, double[] values) {
        /** A curve that is its own group. */
        public Curve(String name, double[] values) {
            this(name, name, values);
        }
    }

    /** Colour-blind-safe hues (Okabe and Ito), one per group of curves; yellow is left out, too pale on white. */
    private static final java.awt.Color[] GROUP_COLOURS = {
        new java.awt.Color(0x0072B2),
        new java.awt.Color(0xD55E00),
        new java.awt.Color(0x009E73),
        new java.awt.Color(0xCC79A7),
        new java.awt.Color(0xE69F00),
        new java.awt.Color(0x56B4E9),
        new java.awt.Color(0x000000)
    };

    private static final java.awt.BasicStroke[] MEMBER_LINES = {
        org.knowm.xchart.style.lines.SeriesLines.SOLID,
        org.knowm.xchart.style.lines.SeriesLines.DASH_DASH,
        org.knowm.xchart.style.lines.SeriesLines.DOT_DOT
    };

    /**
     * The colour of member {@code k} of a group: the group's hue, lighter for each later member (up to
     * 55% towards white), so the seeds of one recipe read as one family.
     */
    static java.awt.Color shade(java.awt.Color base, int k, int members) {
        double towardsWhite = members <= 1 ? 0 : 0.55 * k / (members - 1);
        return new java.awt.Color(
                (int) Math.round(base.getRed() + (255 - base.getRed()) * towardsWhite),
                (int) Math.round(base.getGreen() + (255 - base.getGreen()) * towardsWhite),
                (int) Math.round(base.getBlue() + (255 - base.getBlue()) * towardsWhite));
    }

    /** One point of a trade-off plot: a group (series), x (parameters), y (accuracy) and its error bar. */
    public record Point(String group, double parameters, double accuracy, double error) {}

    private Charts() {}

    /**
     * Curves against epoch, e.g. validation accuracy of each run. Curves of one group (one recipe's
     * seeds) share a hue, each a lighter shade and its own line style; groups get distinct hues.
     */
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
        List<String> groups = curves.stream().map(Curve::group).distinct().toList();
        java.util.Map<String, Long> members = curves.stream()
                .collect(java.util.stream.Collectors.groupingBy(Curve::group, java.util.stream.Collectors.counting()));
        java.util.Map<String, Integer> seen = new java.util.HashMap<>();
        for (Curve cv : curves) {
            double[] x = new double[cv.values().length];
            for (int i = 0; i < x.length; i++) {
                x[i] = i + 1;
            }
            int g = groups.indexOf(cv.group());
            int k = seen.merge(cv.group(), 1, Integer::sum) - 1;
            java.awt.Color colour = shade(
                    GROUP_COLOURS[g % GROUP_COLOURS.length],
                    k,
                    members.get(cv.group()).intValue());
            XYSeries series = c.addSeries(unique(c, cv.name()), x, cv.values());
            series.setLineColor(colour);
            series.setMarkerColor(colour);
            series.setLineStyle(MEMBER_LINES[k % MEMBER_LINES.length]);
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
        logCountAxis(c);
        return c;
    }

    /**
     * Puts {@code chart}'s x axis (a count, e.g. parameters) on a log scale labelled in plain numbers at
     * each decade ({@code 10k}, {@code 100k}, {@code 1M}), not XChart's {@code 1E5}: XChart's own log
     * axis ignores label formatters, so the series are drawn at {@code log10(x)} on a linear axis that
     * spans whole decades. Call it after the last series is added.
     */
    public static void logCountAxis(XYChart chart) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (XYSeries s : List.copyOf(chart.getSeriesMap().values())) {
            double[] x = s.getXData();
            double[] logX = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                logX[i] = Math.log10(x[i]);
                lo = Math.min(lo, logX[i]);
                hi = Math.max(hi, logX[i]);
            }
            chart.updateXYSeries(s.getName(), logX, s.getYData(), s.getExtraValues());
        }
        if (lo <= hi) {
            chart.getStyler().setXAxisMin(Math.floor(lo));
            chart.getStyler().setXAxisMax(Math.max(Math.ceil(hi), Math.floor(lo) + 1));
        }
        chart.setCustomXAxisTickLabelsFormatter(Charts::logTick);
    }

    /** The label of a tick at {@code log10(count)}: the count in plain numbers at a whole decade, else blank. */
    static String logTick(double log10) {
        return Math.abs(log10 - Math.rint(log10)) < 1e-6 ? count(Math.pow(10, Math.rint(log10))) : "";
    }

    /** A count as people write it on an axis: {@code 500}, {@code 50k}, {@code 1.5M}. */
    public static String count(double v) {
        double a = Math.abs(v);
        if (a >= 1e9) {
            return trim(v / 1e9) + "G";
        }
        if (a >= 1e6) {
            return trim(v / 1e6) + "M";
        }
        if (a >= 1e3) {
            return trim(v / 1e3) + "k";
        }
        return trim(v);
    }

    private static String trim(double v) {
        String s = String.format(java.util.Locale.ROOT, "%.1f", v);
        return s.endsWith(".0") ? s.substring(0, s.length() - 2) : s;
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

    /**
     * Writes {@code chart} in the format its file name ends with: {@code .svg} and {@code .pdf} as
     * vector figures for papers (JFreeSVG; PDFBox's Graphics2D bridge), {@code .png} as a bitmap.
     * Returns the file.
     */
    public static Path save(Chart<?, ?> chart, Path file) {
        String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        String format =
                name.endsWith(".svg") ? "svg" : name.endsWith(".pdf") ? "pdf" : name.endsWith(".png") ? "png" : "";
        if (format.isEmpty()) {
            throw new IllegalArgumentException("cannot tell the figure format of " + file
                    + "; end the name with .svg or .pdf (vector, for papers) or .png");
        }
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            switch (format) {
                case "svg" -> {
                    org.jfree.svg.SVGGraphics2D g =
                            new org.jfree.svg.SVGGraphics2D(chart.getWidth(), chart.getHeight());
                    chart.paint(g, chart.getWidth(), chart.getHeight());
                    Files.writeString(
                            file, described(g.getSVGDocument(), chart), java.nio.charset.StandardCharsets.UTF_8);
                }
                case "pdf" -> {
                    try (org.apache.pdfbox.pdmodel.PDDocument doc = new org.apache.pdfbox.pdmodel.PDDocument()) {
                        org.apache.pdfbox.pdmodel.PDPage page = new org.apache.pdfbox.pdmodel.PDPage(
                                new org.apache.pdfbox.pdmodel.common.PDRectangle(chart.getWidth(), chart.getHeight()));
                        doc.addPage(page);
                        de.rototor.pdfbox.graphics2d.PdfBoxGraphics2D g =
                                new de.rototor.pdfbox.graphics2d.PdfBoxGraphics2D(
                                        doc, chart.getWidth(), chart.getHeight());
                        chart.paint(g, chart.getWidth(), chart.getHeight());
                        g.dispose();
                        try (org.apache.pdfbox.pdmodel.PDPageContentStream content =
                                new org.apache.pdfbox.pdmodel.PDPageContentStream(doc, page)) {
                            content.drawForm(g.getXFormObject());
                        }
                        doc.save(file.toFile());
                    }
                }
                default -> savePng(chart, file);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write figure " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The SVG with the chart's title and series names as its {@code <title>} and {@code <desc>}: XChart
     * draws text as outlines, so without them a reader, a screen reader or a search finds no words.
     */
    private static String described(String svg, Chart<?, ?> chart) {
        int open = svg.indexOf('>', svg.indexOf("<svg")) + 1;
        String meta = "<title>" + xml(String.valueOf(chart.getTitle())) + "</title><desc>series: "
                + xml(String.join("; ", chart.getSeriesMap().keySet())) + "</desc>";
        return svg.substring(0, open) + meta + svg.substring(open);
    }

    private static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String unique(XYChart c, String name) {
        String n = name;
        for (int i = 2; c.getSeriesMap().containsKey(n); i++) {
            n = name + " (" + i + ")";
        }
        return n;
    }
}
