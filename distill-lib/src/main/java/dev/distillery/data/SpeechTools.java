package dev.distillery.data;

import dev.distillery.backend.Seeds;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The Debian tools {@link SpeechCommandsSynth} speaks and perturbs with: {@code espeak-ng} and
 * {@code festival}'s {@code text2wave} for voices, {@code sox} for resampling and effects.
 */
final class SpeechTools {

    private SpeechTools() {}

    /** The word in this voice, as 16 kHz mono samples in [-1, 1]. */
    static float[] speak(SpeechCommandsSynth.Voice v, String word) throws IOException {
        Path tmp = Files.createTempFile("distillery-speak", ".wav");
        try {
            if (v.engine().equals("espeak-ng")) {
                run(
                        List.of(
                                "espeak-ng",
                                "-v",
                                v.voice(),
                                "-p",
                                String.valueOf(v.pitch()),
                                "-s",
                                String.valueOf(v.speed()),
                                "-w",
                                tmp.toString(),
                                word),
                        null);
            } else {
                run(List.of("text2wave", "-eval", "(voice_" + v.voice() + ")", "-o", tmp.toString()), word);
            }
            return sox(tmp, List.of());
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** {@code file} through sox with {@code effects}, read back as 16 kHz mono 16-bit samples. */
    static float[] sox(Path file, List<String> effects) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                "sox",
                "-R",
                file.toString(),
                "-t",
                "raw",
                "-e",
                "signed-integer",
                "-b",
                "16",
                "-r",
                String.valueOf(SpeechCommandsSynth.SAMPLE_RATE),
                "-c",
                "1",
                "-L",
                "-"));
        cmd.addAll(effects);
        byte[] raw = run(cmd, null);
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        float[] x = new float[raw.length / 2];
        for (int i = 0; i < x.length; i++) {
            x[i] = b.getShort() / 32768f;
        }
        return x;
    }

    /** A perturbed copy of {@code clean}: {@code speed}, {@code pitch}, {@code tempo} and {@code reverb} through sox, {@code noise} from {@code rng}. */
    static float[] perturb(float[] clean, String kind, SplittableRandom rng) throws IOException {
        List<String> effects = switch (kind) {
            case "speed" -> List.of("speed", rng.nextBoolean() ? "0.9" : "1.1");
            case "pitch" -> List.of("pitch", rng.nextBoolean() ? "-200" : "200");
            case "tempo" -> List.of("tempo", rng.nextBoolean() ? "0.85" : "1.15");
            case "reverb" -> List.of("reverb", "50");
            default -> List.of();
        };
        if (kind.equals("noise")) {
            // white noise at 20 dB below the clip's power, from the seed
            double power = 0;
            for (float v : clean) {
                power += v * v;
            }
            double std = Math.sqrt(power / clean.length / 100);
            float[] x = clean.clone();
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) Math.max(-1, Math.min(1, x[i] + std * Seeds.gaussian(rng)));
            }
            return x;
        }
        if (effects.isEmpty()) {
            return clean.clone();
        }
        Path tmp = Files.createTempFile("distillery-clip", ".wav");
        try {
            Files.write(tmp, Wav.bytes(clean));
            return Wav.fit(sox(tmp, effects));
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Whether {@code tool} is an executable on the PATH. */
    static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    /** Runs {@code cmd} with {@code stdin} (or none), returns its standard output; a failure names the command. */
    private static byte[] run(List<String> cmd, String stdin) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] err;
        try (InputStream o = p.getInputStream();
                InputStream e = p.getErrorStream()) {
            o.transferTo(out);
            err = e.readAllBytes();
        }
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(
                        String.join(" ", cmd) + " failed: " + new String(err, StandardCharsets.UTF_8).strip());
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + cmd.get(0), e);
        }
        return out.toByteArray();
    }
}
