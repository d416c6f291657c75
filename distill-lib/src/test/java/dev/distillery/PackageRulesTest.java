package dev.distillery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every package of the three modules says in its {@code package-info.java} what it holds and which
 * Distillery packages it may import ({@code May import: a, b.}); every source file keeps to its
 * package's list, in imports and in fully qualified names alike.
 */
class PackageRulesTest {

    static final List<Path> SOURCES = List.of(
            Path.of("src/main/java"), Path.of("../kernel-ext/src/main/java"), Path.of("../bench/src/main/java"));
    static final Pattern MAY_IMPORT = Pattern.compile("May import: ([A-Za-z., ]*?)\\.\\s*$", Pattern.MULTILINE);
    static final Pattern REFERENCE = Pattern.compile("\\bdev\\.distillery\\.([a-z]+(?:\\.[a-z]+)*)\\.[A-Z]");

    @Test
    void everyPackageDeclaresWhatItMayImportAndKeepsToIt() throws IOException {
        Map<String, Set<String>> allowed = new TreeMap<>();
        Map<String, List<Path>> files = new TreeMap<>();
        for (Path root : SOURCES) {
            Path base = root.resolve("dev/distillery");
            try (Stream<Path> walk = Files.walk(base)) {
                for (Path f : walk.filter(p -> p.toString().endsWith(".java")).toList()) {
                    String pkg = base.relativize(f.getParent()).toString().replace('/', '.');
                    if (f.getFileName().toString().equals("package-info.java")) {
                        Matcher m = MAY_IMPORT.matcher(Files.readString(f));
                        assertTrue(m.find(), f + " says what the package may import: 'May import: a, b.'");
                        allowed.put(
                                pkg,
                                m.group(1).startsWith("nothing")
                                        ? Set.of()
                                        : Set.of(m.group(1).trim().split("\\s*,\\s*")));
                    } else {
                        files.computeIfAbsent(pkg, k -> new ArrayList<>()).add(f);
                    }
                }
            }
        }
        assertEquals(files.keySet(), allowed.keySet(), "every package has a package-info.java");
        List<String> broken = new ArrayList<>();
        for (Map.Entry<String, List<Path>> e : files.entrySet()) {
            for (Path f : e.getValue()) {
                Matcher m = REFERENCE.matcher(Files.readString(f));
                while (m.find()) {
                    String to = m.group(1);
                    if (!to.equals(e.getKey()) && !allowed.get(e.getKey()).contains(to)) {
                        broken.add(
                                f + " uses dev.distillery." + to + ", which package " + e.getKey() + " may not import");
                    }
                }
            }
        }
        assertTrue(broken.isEmpty(), String.join("\n", broken));
    }
}
