package dev.distillery.data;

import dev.distillery.spec.SpecException;

/**
 * Log-mel filterbank features of mono audio: frames of {@code windowMs} (Hann window) every
 * {@code hopMs}, the power spectrum of each by an FFT of the next power of two, triangular filters
 * spaced evenly on the mel scale ({@code 2595·log10(1 + f/700)}) between {@code fMin} and
 * {@code fMax}, and the natural log of each filter's energy (floored at {@value #FLOOR}).
 *
 * <p>The defaults are the speech front end of the HuBERT line of work at 16 kHz: 25 ms windows,
 * 10 ms hop, 40 bands from 20 Hz to 8 kHz. Frames are taken only where a whole window fits:
 * {@code 1 + (samples − window) / hop} of them.
 */
public final class LogMel {

    /** The energy floor before the log, so that silence gives {@code log(1e-10)}, not −∞. */
    public static final double FLOOR = 1e-10;

    /** Sample rate (Hz), window and hop (ms), number of mel bands and the band range (Hz). */
    public record Config(int sampleRate, double windowMs, double hopMs, int mels, double fMin, double fMax) {

        public Config {
            if (sampleRate <= 0) {
                throw new SpecException("log-mel: sampleRate must be positive, got " + sampleRate);
            }
            if (!(windowMs > 0) || !(hopMs > 0)) {
                throw new SpecException(
                        "log-mel: window and hop must be positive milliseconds, got " + windowMs + " and " + hopMs);
            }
            if (mels < 1) {
                throw new SpecException("log-mel: mels must be at least 1, got " + mels);
            }
            if (!(fMin >= 0 && fMin < fMax && fMax <= sampleRate / 2.0)) {
                throw new SpecException("log-mel: need 0 <= fMin < fMax <= sampleRate/2 (" + sampleRate / 2.0
                        + " Hz), got " + fMin + " and " + fMax);
            }
        }

        /** 16 kHz, 25 ms windows, 10 ms hop, {@code mels} bands from 20 Hz to 8 kHz. */
        public static Config speech(int mels) {
            return new Config(16000, 25, 10, mels, 20, 8000);
        }
    }

    private final Config config;
    private final int window;
    private final int hop;
    private final int fft;
    private final double[] hann;
    /** Per band: the first spectrum bin it weighs and the weights from there. */
    private final int[] firstBin;

    private final double[][] weights;
    private final double[] centers;

    public LogMel(Config config) {
        this.config = config;
        this.window = (int) Math.round(config.sampleRate() * config.windowMs() / 1000.0);
        this.hop = (int) Math.round(config.sampleRate() * config.hopMs() / 1000.0);
        if (window < 2 || hop < 1) {
            throw new SpecException("log-mel: a " + config.windowMs() + " ms window at " + config.sampleRate()
                    + " Hz is " + window + " samples; it needs at least 2");
        }
        int n = 1;
        while (n < window) {
            n <<= 1;
        }
        this.fft = n;
        this.hann = new double[window];
        for (int i = 0; i < window; i++) {
            // the periodic Hann window (as torch.hann_window and librosa use)
            hann[i] = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / window);
        }
        int bins = fft / 2 + 1;
        double lo = hzToMel(config.fMin());
        double hi = hzToMel(config.fMax());
        double[] edges = new double[config.mels() + 2];
        for (int i = 0; i < edges.length; i++) {
            edges[i] = melToHz(lo + (hi - lo) * i / (config.mels() + 1));
        }
        this.centers = new double[config.mels()];
        this.firstBin = new int[config.mels()];
        this.weights = new double[config.mels()][];
        double binHz = (double) config.sampleRate() / fft;
        for (int m = 0; m < config.mels(); m++) {
            double left = edges[m];
            double centre = edges[m + 1];
            double right = edges[m + 2];
            centers[m] = centre;
            int from = (int) Math.ceil(left / binHz);
            int to = Math.min(bins - 1, (int) Math.floor(right / binHz));
            double[] w = new double[Math.max(0, to - from + 1)];
            for (int k = from; k <= to; k++) {
                double f = k * binHz;
                w[k - from] = f <= centre ? (f - left) / (centre - left) : (right - f) / (right - centre);
                w[k - from] = Math.max(0, w[k - from]);
            }
            firstBin[m] = from;
            weights[m] = w;
        }
    }

    public static double hzToMel(double hz) {
        return 2595 * Math.log10(1 + hz / 700);
    }

    public static double melToHz(double mel) {
        return 700 * (Math.pow(10, mel / 2595) - 1);
    }

    public Config config() {
        return config;
    }

    /** Samples per window and per hop. */
    public int windowSamples() {
        return window;
    }

    public int hopSamples() {
        return hop;
    }

    /** The FFT length: the window's length rounded up to a power of two. */
    public int fftSize() {
        return fft;
    }

    /** The centre frequency (Hz) of band {@code m}, where its triangle peaks. */
    public double centerHz(int m) {
        return centers[m];
    }

    /** How many frames {@code samples} samples give. */
    public int frames(int samples) {
        return samples < window ? 0 : 1 + (samples - window) / hop;
    }

    /** Log-mel features {@code [frames][mels]} of {@code samples} (any scale; 16-bit audio as ±1 floats is usual). */
    public float[][] compute(float[] samples) {
        int frames = frames(samples.length);
        float[][] out = new float[frames][config.mels()];
        double[] re = new double[fft];
        double[] im = new double[fft];
        double[] power = new double[fft / 2 + 1];
        for (int t = 0; t < frames; t++) {
            java.util.Arrays.fill(re, 0);
            java.util.Arrays.fill(im, 0);
            int start = t * hop;
            for (int i = 0; i < window; i++) {
                re[i] = samples[start + i] * hann[i];
            }
            fft(re, im);
            for (int k = 0; k < power.length; k++) {
                power[k] = re[k] * re[k] + im[k] * im[k];
            }
            for (int m = 0; m < config.mels(); m++) {
                double e = 0;
                double[] w = weights[m];
                for (int j = 0; j < w.length; j++) {
                    e += w[j] * power[firstBin[m] + j];
                }
                out[t][m] = (float) Math.log(Math.max(e, FLOOR));
            }
        }
        return out;
    }

    /** In-place iterative radix-2 FFT of {@code (re, im)}, whose length is a power of two. */
    static void fft(double[] re, double[] im) {
        int n = re.length;
        for (int i = 1, j = 0; i < n; i++) {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) {
                j ^= bit;
            }
            j ^= bit;
            if (i < j) {
                double t = re[i];
                re[i] = re[j];
                re[j] = t;
                t = im[i];
                im[i] = im[j];
                im[j] = t;
            }
        }
        for (int len = 2; len <= n; len <<= 1) {
            double angle = -2 * Math.PI / len;
            double wr = Math.cos(angle);
            double wi = Math.sin(angle);
            for (int i = 0; i < n; i += len) {
                double cr = 1;
                double ci = 0;
                for (int k = 0; k < len / 2; k++) {
                    int a = i + k;
                    int b = a + len / 2;
                    double xr = re[b] * cr - im[b] * ci;
                    double xi = re[b] * ci + im[b] * cr;
                    re[b] = re[a] - xr;
                    im[b] = im[a] - xi;
                    re[a] += xr;
                    im[a] += xi;
                    double nr = cr * wr - ci * wi;
                    ci = cr * wi + ci * wr;
                    cr = nr;
                }
            }
        }
    }
}
