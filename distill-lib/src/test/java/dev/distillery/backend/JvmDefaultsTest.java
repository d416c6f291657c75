package dev.distillery.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The launcher and the build start their JVMs as {@link JvmDefaults} says, and this JVM was started so. */
class JvmDefaultsTest {

    private static String read(String file) throws IOException {
        return Files.readString(Path.of("..").resolve(file));
    }

    @Test
    void theLauncherStartsEveryJvmWithTheDefaults() throws IOException {
        String launcher = read("distillery");
        assertTrue(
                launcher.contains("JVM_DEFAULTS=(" + String.join(" ", JvmDefaults.OPTIONS) + ")"),
                "./distillery's JVM_DEFAULTS lists " + JvmDefaults.OPTIONS);
        long javaCommands =
                launcher.lines().filter(l -> l.strip().startsWith("exec java")).count();
        long withDefaults = launcher.lines()
                .filter(l -> l.strip().startsWith("exec java") && l.contains("\"${JVM_DEFAULTS[@]}\""))
                .count();
        assertTrue(
                javaCommands >= 3 && withDefaults == javaCommands,
                "every `exec java` in ./distillery uses JVM_DEFAULTS");
    }

    @Test
    void theTestsRunAsTheLauncherDoes() throws IOException {
        List<String> argLines = java.util.regex.Pattern.compile("<argLine>(.*?)</argLine>")
                .matcher(read("pom.xml"))
                .results()
                .map(m -> m.group(1))
                .toList();
        assertEquals(2, argLines.size(), "pom.xml has an argLine for unit tests and one for integration tests");
        for (String option : JvmDefaults.OPTIONS) {
            for (String argLine : argLines) {
                assertTrue(List.of(argLine.split(" ")).contains(option), "pom.xml's argLine has " + option);
            }
            assertTrue(
                    java.lang.management.ManagementFactory.getRuntimeMXBean()
                            .getInputArguments()
                            .contains(option),
                    "this test JVM was started with " + option);
        }
    }
}
