package dev.distillery.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Collectors;

/** Reads and writes specs and records as JSON or YAML, with errors that name the file and field. */
public final class Specs {

    private static final ObjectMapper JSON = configure(new ObjectMapper());
    private static final ObjectMapper YAML = configure(new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)));

    private Specs() {}

    private static ObjectMapper configure(ObjectMapper m) {
        m.findAndRegisterModules();
        m.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        m.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        m.enable(SerializationFeature.INDENT_OUTPUT);
        m.disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
        m.disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        return m;
    }

    public static ObjectMapper json() {
        return JSON;
    }

    /** Reads a {@code .json}, {@code .yaml} or {@code .yml} file. */
    public static <T> T read(Path file, Class<T> type) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new SpecException("spec file " + file + " does not exist; check the path (working directory is "
                    + Path.of("").toAbsolutePath() + ")");
        } catch (IOException e) {
            throw new SpecException("cannot read spec file " + file + ": " + e.getMessage(), e);
        }
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        boolean json = name.endsWith(".json");
        if (!json && !name.endsWith(".yaml") && !name.endsWith(".yml")) {
            json = text.stripLeading().startsWith("{");
        }
        return parse(text, type, file.toString(), json);
    }

    /**
     * Reads YAML, which JSON is a subset of (so {@code {name: x}}, YAML's flow style, reads too).
     * {@code source} names the text in errors.
     */
    public static <T> T parse(String text, Class<T> type, String source) {
        return parse(text, type, source, false);
    }

    private static <T> T parse(String text, Class<T> type, String source, boolean json) {
        try {
            T value = (json ? JSON : YAML).readValue(text, type);
            if (value == null) {
                throw new SpecException(source + " is empty; expected a " + type.getSimpleName());
            }
            return value;
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null
                    ? ""
                    : e.getKnownPropertyIds().stream()
                            .map(String::valueOf)
                            .sorted()
                            .collect(Collectors.joining(", "));
            throw new SpecException(
                    source + where(e) + ": unknown field '" + e.getPropertyName() + "' in "
                            + e.getReferringClass().getSimpleName() + "; known fields: " + known,
                    e);
        } catch (InvalidTypeIdException e) {
            throw new SpecException(
                    source + where(e) + ": unknown type '" + e.getTypeId() + "' for "
                            + e.getBaseType().getRawClass().getSimpleName() + "; "
                            + knownTypes(e.getBaseType().getRawClass()),
                    e);
        } catch (ValueInstantiationException e) {
            Throwable c = e.getCause() == null ? e : e.getCause();
            throw new SpecException(source + where(e) + ": " + c.getMessage(), e);
        } catch (JsonMappingException e) {
            throw new SpecException(source + where(e) + ": " + e.getOriginalMessage(), e);
        } catch (JsonProcessingException e) {
            throw new SpecException(
                    source + " is not valid " + (json ? "JSON" : "YAML") + where(e) + ": " + parserMessage(e)
                            + "; check the brackets, colons and indentation there",
                    e);
        }
    }

    /**
     * The parser's complaint without its internals: no source-location dump, and of a YAML parser's
     * report, only the sentences (its excerpt and caret lines are dropped; {@link #where} gives the line).
     */
    static String parserMessage(JsonProcessingException e) {
        String m = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        int internals = m.indexOf(" (start marker at ");
        if (internals >= 0) {
            m = m.substring(0, internals);
        }
        m = m.replaceAll("\\s*at \\[Source:.*$", "");
        return m.lines()
                .filter(l -> !l.isBlank() && !l.startsWith(" "))
                .map(String::strip)
                .collect(Collectors.joining("; "));
    }

    private static String where(JsonProcessingException e) {
        StringBuilder s = new StringBuilder();
        if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
            s.append(" at ")
                    .append(m.getPath().stream()
                            .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                            .collect(Collectors.joining("."))
                            .replace(".[", "["));
        }
        if (e.getLocation() != null && e.getLocation().getLineNr() > 0) {
            s.append(" (line ").append(e.getLocation().getLineNr()).append(")");
        }
        return s.toString();
    }

    private static String knownTypes(Class<?> base) {
        com.fasterxml.jackson.annotation.JsonSubTypes st =
                base.getAnnotation(com.fasterxml.jackson.annotation.JsonSubTypes.class);
        if (st == null) {
            return "see the documentation for the known types";
        }
        return "known types: "
                + java.util.Arrays.stream(st.value())
                        .map(com.fasterxml.jackson.annotation.JsonSubTypes.Type::name)
                        .collect(Collectors.joining(", "));
    }

    public static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    public static String toYaml(Object value) {
        try {
            return YAML.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as YAML", e);
        }
    }

    /** Writes JSON or YAML by the file's extension, atomically (a reader never sees half a file). */
    public static void write(Object value, Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        String text = name.endsWith(".yaml") || name.endsWith(".yml") ? toYaml(value) : toJson(value);
        AtomicFiles.writeString(file, text);
    }
}
