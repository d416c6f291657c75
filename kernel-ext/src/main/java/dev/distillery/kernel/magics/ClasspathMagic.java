package dev.distillery.kernel.magics;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
        name = "%classpath",
        description = "Add directories or jars to the kernel's class path; with no argument, list it.",
        footer = {"", "Examples:", "  %%classpath", "  %%classpath build/classes lib/extra.jar"})
final class ClasspathMagic extends Magic {

    @Parameters(
            arity = "0..*",
            paramLabel = "PATH",
            description = "directories or jar files (or several joined with :)")
    List<String> paths = new ArrayList<>();

    @Override
    public List<String> run(String body) {
        MagicContext.Code code = ctx.requireCode("%classpath");
        if (paths.isEmpty()) {
            return code.classpath();
        }
        List<String> added = new ArrayList<>();
        for (String arg : paths) {
            for (String p : arg.split(File.pathSeparator)) {
                Path path = Path.of(p).toAbsolutePath().normalize();
                if (!Files.exists(path)) {
                    throw new IllegalArgumentException(
                            "%classpath: " + path + " does not exist; give an existing " + "directory or jar");
                }
                code.addToClasspath(path.toString());
                added.add(path.toString());
            }
        }
        return added;
    }
}
