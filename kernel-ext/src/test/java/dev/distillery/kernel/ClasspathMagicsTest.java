package dev.distillery.kernel;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** %classpath, %jars, %maven and %load: code that was not there becomes usable in the running kernel. */
class ClasspathMagicsTest {

    @TempDir
    static Path tmp;

    static KernelHarness h;

    @BeforeAll
    static void start() {
        h = new KernelHarness(tmp.resolve("runs"));
    }

    @AfterAll
    static void stop() {
        h.close();
    }

    /** Compiles {@code source} (class {@code name} in package {@code pkg}) into {@code out}. */
    static void compile(Path out, String pkg, String name, String source) throws Exception {
        Path src = tmp.resolve("src-" + name).resolve(pkg.replace('.', '/')).resolve(name + ".java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertEquals(0, javac.run(null, null, null, "-d", out.toString(), src.toString()));
    }

    @Test
    void classpathAddsADirectoryOfClasses() throws Exception {
        Path classes = tmp.resolve("classes");
        compile(
                classes,
                "demo.one",
                "Greeter",
                "package demo.one; public class Greeter { public static String hi(String n) { return \"hi \" + n; } }");
        assertTrue(h.error("demo.one.Greeter.hi(\"x\")")
                .get(0)
                .startsWith("compile error: package demo.one does not exist"));
        @SuppressWarnings("unchecked")
        List<String> added = (List<String>) h.kernel.evalRaw("%classpath " + classes);
        assertEquals(List.of(classes.toString()), added);
        assertEquals("hi kd", KernelHarness.text(h.exec("demo.one.Greeter.hi(\"kd\")")));
        @SuppressWarnings("unchecked")
        List<String> all = (List<String>) h.kernel.evalRaw("%classpath");
        assertTrue(all.contains(classes.toString()) && all.size() > 10, "lists the kernel's class path too");
        assertTrue(h.error("%classpath /no/such/dir").get(0).contains("/no/such/dir does not exist"));
    }

    @Test
    void jarsAddsJarsMatchingAGlob() throws Exception {
        Path classes = tmp.resolve("jar-classes");
        compile(
                classes,
                "demo.two",
                "Adder",
                "package demo.two; public class Adder { public static int add(int a, int b) { return a + b; } }");
        Path libs = tmp.resolve("libs");
        Files.createDirectories(libs);
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(libs.resolve("adder-1.0.jar")))) {
            jar.putNextEntry(new JarEntry("demo/two/Adder.class"));
            jar.write(Files.readAllBytes(classes.resolve("demo/two/Adder.class")));
            jar.closeEntry();
        }
        @SuppressWarnings("unchecked")
        List<String> added = (List<String>) h.kernel.evalRaw("%jars " + libs + "/*.jar");
        assertEquals(List.of(libs.resolve("adder-1.0.jar").toString()), added);
        assertEquals("5", KernelHarness.text(h.exec("demo.two.Adder.add(2, 3)")));
        assertTrue(h.error("%jars " + libs + "/*.zip").get(0).contains("no jar file matches"));
    }

    @Test
    void mavenResolvesFromMavenCentralIntoTheRunningKernel() {
        assertTrue(
                h.error("org.jsoup.Jsoup.parse(\"<p>x</p>\")").get(0).startsWith("compile error"),
                "jsoup must not be on the kernel's class path before %maven");
        @SuppressWarnings("unchecked")
        List<String> added = (List<String>) h.kernel.evalRaw("%maven org.jsoup:jsoup:1.16.1");
        assertTrue(added.stream().anyMatch(p -> p.endsWith("jsoup-1.16.1.jar")), added.toString());
        assertEquals("distilled", KernelHarness.text(h.exec("org.jsoup.Jsoup.parse(\"<p>distilled</p>\").text()")));
        assertTrue(h.error("%maven not-a-coordinate")
                .get(0)
                .startsWith("%maven: 'not-a-coordinate' is not GROUP:ARTIFACT:VERSION"));
    }

    @Test
    void loadRunsAFileWithJavaAndMagics() throws Exception {
        Path file = tmp.resolve("setup.jsh");
        Files.writeString(file, """
                int layers = 2;
                String spec = "mlp:" + "32x".repeat(layers - 1) + "32";
                %student loaded --spec {spec}
                """);
        Object v = h.kernel.evalRaw("%load " + file);
        assertEquals("mlp:32x32", ((dev.distillery.model.ModelSpec) v).compact(), "the file's last value");
        assertEquals("2", KernelHarness.text(h.exec("layers")), "the file's declarations stay defined");
        assertTrue(h.error("%load /no/such/file.jsh").get(0).contains("/no/such/file.jsh does not exist"));
    }
}
