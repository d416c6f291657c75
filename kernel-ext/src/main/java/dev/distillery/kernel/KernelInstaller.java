package dev.distillery.kernel;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.distillery.backend.JvmDefaults;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Writes the kernelspec ({@code kernel.json}) where Jupyter looks for kernels: the user's data
 * directory by default, or {@code PREFIX/share/jupyter/kernels/} as Jupyter's own tools do.
 */
@Command(
        name = "distillery kernel install",
        mixinStandardHelpOptions = true,
        description = "Install the Distillery Jupyter kernel (kernel.json) for this user or under a prefix.")
public final class KernelInstaller implements Callable<Integer> {

    static final class Where {
        @Option(
                names = "--user",
                description = "into the user's Jupyter data directory (default): "
                        + "$JUPYTER_DATA_DIR or ~/.local/share/jupyter")
        boolean user;

        @Option(
                names = "--prefix",
                paramLabel = "DIR",
                description =
                        "into DIR/share/jupyter/kernels/ " + "(then run Jupyter with JUPYTER_PATH=DIR/share/jupyter)")
        Path prefix;
    }

    @ArgGroup(exclusive = true)
    Where where = new Where();

    @Option(
            names = "--name",
            paramLabel = "NAME",
            defaultValue = "distillery",
            description = "kernelspec name (default: ${DEFAULT-VALUE})")
    String name;

    @Option(
            names = "--display-name",
            paramLabel = "TEXT",
            defaultValue = "Distillery (Java)",
            description = "name shown in Jupyter (default: ${DEFAULT-VALUE})")
    String displayName;

    @Option(names = "--classpath", paramLabel = "CP", description = "the kernel's class path (default: this JVM's)")
    String classpath;

    @Option(
            names = "--java-option",
            paramLabel = "OPT",
            description = "an extra JVM option for the kernel (repeatable); " + "default -Xmx8g")
    List<String> javaOptions = new ArrayList<>(List.of("-Xmx8g"));

    public static void main(String[] args) {
        System.exit(new CommandLine(new KernelInstaller()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path dir = kernelsDir().resolve(name);
        Path file = install(dir);
        System.out.println("installed kernelspec '" + name + "' in " + dir);
        if (where.prefix != null) {
            System.out.println("use it with: JUPYTER_PATH="
                    + where.prefix.toAbsolutePath().resolve("share/jupyter") + " jupyter notebook");
        }
        return Files.isRegularFile(file) ? 0 : 1;
    }

    Path kernelsDir() {
        if (where.prefix != null) {
            return where.prefix
                    .toAbsolutePath()
                    .resolve("share")
                    .resolve("jupyter")
                    .resolve("kernels");
        }
        String env = System.getenv("JUPYTER_DATA_DIR");
        Path data = env != null && !env.isBlank()
                ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".local", "share", "jupyter");
        return data.resolve("kernels");
    }

    /** Writes {@code dir/kernel.json}; returns it. */
    Path install(Path dir) throws Exception {
        List<String> argv = new ArrayList<>();
        argv.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        argv.addAll(javaOptions);
        argv.addAll(JvmDefaults.OPTIONS);
        argv.add("-Djava.awt.headless=true");
        // lets the kernel refuse System.exit from notebook code (ExitGuard)
        argv.add("-Djava.security.manager=allow");
        argv.add("-cp");
        argv.add(absolute(classpath != null ? classpath : System.getProperty("java.class.path")));
        argv.add(KernelMain.class.getName());
        argv.add("{connection_file}");
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("argv", argv);
        spec.put("display_name", displayName);
        spec.put("language", "java");
        spec.put("interrupt_mode", "message");
        spec.put("metadata", Map.of("debugger", false));
        // idle OpenMP workers sleep instead of spinning: at 2 threads, spinning workers starve BLAS's threads
        spec.put("env", Map.of("OMP_WAIT_POLICY", "PASSIVE"));
        Files.createDirectories(dir);
        Path file = dir.resolve("kernel.json");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), spec);
        return file;
    }

    private static String absolute(String cp) {
        List<String> out = new ArrayList<>();
        for (String p : cp.split(File.pathSeparator)) {
            if (!p.isBlank()) {
                out.add(
                        p.endsWith("*")
                                ? Path.of(p.substring(0, p.length() - 1)).toAbsolutePath() + File.separator + "*"
                                : Path.of(p).toAbsolutePath().toString());
            }
        }
        return String.join(File.pathSeparator, out);
    }
}
