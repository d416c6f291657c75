package dev.distillery.kernel;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import jdk.jshell.Diag;
import jdk.jshell.EvalException;
import jdk.jshell.JShell;
import jdk.jshell.JShellException;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import jdk.jshell.SourceCodeAnalysis;
import jdk.jshell.UnresolvedReferenceException;
import jdk.jshell.spi.ExecutionControl;
import jdk.jshell.spi.ExecutionControlProvider;
import jdk.jshell.spi.ExecutionEnv;

/**
 * Java code evaluation: JShell compiling against the kernel's class path and running each
 * snippet in this JVM (on a cell thread), so notebook objects, magics and display share one heap.
 */
public final class JShellSession implements AutoCloseable {

    /** Code that did not compile: the compiler's messages with the offending source marked. */
    public static final class CompileException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        CompileException(String message) {
            super(message);
        }
    }

    /** Code that is not finished, e.g. a brace left open. */
    public static final class IncompleteException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        IncompleteException(String message) {
            super(message);
        }
    }

    private final SnippetLoader loader;
    private final KeepingExecutionControl control;
    private final JShell shell;
    private final SourceCodeAnalysis analysis;
    private final SourceDocs sources;

    /** A session whose snippets run on cell threads of {@code runner}. */
    public JShellSession(String classpath, List<String> imports, CellRunner runner) {
        this.loader = new SnippetLoader(JShellSession.class.getClassLoader());
        this.control = new KeepingExecutionControl(loader, runner);
        ExecutionControlProvider provider = new ExecutionControlProvider() {
            @Override
            public String name() {
                return "distillery-direct";
            }

            @Override
            public ExecutionControl generate(ExecutionEnv env, Map<String, String> parameters) {
                return control;
            }
        };
        this.shell = JShell.builder().executionEngine(provider, Map.of()).build();
        // one class path for the compiler; later %classpath additions extend the same list
        shell.addToClasspath(classpath);
        this.analysis = shell.sourceCodeAnalysis();
        this.sources = SourceDocs.find(imports);
        for (String imp : imports) {
            eval("import " + imp + ";");
        }
    }

    /** The class loader snippets run in; classes added with {@link #addToClasspath} are visible through it. */
    public ClassLoader classLoader() {
        return loader.classLoader();
    }

    public void addToClasspath(String path) {
        shell.addToClasspath(path);
    }

    /**
     * Evaluates {@code source}, which may hold several statements and declarations, and returns
     * the value of the last one (null when it has none).
     */
    public Object eval(String source) {
        Object last = null;
        String remaining = source;
        while (!remaining.isBlank()) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
            switch (info.completeness()) {
                case EMPTY:
                    return last;
                case DEFINITELY_INCOMPLETE:
                case CONSIDERED_INCOMPLETE:
                    throw new IncompleteException("the code is not finished (an open brace, parenthesis or string?):\n"
                            + indent(remaining.strip()));
                default:
                    break;
            }
            String snippet = info.source() != null ? info.source() : remaining;
            remaining = info.completeness() == SourceCodeAnalysis.Completeness.UNKNOWN ? "" : info.remaining();
            last = evalSnippet(snippet);
        }
        return last;
    }

    private Object evalSnippet(String source) {
        control.forget();
        List<SnippetEvent> events = shell.eval(source);
        Object value = null;
        for (SnippetEvent e : events) {
            if (e.causeSnippet() != null) {
                continue;
            }
            if (e.status() == Snippet.Status.REJECTED) {
                throw new CompileException(diagnostics(e.snippet()));
            }
            JShellException ex = e.exception();
            if (ex != null) {
                Throwable real = control.lastThrown();
                if (real instanceof RuntimeException re) {
                    throw re;
                }
                if (real instanceof Error err) {
                    throw err;
                }
                if (real != null) {
                    throw new SnippetException(real);
                }
                if (ex instanceof UnresolvedReferenceException ure) {
                    throw new CompileException(unresolved(ure));
                }
                if (ex instanceof EvalException ee) {
                    throw new SnippetException(ee.getExceptionClassName() + ": " + ee.getMessage(), ee);
                }
                throw new SnippetException(ex.getMessage(), ex);
            }
            // an expression has a value to show; a declaration (int x = 1;) does not, as in JShell's quiet mode
            if (e.value() != null && isExpression(e.snippet())) {
                value = control.value(e.value());
            }
        }
        control.forget();
        return value;
    }

    private static boolean isExpression(Snippet s) {
        return s.kind() == Snippet.Kind.EXPRESSION || s.subKind() == Snippet.SubKind.TEMP_VAR_EXPRESSION_SUBKIND;
    }

    /** A checked exception thrown by notebook code, carried unchanged as the cause. */
    public static final class SnippetException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SnippetException(Throwable cause) {
            super(cause.toString(), cause);
        }

        SnippetException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private String diagnostics(Snippet snippet) {
        String src = snippet.source();
        return shell.diagnostics(snippet)
                .filter(Diag::isError)
                .map(d -> {
                    StringBuilder s = new StringBuilder(d.getMessage(Locale.ROOT));
                    long pos = d.getPosition();
                    if (pos >= 0 && pos <= src.length()) {
                        int lineStart = src.lastIndexOf('\n', (int) Math.max(0, pos - 1)) + 1;
                        int lineEnd = src.indexOf('\n', (int) pos);
                        String line = src.substring(lineStart, lineEnd < 0 ? src.length() : lineEnd);
                        s.append("\n    ")
                                .append(line)
                                .append("\n    ")
                                .append(" ".repeat((int) pos - lineStart))
                                .append('^');
                    }
                    return s.toString();
                })
                .collect(Collectors.joining("\n"));
    }

    private String unresolved(UnresolvedReferenceException e) {
        List<String> names = shell.unresolvedDependencies(e.getSnippet()).toList();
        return "'" + firstLine(e.getSnippet().source()) + "' uses something not defined yet: "
                + String.join(", ", names);
    }

    /** Completion candidates at {@code cursor}: the replacement texts and where the replaced text starts. */
    public record Completions(List<String> candidates, int start) {}

    public Completions complete(String code, int cursor) {
        int[] anchor = {cursor};
        List<SourceCodeAnalysis.Suggestion> s = analysis.completionSuggestions(code, cursor, anchor);
        List<String> out = new ArrayList<>();
        boolean anyMatch = s.stream().anyMatch(SourceCodeAnalysis.Suggestion::matchesType);
        for (SourceCodeAnalysis.Suggestion x : s) {
            if ((!anyMatch || x.matchesType()) && !out.contains(x.continuation())) {
                out.add(x.continuation());
            }
        }
        return new Completions(out, anchor[0]);
    }

    /**
     * Signatures and javadoc (as plain text; its first paragraph unless {@code detail}) of what is at
     * {@code cursor}, or an empty list. A method named without its parentheses ({@code Math.max}, the
     * cursor at its end) is looked up as a call: JShell documents calls only.
     */
    public List<String> documentation(String code, int cursor, boolean detail) {
        List<SourceCodeAnalysis.Documentation> docs = analysis.documentation(code, cursor, true);
        if (docs.isEmpty() && cursor > 0 && Character.isJavaIdentifierPart(code.charAt(cursor - 1))) {
            docs = analysis.documentation(code.substring(0, cursor) + "(" + code.substring(cursor), cursor + 1, true);
        }
        return docs.stream()
                .map(d -> {
                    String javadoc =
                            d.javadoc() == null || d.javadoc().isBlank() ? sources.javadoc(d.signature()) : d.javadoc();
                    if (javadoc == null || javadoc.isBlank()) {
                        return d.signature();
                    }
                    String text = JavadocText.plain(javadoc);
                    return d.signature() + "\n\n" + (detail ? text : JavadocText.firstParagraph(text));
                })
                .toList();
    }

    /** Jupyter's is-complete answer: "complete", "invalid", "unknown", or the indent for the next line. */
    public String isComplete(String code) {
        String remaining = code;
        while (!remaining.isBlank()) {
            SourceCodeAnalysis.CompletionInfo info = analysis.analyzeCompletion(remaining);
            switch (info.completeness()) {
                case DEFINITELY_INCOMPLETE:
                case CONSIDERED_INCOMPLETE:
                    return "    ";
                case UNKNOWN:
                    return "invalid";
                case EMPTY:
                    return "complete";
                default:
                    remaining = info.remaining();
            }
        }
        return "complete";
    }

    @Override
    public void close() {
        shell.close();
    }

    private static String indent(String s) {
        return s.lines().map(l -> "    " + l).collect(Collectors.joining("\n"));
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl) + " ...";
    }
}
