package dev.distillery.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillery.spec.SpecException;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The speech front end against analytic cases: pure tones, silence, scaling, and the DFT itself. */
class LogMelTest {

    private static final LogMel MEL = new LogMel(LogMel.Config.speech(40));

    private static float[] tone(double hz, double amplitude, int samples) {
        float[] x = new float[samples];
        for (int i = 0; i < samples; i++) {
            x[i] = (float) (amplitude * Math.sin(2 * Math.PI * hz * i / 16000.0));
        }
        return x;
    }

    private static double[] meanOverFrames(float[][] f) {
        double[] m = new double[f[0].length];
        for (float[] frame : f) {
            for (int j = 0; j < m.length; j++) {
                m[j] += frame[j] / f.length;
            }
        }
        return m;
    }

    @Test
    void framesFollowWindowAndHop() {
        assertEquals(400, MEL.windowSamples(), "25 ms at 16 kHz");
        assertEquals(160, MEL.hopSamples(), "10 ms at 16 kHz");
        assertEquals(512, MEL.fftSize());
        assertEquals(98, MEL.frames(16000), "1 + (16000 - 400) / 160");
        assertEquals(98, MEL.compute(new float[16000]).length);
        assertEquals(0, MEL.compute(new float[399]).length, "no whole window, no frame");
        assertEquals(40, MEL.compute(new float[400])[0].length);
    }

    @Test
    void aPureToneLandsInItsBand() {
        for (int band : new int[] {3, 12, 25, 37}) {
            double hz = MEL.centerHz(band);
            double[] m = meanOverFrames(MEL.compute(tone(hz, 0.5, 16000)));
            int best = 0;
            for (int j = 1; j < m.length; j++) {
                if (m[j] > m[best]) {
                    best = j;
                }
            }
            assertEquals(band, best, "a " + Math.round(hz) + " Hz tone peaks in band " + band);
            // two bands away the triangle no longer covers the tone: only window leakage is left
            assertTrue(
                    m[band] - m[band + 2] > Math.log(100),
                    "band " + band + " vs " + (band + 2) + ": " + m[band] + " vs " + m[band + 2]);
            assertTrue(m[band] - m[band - 2] > Math.log(100), "band " + band + " vs " + (band - 2));
        }
    }

    @Test
    void doublingTheAmplitudeAddsLogFourToEveryBand() {
        float[][] a = MEL.compute(tone(440, 0.25, 4000));
        float[][] b = MEL.compute(tone(440, 0.5, 4000));
        int checked = 0;
        for (int t = 0; t < a.length; t++) {
            float max = Float.NEGATIVE_INFINITY;
            for (float v : a[t]) {
                max = Math.max(max, v);
            }
            for (int j = 0; j < a[t].length; j++) {
                // bands within e^-10 of the peak: further out, float rounding of the samples is all there is
                if (a[t][j] > max - 10) {
                    assertEquals(Math.log(4), b[t][j] - a[t][j], 1e-3, "frame " + t + " band " + j);
                    checked++;
                }
            }
        }
        assertTrue(checked >= 3 * a.length, "several bands per frame carry the tone: " + checked);
    }

    @Test
    void silenceGivesTheFloor() {
        for (float[] frame : MEL.compute(new float[1600])) {
            for (float v : frame) {
                assertEquals(Math.log(LogMel.FLOOR), v, 1e-5);
            }
        }
    }

    @Test
    void fftEqualsTheDefinitionOfTheDft() {
        Random r = new Random(3);
        int n = 64;
        double[] re = new double[n];
        double[] im = new double[n];
        for (int i = 0; i < n; i++) {
            re[i] = r.nextGaussian();
            im[i] = r.nextGaussian();
        }
        double[] fr = re.clone();
        double[] fi = im.clone();
        LogMel.fft(fr, fi);
        for (int k = 0; k < n; k++) {
            double sr = 0;
            double si = 0;
            for (int t = 0; t < n; t++) {
                double a = -2 * Math.PI * k * t / n;
                sr += re[t] * Math.cos(a) - im[t] * Math.sin(a);
                si += re[t] * Math.sin(a) + im[t] * Math.cos(a);
            }
            assertEquals(sr, fr[k], 1e-9, "real part of bin " + k);
            assertEquals(si, fi[k], 1e-9, "imaginary part of bin " + k);
        }
    }

    @Test
    void melScaleAndBandLayout() {
        assertEquals(1000.0, LogMel.hzToMel(1000), 0.05, "1000 Hz is 1000 mel on the HTK scale");
        assertEquals(3456.7, LogMel.melToHz(LogMel.hzToMel(3456.7)), 1e-9);
        for (int m = 1; m < 40; m++) {
            assertTrue(MEL.centerHz(m) > MEL.centerHz(m - 1), "centres increase");
        }
        assertTrue(MEL.centerHz(0) > 20 && MEL.centerHz(39) < 8000);
    }

    @Test
    void badSettingsNameTheField() {
        SpecException e =
                assertThrows(SpecException.class, () -> new LogMel(new LogMel.Config(16000, 25, 10, 40, 0, 9000)));
        assertTrue(e.getMessage().contains("fMax") && e.getMessage().contains("8000"), e.getMessage());
        assertTrue(assertThrows(SpecException.class, () -> LogMel.Config.speech(0))
                .getMessage()
                .contains("mels"));
    }
}
