package dev.distillery.backend;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** Library versions as built, plus the runtime: recorded in every run and model file. */
public final class Versions {

    private static final Properties BUILT = load();

    private Versions() {}

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = Versions.class.getResourceAsStream("versions.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    public static String get(String name) {
        return BUILT.getProperty(name, "unknown");
    }

    /** Everything a result needs to explain which code produced it, and which libraries and CPU did the arithmetic. */
    public static Map<String, String> all() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String k :
                new String[] {"distillery", "nd4j", "nd4j.backend", "nd4j.classifier", "jackson", "tablesaw", "xchart"
                }) {
            m.put(k, get(k));
        }
        m.put("java", System.getProperty("java.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        m.put("threads", String.valueOf(Backend.threads()));
        m.putAll(Backend.arithmetic());
        return m;
    }
}
