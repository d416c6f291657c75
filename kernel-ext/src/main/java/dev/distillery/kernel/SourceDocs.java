package dev.distillery.kernel;

import com.sun.source.doctree.DocCommentTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.DocTrees;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Javadoc of Distillery's own classes for inspection: JShell finds only the JDK's (in its {@code
 * src.zip}), so the kernel reads the comment from Distillery's sources itself. The source roots are
 * {@code -Ddistillery.sources} (a path list), else the {@code src/main/java} folders of the checkout
 * the kernel's classes were built in.
 */
final class SourceDocs {

    /** {@code [Type ]Class.member(params)}: a method or constructor as JShell writes its signature. */
    private static final Pattern METHOD = Pattern.compile("(?:.*\\s)?([\\w.$]+)\\.(\\w+)\\((.*)\\)\\s*$");

    private final List<Path> roots;
    private final List<String> packages;
    private final Map<Path, Optional<Parsed>> parsed = new ConcurrentHashMap<>();

    private record Parsed(CompilationUnitTree unit, DocTrees trees) {}

    SourceDocs(List<Path> roots, List<String> packages) {
        this.roots = roots;
        this.packages = packages;
    }

    /** The roots named by {@code distillery.sources}, or the checkout's; {@code imports} resolve simple class names. */
    static SourceDocs find(List<String> imports) {
        List<Path> roots = new ArrayList<>();
        String property = System.getProperty("distillery.sources");
        if (property != null && !property.isBlank()) {
            for (String p : property.split(File.pathSeparator)) {
                roots.add(Path.of(p));
            }
        } else {
            try {
                // .../kernel-ext/target/classes → the checkout's module sources
                Path classes = Path.of(SourceDocs.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI());
                Path checkout =
                        classes.getParent() == null || classes.getParent().getParent() == null
                                ? null
                                : classes.getParent().getParent().getParent();
                if (checkout != null) {
                    for (String module : List.of("distill-lib", "kernel-ext")) {
                        roots.add(checkout.resolve(module).resolve("src/main/java"));
                    }
                }
            } catch (Exception e) {
                // no checkout to read from: the JDK's Javadoc is still shown
            }
        }
        List<String> packages = imports.stream()
                .filter(i -> i.endsWith(".*") && !i.startsWith("static "))
                .map(i -> i.substring(0, i.length() - 2))
                .toList();
        return new SourceDocs(roots.stream().filter(Files::isDirectory).toList(), packages);
    }

    /** The raw Javadoc of what {@code signature} names (a class, or a method of one), or null. */
    String javadoc(String signature) {
        String s = signature.replaceAll("<[^<>]*>", "").strip();
        Matcher m = METHOD.matcher(s);
        if (m.matches()) {
            List<String> params = m.group(3).isBlank()
                    ? List.of()
                    : java.util.Arrays.stream(m.group(3).split(","))
                            .map(p -> simpleType(p.strip().replaceAll("\\s+\\w+$", "")))
                            .toList();
            return comment(m.group(1), m.group(2), params);
        }
        if (s.matches("[\\w.$]+")) {
            return comment(s, null, null);
        }
        return null;
    }

    /** {@code java.util.List<String>} and {@code String...} as {@code List} and {@code String[]}: how overloads are told apart. */
    private static String simpleType(String type) {
        String t = type.replaceAll("<.*>", "").replace("...", "[]").strip();
        return t.substring(t.lastIndexOf('.') + 1);
    }

    private String comment(String type, String method, List<String> params) {
        for (String candidate : candidates(type)) {
            String[] parts = candidate.split("\\.");
            // the longest prefix that is a file; the rest are classes nested in it
            for (int cut = parts.length; cut > 0; cut--) {
                String file = String.join("/", java.util.Arrays.copyOf(parts, cut)) + ".java";
                for (Path root : roots) {
                    Path source = root.resolve(file);
                    if (Files.isRegularFile(source)) {
                        List<String> nesting = List.of(parts).subList(cut - 1, parts.length);
                        String doc = parse(source)
                                .map(p -> find(p, nesting, method, params))
                                .orElse(null);
                        if (doc != null) {
                            return doc;
                        }
                    }
                }
            }
        }
        return null;
    }

    private List<String> candidates(String type) {
        List<String> out = new ArrayList<>(List.of(type));
        packages.forEach(p -> out.add(p + "." + type));
        return out;
    }

    private Optional<Parsed> parse(Path source) {
        return parsed.computeIfAbsent(source, f -> {
            try {
                JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
                try (var files = javac.getStandardFileManager(null, null, null)) {
                    JavacTask task = (JavacTask) javac.getTask(
                            null, files, d -> {}, List.of("-proc:none"), null, files.getJavaFileObjects(f));
                    CompilationUnitTree unit = task.parse().iterator().next();
                    return Optional.of(new Parsed(unit, DocTrees.instance(task)));
                }
            } catch (Exception e) {
                return Optional.empty();
            }
        });
    }

    /** The comment of class {@code nesting} (outermost first) or of its {@code method} with parameters of types {@code params}. */
    private static String find(Parsed p, List<String> nesting, String method, List<String> params) {
        String[] found = {null};
        new TreePathScanner<Void, Integer>() {
            @Override
            public Void visitClass(ClassTree c, Integer depth) {
                if (found[0] != null
                        || depth >= nesting.size()
                        || !c.getSimpleName().contentEquals(nesting.get(depth))) {
                    return null;
                }
                if (depth == nesting.size() - 1) {
                    if (method == null) {
                        found[0] = text(p.trees().getDocCommentTree(getCurrentPath()));
                        return null;
                    }
                    for (Tree member : c.getMembers()) {
                        if (member instanceof MethodTree mt
                                && (mt.getName().contentEquals(method)
                                        || (mt.getName().contentEquals("<init>") && method.equals(nesting.get(depth))))
                                && mt.getParameters().stream()
                                        .map(v -> simpleType(v.getType().toString()))
                                        .toList()
                                        .equals(params)) {
                            String doc = text(p.trees().getDocCommentTree(new TreePath(getCurrentPath(), mt)));
                            if (doc != null) {
                                found[0] = doc;
                                return null;
                            }
                        }
                    }
                    return null;
                }
                for (Tree member : c.getMembers()) {
                    scan(new TreePath(getCurrentPath(), member), depth + 1);
                }
                return null;
            }
        }.scan(p.unit(), 0);
        return found[0];
    }

    private static String text(DocCommentTree doc) {
        return doc == null ? null : doc.toString();
    }
}
