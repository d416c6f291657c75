package dev.distillery.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** The clips of {@link SpeechCommandsSynth}: 16-bit mono PCM WAV at 16 kHz, one second each. */
public final class Wav {

    private Wav() {}

    /** Exactly {@link SpeechCommandsSynth#LENGTH} samples: the loud part centred, silence around it, trimmed evenly if longer. */
    static float[] fit(float[] x) {
        int first = 0;
        int last = x.length - 1;
        while (first < x.length && Math.abs(x[first]) < 1e-3) {
            first++;
        }
        while (last > first && Math.abs(x[last]) < 1e-3) {
            last--;
        }
        int n = Math.max(0, last - first + 1);
        float[] out = new float[SpeechCommandsSynth.LENGTH];
        if (n >= SpeechCommandsSynth.LENGTH) {
            System.arraycopy(x, first + (n - SpeechCommandsSynth.LENGTH) / 2, out, 0, SpeechCommandsSynth.LENGTH);
        } else {
            System.arraycopy(x, first, out, (SpeechCommandsSynth.LENGTH - n) / 2, n);
        }
        return out;
    }

    /** A 16-bit mono PCM WAV file at 16 kHz. */
    static byte[] bytes(float[] x) {
        return bytes(x, SpeechCommandsSynth.SAMPLE_RATE);
    }

    /** A 16-bit mono PCM WAV file at {@code rate} Hz. */
    static byte[] bytes(float[] x, int rate) {
        ByteBuffer b = ByteBuffer.allocate(44 + 2 * x.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII))
                .putInt(36 + 2 * x.length)
                .put("WAVE".getBytes(StandardCharsets.US_ASCII));
        b.put("fmt ".getBytes(StandardCharsets.US_ASCII))
                .putInt(16)
                .putShort((short) 1)
                .putShort((short) 1)
                .putInt(rate)
                .putInt(rate * 2)
                .putShort((short) 2)
                .putShort((short) 16);
        b.put("data".getBytes(StandardCharsets.US_ASCII)).putInt(2 * x.length);
        for (float v : x) {
            b.putShort((short) Math.round(Math.max(-1, Math.min(1, v)) * 32767));
        }
        return b.array();
    }

    /** The samples of a file written by {@link #bytes}, in [-1, 1]. */
    public static float[] read(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            if (bytes.length < 44 || b.getInt(0) != 0x46464952 || b.getShort(22) != 1 || b.getShort(34) != 16) {
                throw new IllegalArgumentException(
                        file + " is not a 16-bit mono PCM WAV file; rebuild with ./distillery dataset " + "build "
                                + SpeechCommandsSynth.NAME);
            }
            float[] x = new float[(bytes.length - 44) / 2];
            b.position(44);
            for (int i = 0; i < x.length; i++) {
                x[i] = b.getShort() / 32768f;
            }
            return x;
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file + ": " + e.getMessage(), e);
        }
    }
}
