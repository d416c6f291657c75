package dev.distillery.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/** Figures for papers: a chart saved as SVG is an SVG document with its series; as PDF, a page a PDF renderer draws. */
class ChartsSaveTest {

    @TempDir
    Path tmp;

    static XYChart chart() {
        return Charts.curves(
                "validation accuracy",
                "accuracy (%)",
                List.of(
                        new Charts.Curve("kd T=4", new double[] {70, 80, 84}),
                        new Charts.Curve("scratch", new double[] {65, 74, 79})));
    }

    @Test
    void svgParsesAsSvgAndNamesEverySeries() throws Exception {
        XYChart c = chart();
        Path file = Charts.save(c, tmp.resolve("figs/curves.svg"));
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        // the DOCTYPE names the SVG DTD on the web; a figure must parse offline
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document doc = f.newDocumentBuilder().parse(file.toFile());
        assertEquals("svg", doc.getDocumentElement().getLocalName());
        assertEquals("http://www.w3.org/2000/svg", doc.getDocumentElement().getNamespaceURI());
        NodeList title = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "title");
        NodeList desc = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "desc");
        assertEquals("validation accuracy", title.item(0).getTextContent());
        assertEquals("series: kd T=4; scratch", desc.item(0).getTextContent());
        String svg = Files.readString(file);
        for (String series : List.of("kd T=4", "scratch")) {
            java.awt.Color colour = c.getSeriesMap().get(series).getLineColor();
            String stroke = "stroke:rgb(" + colour.getRed() + "," + colour.getGreen() + "," + colour.getBlue() + ")";
            assertTrue(svg.contains(stroke), series + " is drawn as a line in its colour, " + stroke);
        }
        assertTrue(
                doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "path").getLength() > 2,
                "the lines are paths");
    }

    @Test
    void pdfOpensWithPdftoppmAndIsDrawn() throws Exception {
        Path file = Charts.save(chart(), tmp.resolve("curves.pdf"));
        assertEquals("%PDF", new String(Files.readAllBytes(file), 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
        Process p = new ProcessBuilder(
                        "pdftoppm",
                        "-png",
                        "-r",
                        "50",
                        file.toString(),
                        tmp.resolve("page").toString())
                .redirectErrorStream(true)
                .start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "pdftoppm finished");
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.exitValue(), "pdftoppm (Debian's poppler-utils) read the PDF: " + out);
        Path png;
        try (var pages = Files.list(tmp)) {
            png = pages.filter(f -> f.getFileName().toString().startsWith("page"))
                    .findFirst()
                    .orElseThrow();
        }
        BufferedImage page = ImageIO.read(png.toFile());
        assertTrue(page.getWidth() > 100 && page.getHeight() > 50, page.getWidth() + "x" + page.getHeight());
        long coloured = 0;
        for (int y = 0; y < page.getHeight(); y++) {
            for (int x = 0; x < page.getWidth(); x++) {
                int rgb = page.getRGB(x, y) & 0xFFFFFF;
                int r = rgb >> 16, g = (rgb >> 8) & 0xFF, b = rgb & 0xFF;
                if (Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 60) {
                    coloured++;
                }
            }
        }
        assertTrue(coloured > 50, "the series are drawn in colour on the page: " + coloured + " coloured pixels");
    }

    @Test
    void pngStillWorksAndAnUnknownExtensionIsRefusedWithTheFix() {
        assertTrue(Files.isRegularFile(Charts.save(chart(), tmp.resolve("curves.png"))));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> Charts.save(chart(), tmp.resolve("curves.gif")));
        assertTrue(e.getMessage().contains("end the name with .svg or .pdf"), e.getMessage());
    }

    /** Parameter axes read 10k, 100k, 1M: plain numbers at each decade, not 1E5. */
    @Test
    void logAxesAreLabelledInPlainNumbers() throws Exception {
        assertEquals("50k", Charts.count(50_000));
        assertEquals("1.5M", Charts.count(1_500_000));
        assertEquals("890", Charts.count(890));
        assertEquals(
                List.of("10k", "", "100k", "1M"),
                java.util.stream.DoubleStream.of(4, 4.5, 5, 6)
                        .mapToObj(Charts::logTick)
                        .toList());
        XYChart tradeoff = Charts.tradeoff(
                "t", List.of(new Charts.Point("kd", 30_000, 0.8, 0.01), new Charts.Point("kd", 120_000, 0.85, 0.01)));
        double[] x = tradeoff.getSeriesMap().get("kd").getXData();
        assertEquals(Math.log10(30_000), x[0], 1e-12, "drawn at log10 of the count");
        assertEquals(4.0, tradeoff.getStyler().getXAxisMin(), "the axis spans whole decades");
        assertEquals(6.0, tradeoff.getStyler().getXAxisMax());
        assertEquals(
                "100k",
                tradeoff.getStyler().getxAxisTickLabelsFormattingFunction().apply(5.0));
        String svg = Files.readString(Charts.save(tradeoff, tmp.resolve("t.svg")));
        assertTrue(svg.contains("<svg"));
    }
}
