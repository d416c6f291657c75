package dev.distillery.data;

import dev.distillery.spec.SpecException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * WAV files (any PCM or float sample format the JDK's sound API reads; several channels are
 * averaged) at {@value #SAMPLE_RATE} Hz, each cut or padded with silence at the end to one length,
 * then turned into 40-band log-mel frames as the speech set is ({@link LogMel.Config#speech}); each
 * clip's waveform is kept for teachers that listen to audio.
 */
final class AudioFiles {

    static final int SAMPLE_RATE = 16000;
    static final int MELS = 40;

    private AudioFiles() {}

    /** {@code samples}: the length every clip is cut or padded to (0: the longest clip's). */
    static RawExamples read(List<Path> files, List<String> labels, int samples) {
        List<float[]> waves = new ArrayList<>(files.size());
        int longest = 0;
        for (Path f : files) {
            float[] w = samples(f);
            longest = Math.max(longest, w.length);
            waves.add(w);
        }
        int n = samples > 0 ? samples : longest;
        LogMel mel = new LogMel(LogMel.Config.speech(MELS));
        int frames = mel.frames(n);
        if (frames < 1) {
            throw new SpecException("clips of " + n + " samples are shorter than one " + mel.windowSamples()
                    + "-sample window; give longer clips or a longer length (seconds=1)");
        }
        float[] w = new float[waves.size() * n];
        float[] x = new float[waves.size() * frames * MELS];
        List<String> origins = new ArrayList<>(files.size());
        for (int i = 0; i < waves.size(); i++) {
            float[] clip = java.util.Arrays.copyOf(waves.get(i), n);
            System.arraycopy(clip, 0, w, i * n, n);
            float[][] m = mel.compute(clip);
            for (int t = 0; t < frames; t++) {
                System.arraycopy(m[t], 0, x, (i * frames + t) * MELS, MELS);
            }
            origins.add(files.get(i).toString());
        }
        return new RawExamples(
                Nd4j.create(x, new long[] {waves.size(), (long) frames * MELS}, DataType.FLOAT),
                labels,
                Nd4j.create(w, new long[] {waves.size(), n}, DataType.FLOAT),
                null,
                origins);
    }

    /** The clip's samples in [-1, 1], channels averaged; refused unless at {@value #SAMPLE_RATE} Hz. */
    static float[] samples(Path f) {
        try (AudioInputStream in = AudioSystem.getAudioInputStream(f.toFile())) {
            AudioFormat src = in.getFormat();
            if (Math.round(src.getSampleRate()) != SAMPLE_RATE) {
                throw new SpecException(f + " is sampled at " + Math.round(src.getSampleRate()) + " Hz, not "
                        + SAMPLE_RATE + " Hz, which the log-mel front end and the speech teachers expect; resample "
                        + "it, e.g. sox IN.wav -r " + SAMPLE_RATE + " OUT.wav");
            }
            int channels = src.getChannels();
            AudioFormat pcm16 = new AudioFormat(SAMPLE_RATE, 16, channels, true, false);
            byte[] bytes;
            try (AudioInputStream conv = AudioSystem.getAudioInputStream(pcm16, in)) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                conv.transferTo(out);
                bytes = out.toByteArray();
            } catch (IllegalArgumentException e) {
                throw new SpecException(
                        f + " holds " + src + " samples, which cannot be turned into 16-bit PCM; "
                                + "convert it, e.g. sox IN.wav -b 16 OUT.wav",
                        e);
            }
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            int frames = bytes.length / (2 * channels);
            float[] x = new float[frames];
            for (int i = 0; i < frames; i++) {
                float s = 0;
                for (int c = 0; c < channels; c++) {
                    s += b.getShort() / 32768f;
                }
                x[i] = s / channels;
            }
            return x;
        } catch (UnsupportedAudioFileException e) {
            throw new SpecException(
                    f + " is not a WAV file the JDK can read (" + e.getMessage()
                            + "); convert it to PCM WAV (e.g. sox IN -b 16 -r 16000 OUT.wav) or remove it",
                    e);
        } catch (IOException e) {
            throw new SpecException(f + " cannot be read: " + e.getMessage() + "; replace or remove it", e);
        }
    }
}
