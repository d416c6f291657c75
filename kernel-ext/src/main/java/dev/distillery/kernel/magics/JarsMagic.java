package dev.distillery.kernel.magics;

import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
        name = "%jars",
        description = "Add jar files matching glob patterns to the kernel's class path.",
        footer = {"", "Examples:", "  %%jars lib/*.jar", "  %%jars /opt/libs/**/*.jar"})
final class JarsMagic extends Magic {

    @Parameters(arity = "1..*", paramLabel = "GLOB", description = "jar paths or glob patterns (*, **, ?)")
    List<String> globs = new ArrayList<>();

    @Override
    public List<String> run(String body) throws Exception {
        MagicContext.Code code = ctx.requireCode("%jars");
        List<String> added = new ArrayList<>();
        for (String g : globs) {
            List<Path> found = new ArrayList<>();
            for (Path p : glob(g)) {
                if (Files.isRegularFile(p) && p.toString().endsWith(".jar")) {
                    found.add(p.toAbsolutePath().normalize());
                }
            }
            if (found.isEmpty()) {
                throw new IllegalArgumentException("%jars: no jar file matches '" + g + "' (from "
                        + Path.of("").toAbsolutePath() + ")");
            }
            for (Path p : found) {
                code.addToClasspath(p.toString());
                added.add(p.toString());
            }
        }
        return added;
    }

    /** Files matching {@code glob}; the walk starts at the longest leading part without wildcards. */
    static List<Path> glob(String glob) throws java.io.IOException {
        if (!glob.contains("*") && !glob.contains("?") && !glob.contains("[")) {
            return List.of(Path.of(glob));
        }
        String[] parts = glob.split("/", -1);
        StringBuilder base = new StringBuilder(glob.startsWith("/") ? "/" : "");
        for (String part : parts) {
            if (part.contains("*") || part.contains("?") || part.contains("[")) {
                break;
            }
            if (!part.isEmpty()) {
                base.append(part).append('/');
            }
        }
        Path root = Path.of(base.length() == 0 ? "." : base.toString());
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        Path absRoot = root.toAbsolutePath().normalize();
        String absGlob =
                glob.startsWith("/") ? glob : Path.of("").toAbsolutePath() + "/" + glob.replaceFirst("^\\./", "");
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + absGlob);
        try (Stream<Path> s = Files.walk(absRoot)) {
            return s.filter(p -> m.matches(p)).sorted().toList();
        }
    }
}
