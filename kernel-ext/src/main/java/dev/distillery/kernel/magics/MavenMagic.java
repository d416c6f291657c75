package dev.distillery.kernel.magics;

import dev.distillery.data.DataLocator;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Resolution is Maven's own: a throwaway POM and {@code mvn dependency:copy-dependencies}, so
 * transitive dependencies, the local repository and the user's settings.xml all behave as in a build.
 */
@Command(
        name = "%maven",
        description = "Resolve artifacts (with their dependencies) from Maven Central and add them "
                + "to the kernel's class path.",
        footer = {
            "",
            "Examples:",
            "  %%maven org.apache.commons:commons-math3:3.6.1",
            "  %%maven com.google.guava:guava:33.2.1-jre --repository https://repo.example.org/maven2"
        })
final class MavenMagic extends Magic {

    @Parameters(
            arity = "1..*",
            paramLabel = "GROUP:ARTIFACT:VERSION",
            description = "coordinates; " + "GROUP:ARTIFACT:CLASSIFIER:VERSION also works")
    List<String> coordinates = new ArrayList<>();

    @Option(names = "--repository", paramLabel = "URL", description = "an extra repository besides Maven Central")
    List<String> repositories = new ArrayList<>();

    /** The dependency plugin the project's own build uses, so its copy is usually in the local repository. */
    static final String DEPENDENCY_PLUGIN = "3.7.1";

    @Override
    public List<String> run(String body) throws Exception {
        MagicContext.Code code = ctx.requireCode("%maven");
        StringBuilder deps = new StringBuilder();
        for (String c : coordinates) {
            String[] p = c.split(":");
            if (p.length < 3 || p.length > 4 || Stream.of(p).anyMatch(String::isBlank)) {
                throw new MagicUsageException(
                        "%maven",
                        "'" + c + "' is not GROUP:ARTIFACT:VERSION",
                        ctx.catalog().line("maven").usage());
            }
            deps.append("<dependency><groupId>")
                    .append(p[0])
                    .append("</groupId><artifactId>")
                    .append(p[1])
                    .append("</artifactId><version>")
                    .append(p[p.length - 1])
                    .append("</version>");
            if (p.length == 4) {
                deps.append("<classifier>").append(p[2]).append("</classifier>");
            }
            deps.append("</dependency>");
        }
        StringBuilder repos = new StringBuilder();
        for (int i = 0; i < repositories.size(); i++) {
            repos.append("<repository><id>extra")
                    .append(i)
                    .append("</id><url>")
                    .append(repositories.get(i))
                    .append("</url></repository>");
        }
        String pom = "<project xmlns=\"http://maven.apache.org/POM/4.0.0\"><modelVersion>4.0.0</modelVersion>"
                + "<groupId>dev.distillery.notebook</groupId><artifactId>maven-magic</artifactId><version>1</version>"
                + "<repositories>" + repos + "</repositories><dependencies>" + deps + "</dependencies>"
                + "<build><plugins><plugin><artifactId>maven-dependency-plugin</artifactId><version>"
                + DEPENDENCY_PLUGIN
                + "</version></plugin></plugins></build></project>";
        Path dir = cacheDir().resolve(DataLocator.sha256(pom).substring(0, 16));
        Path lib = dir.resolve("lib");
        if (!Files.isRegularFile(dir.resolve(".resolved"))) {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("pom.xml"), pom);
            resolve(dir);
            Files.writeString(dir.resolve(".resolved"), String.join("\n", coordinates));
        }
        Set<String> present = code.classpath().stream()
                .map(s -> Path.of(s).getFileName())
                .filter(java.util.Objects::nonNull)
                .map(Path::toString)
                .collect(Collectors.toSet());
        List<String> added = new ArrayList<>();
        try (Stream<Path> jars = Files.list(lib)) {
            for (Path j : jars.sorted().toList()) {
                if (j.toString().endsWith(".jar")
                        && !present.contains(j.getFileName().toString())) {
                    code.addToClasspath(j.toString());
                    added.add(j.toString());
                }
            }
        }
        return added;
    }

    private static void resolve(Path dir) throws IOException, InterruptedException {
        List<String> cmd = List.of(
                "mvn", "-B", "-q", "dependency:copy-dependencies", "-DincludeScope=runtime", "-DoutputDirectory=lib");
        Process p;
        try {
            p = new ProcessBuilder(cmd)
                    .directory(dir.toFile())
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("%maven runs Maven, which is not installed: apt-get install maven", e);
        }
        List<String> output = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                output.add(line);
                if (Thread.currentThread().isInterrupted() || dev.distillery.train.StopSignal.consume()) {
                    p.destroyForcibly();
                    throw new InterruptedException("%maven interrupted");
                }
            }
        }
        int rc = p.waitFor();
        if (rc != 0) {
            String tail =
                    output.stream().filter(l -> l.contains("ERROR")).limit(5).collect(Collectors.joining("\n"));
            throw new IllegalArgumentException("%maven: Maven could not resolve the artifacts (exit " + rc + "); check "
                    + "the coordinates and that Maven Central is reachable\n"
                    + (tail.isEmpty() ? String.join("\n", output) : tail));
        }
    }

    private static Path cacheDir() {
        String env = System.getenv("DISTILLERY_CACHE");
        Path base = env != null && !env.isBlank()
                ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache", "distillery");
        return base.resolve("maven");
    }
}
