package dev.distillery.kernel;

import dev.distillery.backend.Versions;
import dev.distillery.kernel.display.DisplaySink;
import dev.distillery.kernel.display.Renderers;
import dev.distillery.kernel.magics.MagicCatalog;
import dev.distillery.kernel.magics.MagicContext;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.dflib.jjava.jupyter.channels.JupyterConnection;
import org.dflib.jjava.jupyter.channels.ShellReplyEnvironment;
import org.dflib.jjava.jupyter.kernel.BaseKernel;
import org.dflib.jjava.jupyter.kernel.BaseKernelBuilder;
import org.dflib.jjava.jupyter.kernel.HelpLink;
import org.dflib.jjava.jupyter.kernel.JupyterIO;
import org.dflib.jjava.jupyter.kernel.LanguageInfo;
import org.dflib.jjava.jupyter.kernel.ReplacementOptions;
import org.dflib.jjava.jupyter.kernel.comm.CommManager;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.Renderer;
import org.dflib.jjava.jupyter.kernel.history.HistoryManager;
import org.dflib.jjava.jupyter.kernel.magic.MagicParser;
import org.dflib.jjava.jupyter.kernel.magic.MagicsRegistry;
import org.dflib.jjava.jupyter.kernel.util.StringStyler;
import org.dflib.jjava.jupyter.messages.Header;
import org.dflib.jjava.jupyter.messages.Message;
import org.dflib.jjava.jupyter.messages.reply.KernelInfoReply;
import org.dflib.jjava.jupyter.messages.request.KernelInfoRequest;

/**
 * The Distillery kernel: Java through JShell in this JVM, distill-lib and friends imported,
 * the magics of {@link MagicCatalog#kernel()}, Distillery's renderers, and interrupts that
 * reach training loops.
 */
public final class DistilleryKernel extends BaseKernel {

    /** What every notebook starts with imported. */
    public static final List<String> IMPORTS = List.of(
            "dev.distillery.backend.*",
            "dev.distillery.data.*",
            "dev.distillery.model.*",
            "dev.distillery.train.*",
            "dev.distillery.provenance.*",
            "dev.distillery.spec.*",
            "dev.distillery.teacher.*",
            "dev.distillery.loss.*",
            "dev.distillery.distill.*",
            "dev.distillery.eval.*",
            "dev.distillery.experiment.*",
            "dev.distillery.plot.*",
            "org.nd4j.linalg.factory.Nd4j",
            "org.nd4j.linalg.api.ndarray.INDArray",
            "org.nd4j.linalg.api.buffer.DataType",
            "tech.tablesaw.api.*",
            "org.knowm.xchart.*",
            "com.fasterxml.jackson.databind.ObjectMapper",
            "java.util.*",
            "java.util.stream.*",
            "java.nio.file.*",
            "static dev.distillery.kernel.Notebook.*");

    private final JShellSession session;
    private final MagicCatalog catalog;
    private final MagicContext context;
    private final String classpath;
    private final List<String> added = new CopyOnWriteArrayList<>();
    private final CellOutput output;
    private final CellRunner runner;
    /** Whether System.out and System.err are {@link #output}'s (once connected to Jupyter). */
    private volatile boolean streamsInstalled;
    /** The thread running {@link #eval}, which publishes: displays from other threads are handed to it. */
    private volatile Thread shell;

    private final DisplaySink jupyter = new DisplaySink() {
        @Override
        public void display(DisplayData data) {
            publish(() -> DistilleryKernel.super.display(data));
        }

        @Override
        public void update(String displayId, DisplayData data) {
            publish(() -> io.display.updateDisplay(displayId, data));
        }

        @Override
        public void clearOutput(boolean wait) {
            publish(() -> {
                ShellReplyEnvironment env = request;
                if (env != null) {
                    env.publish(
                            wait
                                    ? org.dflib.jjava.jupyter.messages.publish.PublishClearOutput.BEFORE_NEXT_OUTPUT
                                    : org.dflib.jjava.jupyter.messages.publish.PublishClearOutput.NOW);
                }
            });
        }
    };
    private volatile DisplaySink sink = jupyter;
    private volatile Throwable lastError;
    /** The text of the last cell's result, for the history. */
    private volatile String lastResult;

    private DistilleryKernel(
            String name,
            String version,
            HistoryManager history,
            JupyterIO io,
            CommManager comms,
            Renderer renderer,
            MagicsRegistry registry,
            boolean extensions,
            StringStyler errorStyler,
            MagicCatalog catalog,
            String classpath,
            Workbench workbench) {
        super(
                name,
                version,
                languageInfo(),
                List.of(new HelpLink("Distillery magics: %lsmagic, %help NAME", "https://openjdk.org/jeps/222")),
                history,
                io,
                comms,
                renderer,
                new MagicParser("(?<=(?:^|=))\\s{0,}%", "%%", new ValueTranspiler(catalog)),
                registry,
                extensions,
                errorStyler);
        this.catalog = catalog;
        this.classpath = classpath;
        this.output = new CellOutput(workbench.store().root().resolve("cell-output"));
        this.runner = new CellRunner(output);
        this.session = new JShellSession(classpath, IMPORTS, runner);
        this.context = new MagicContext(
                this,
                new DisplaySink() {
                    @Override
                    public void display(DisplayData data) {
                        sink.display(data);
                    }

                    @Override
                    public void update(String displayId, DisplayData data) {
                        sink.update(displayId, data);
                    }

                    @Override
                    public void clearOutput(boolean wait) {
                        sink.clearOutput(wait);
                    }
                },
                workbench,
                catalog,
                new Code());
        catalog.registerWith(magicsRegistry, context);
        Renderers.registerAll(renderer);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds the kernel; {@link #buildCatalog()} and {@link #buildClasspath()} are the hooks to override. */
    public static class Builder extends BaseKernelBuilder<Builder, DistilleryKernel> {

        protected java.nio.file.Path runs;
        protected java.nio.file.Path historyFile;

        /** Where the cell history is kept (default: {@link History#defaultFile()}). */
        public Builder history(java.nio.file.Path file) {
            this.historyFile = file;
            return this;
        }

        @Override
        protected org.dflib.jjava.jupyter.kernel.history.HistoryManager buildHistoryManager() {
            return History.open(historyFile != null ? historyFile : History.defaultFile());
        }

        /** Where run records go (default: $DISTILLERY_RUNS, else runs/ in the working directory). */
        public Builder runs(java.nio.file.Path dir) {
            this.runs = dir;
            return this;
        }

        protected Workbench buildWorkbench() {
            return runs != null
                    ? new Workbench(new dev.distillery.experiment.RunStore(runs))
                    : Workbench.fromEnvironment();
        }

        protected MagicCatalog buildCatalog() {
            return MagicCatalog.kernel();
        }

        /** The class path notebook code compiles against: the kernel's own. */
        protected String buildClasspath() {
            return System.getProperty("java.class.path");
        }

        @Override
        protected String buildName() {
            return name != null ? name : "distillery";
        }

        @Override
        protected String buildVersion() {
            return version != null ? version : Versions.get("distillery");
        }

        @Override
        public DistilleryKernel build() {
            return new DistilleryKernel(
                    buildName(),
                    buildVersion(),
                    buildHistoryManager(),
                    buildJupyterIO(buildJupyterIOEncoding()),
                    buildCommManager(),
                    buildRenderer(),
                    buildMagicsRegistry(),
                    buildExtensionsEnabled(),
                    buildErrorStyler(),
                    buildCatalog(),
                    buildClasspath(),
                    buildWorkbench());
        }
    }

    private static LanguageInfo languageInfo() {
        return new LanguageInfo.Builder("java")
                .version(Runtime.version().toString())
                .mimetype("text/x-java-source")
                .fileExtension(".jshell")
                .pygments("java")
                .codemirror("text/x-java")
                .build();
    }

    @Override
    public void onStartup() {
        super.onStartup();
        Notebook.install(context);
    }

    /**
     * Connected to Jupyter: from now on {@code System.out} and {@code System.err} are the kernel's
     * batched streams ({@link CellOutput}), whoever prints, and an exception that ends a thread is
     * shown in the running cell, or in the next one.
     */
    @Override
    public void becomeHandlerForConnection(JupyterConnection connection) {
        super.becomeHandlerForConnection(connection);
        System.setOut(output.out());
        System.setErr(output.err());
        streamsInstalled = true;
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> {
            output.err().print("Exception in thread \"" + t.getName() + "\" ");
            e.printStackTrace(output.err());
        });
    }

    /** The execute request being answered (its environment publishes the cell's output), or null. */
    private volatile ShellReplyEnvironment request;

    /**
     * Answers an execute request, then keeps the cell in the history when the request says to store
     * it: its input and the text of its result.
     */
    @Override
    protected synchronized void handleExecuteRequest(
            ShellReplyEnvironment env, Message<org.dflib.jjava.jupyter.messages.request.ExecuteRequest> message) {
        request = env;
        org.dflib.jjava.jupyter.messages.request.ExecuteRequest execute = message.getContent();
        int line = executionCount.get();
        lastResult = null;
        try {
            super.handleExecuteRequest(env, message);
        } finally {
            request = null;
            if (execute.shouldStoreHistory() && !execute.isSilent() && historyManager instanceof History h) {
                h.record(line, execute.getCode(), lastResult);
            }
        }
    }

    /**
     * Answers a history request (tail, range or search) from {@link History}, with the {@code status}
     * field Jupyter's message spec requires of every reply (JJava's own reply leaves it out).
     */
    @Override
    protected void handleHistoryRequest(
            ShellReplyEnvironment env, Message<org.dflib.jjava.jupyter.messages.request.HistoryRequest> message) {
        if (historyManager == null) {
            return;
        }
        org.dflib.jjava.jupyter.messages.request.HistoryRequest r = message.getContent();
        env.setBusyDeferIdle();
        java.util.Set<HistoryManager.ResultFlag> flags = java.util.EnumSet.noneOf(HistoryManager.ResultFlag.class);
        if (r.includeOutput()) {
            flags.add(HistoryManager.ResultFlag.INCLUDE_OUTPUT);
        }
        List<org.dflib.jjava.jupyter.kernel.history.HistoryEntry> entries = switch (r.getAccessType()) {
            case TAIL ->
                historyManager.lookupTail(
                        ((org.dflib.jjava.jupyter.messages.request.HistoryRequest.Tail) r).getMaxReturnLength(), flags);
            case RANGE -> {
                var range = (org.dflib.jjava.jupyter.messages.request.HistoryRequest.Range) r;
                yield historyManager.lookupRange(range.getSessionIndex(), range.getStart(), range.getStop(), flags);
            }
            case SEARCH -> {
                var search = (org.dflib.jjava.jupyter.messages.request.HistoryRequest.Search) r;
                if (search.filterUnique()) {
                    flags.add(HistoryManager.ResultFlag.UNIQUE);
                }
                yield historyManager.search(search.getPattern(), search.getMaxReturnLength(), flags);
            }
        };
        env.reply(new HistoryReplyWithStatus(entries, r.includeOutput()));
    }

    /**
     * A {@code history_reply} as the message spec has it: {@code "status": "ok"} and each cell as
     * {@code [session, line, input]}, or {@code [session, line, [input, output]]} when output was asked for.
     */
    static final class HistoryReplyWithStatus
            implements org.dflib.jjava.jupyter.messages.ContentType<HistoryReplyWithStatus>,
                    org.dflib.jjava.jupyter.messages.ReplyType<
                            org.dflib.jjava.jupyter.messages.request.HistoryRequest> {
        @SuppressWarnings("unused") // serialised into the reply
        private final String status = "ok";

        @SuppressWarnings("unused") // serialised into the reply
        private final List<List<Object>> history;

        HistoryReplyWithStatus(List<org.dflib.jjava.jupyter.kernel.history.HistoryEntry> entries, boolean output) {
            this.history = entries.stream()
                    .map(e -> List.<Object>of(
                            e.getSession(),
                            e.getCellNumber(),
                            output ? java.util.Arrays.asList(e.getInput(), e.getOutput()) : e.getInput()))
                    .toList();
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"}) // the reply goes out as a history_reply
        public org.dflib.jjava.jupyter.messages.MessageType<HistoryReplyWithStatus> getType() {
            return (org.dflib.jjava.jupyter.messages.MessageType)
                    org.dflib.jjava.jupyter.messages.reply.HistoryReply.MESSAGE_TYPE;
        }

        @Override
        public org.dflib.jjava.jupyter.messages.MessageType<org.dflib.jjava.jupyter.messages.request.HistoryRequest>
                getRequestType() {
            return org.dflib.jjava.jupyter.messages.reply.HistoryReply.REQUEST_MESSAGE_TYPE;
        }
    }

    /** Only stdin is per request: stdout and stderr stay {@link #output}'s (see {@link #becomeHandlerForConnection}). */
    @Override
    protected void replaceOutputStreams(ShellReplyEnvironment env) {
        java.io.InputStream before = System.in;
        System.setIn(io.in);
        env.defer(() -> System.setIn(before));
    }

    @Override
    public void onShutdown(boolean isRestarting) {
        ExitGuard.allowExit();
        Notebook.uninstall(context);
        session.close();
        super.onShutdown(isRestarting);
    }

    /** Sends display data somewhere other than Jupyter, e.g. to a test's recorder; null restores Jupyter. */
    public void displayTo(DisplaySink target) {
        this.sink = target == null ? jupyter : target;
    }

    @Override
    public void display(DisplayData data) {
        sink.display(data);
    }

    /** Clears the running cell's output, in order with what it printed and displayed before. */
    public void clearOutput(boolean wait) {
        sink.clearOutput(wait);
    }

    public MagicCatalog catalog() {
        return catalog;
    }

    public Workbench workbench() {
        return context.workbench();
    }

    /**
     * Runs a cell: compiled on the calling (shell) thread, run on a cell thread ({@link CellRunner})
     * while this thread publishes its output; an interrupt request stops the cell thread.
     */
    @Override
    public DisplayData eval(String expr) {
        Thread.interrupted();
        shell = Thread.currentThread();
        ShellReplyEnvironment env = request;
        boolean publishing = streamsInstalled && sink == jupyter && env != null;
        if (publishing) {
            // straight to the request's stream messages: jjava's PrintStreams would flush every 8 KB
            output.begin((name, text) -> {
                if (name.equals("stderr")) {
                    env.writeToStdErr(text);
                } else {
                    env.writeToStdOut(text);
                }
            });
        }
        try {
            DisplayData result = super.eval(expr);
            lastResult = result == null
                    ? null
                    : (String) result.getData(org.dflib.jjava.jupyter.kernel.display.mime.MIMEType.TEXT_PLAIN);
            return result;
        } catch (RuntimeException e) {
            lastError = e;
            // report the exception the user's code or magic threw, not the wrappers around it
            throw ErrorLines.unwrap(e) instanceof RuntimeException re ? re : e;
        } catch (Error e) {
            lastError = e;
            // a Jupyter reply must still go out: the shell loop only answers for Exceptions
            throw new KernelError(e);
        } finally {
            if (publishing) {
                output.end(); // the cell's last output goes out before its result or error
            }
            Thread.interrupted();
        }
    }

    /** Publishes at once on the shell thread (or outside a cell); from any other thread, hands it to the shell thread. */
    private void publish(Runnable r) {
        if (Thread.currentThread() != shell && output.active()) {
            output.post(r);
        } else {
            r.run();
        }
    }

    /** An Error from notebook code (out of memory, a native failure), carried so the cell still gets a reply. */
    static final class KernelError extends RuntimeException {
        private static final long serialVersionUID = 1L;

        KernelError(Error e) {
            super(e.toString(), e);
        }
    }

    /** jjava 1.0-a6 leaves {@code status} out of kernel_info_reply; the protocol (5.x) requires it. */
    @Override
    protected void handleKernelInfoRequest(ShellReplyEnvironment env, Message<KernelInfoRequest> request) {
        env.setBusyDeferIdle();
        env.reply(new KernelInfoOk(
                Header.PROTOCOL_VERISON, name, version, getLanguageInfo(), getBanner(), getHelpLinks()));
    }

    static final class KernelInfoOk extends KernelInfoReply {
        @com.google.gson.annotations.SerializedName("status")
        private final String status = "ok";

        KernelInfoOk(
                String protocol,
                String name,
                String version,
                LanguageInfo language,
                String banner,
                List<HelpLink> links) {
            super(protocol, name, version, language, banner, links);
        }
    }

    @Override
    public Object evalRaw(String source) {
        return session.eval(magicParser.resolveMagics(withCellBody(source)));
    }

    /**
     * A cell magic with nothing below its line, given a blank body: JJava's parser only knows a cell
     * magic by its body, and would hand {@code %%distill} alone to the compiler. The magic then says
     * what its body should hold.
     */
    static String withCellBody(String source) {
        String t = source.strip();
        if (!t.startsWith("%%")) {
            return source;
        }
        int nl = t.indexOf('\n');
        return nl < 0 ? t + "\n " : source;
    }

    /**
     * Asks the running cell to stop: training stops at its next step ({@link StopSignal}); code that
     * ignores the signal is interrupted, then stopped ({@link CellRunner}).
     */
    @Override
    public void interrupt() {
        runner.interrupt();
    }

    @Override
    public String isComplete(String code) {
        String t = code.strip();
        if (t.startsWith("%%")) {
            return IS_COMPLETE_YES;
        }
        if (t.startsWith("%") && !t.contains("\n")) {
            return IS_COMPLETE_YES;
        }
        return session.isComplete(magicParser.resolveMagics(code));
    }

    @Override
    public ReplacementOptions complete(String code, int at) {
        int lineStart = code.lastIndexOf('\n', Math.max(0, at - 1)) + 1;
        String line = code.substring(lineStart, at);
        String trimmed = line.stripLeading();
        if (trimmed.startsWith("%")) {
            return MagicCompletion.complete(
                    trimmed, at, catalog, magicsRegistry.getLineMagicNames(), context.workbench());
        }
        JShellSession.Completions c = session.complete(code, at);
        return c.candidates().isEmpty() ? null : new ReplacementOptions(c.candidates(), c.start(), at);
    }

    @Override
    public DisplayData inspect(String code, int at, boolean extraDetail) {
        int lineStart = code.lastIndexOf('\n', Math.max(0, at - 1)) + 1;
        int lineEnd = code.indexOf('\n', at);
        String line =
                code.substring(lineStart, lineEnd < 0 ? code.length() : lineEnd).strip();
        if (line.startsWith("%")) {
            String name = line.split("\\s+")[0];
            MagicCatalog.Entry e =
                    name.startsWith("%%") ? catalog.cell(name.substring(2)) : catalog.line(name.substring(1));
            return e == null ? null : new DisplayData(e.usage());
        }
        List<String> docs = session.documentation(code, at, extraDetail);
        if (docs.isEmpty()) {
            return null;
        }
        return new DisplayData(String.join("\n\n", docs));
    }

    /**
     * The first line says what went wrong in the user's terms; a magic's usage follows its error;
     * the stack trace is left to {@code %tb}.
     */
    @Override
    public List<String> formatError(Throwable e) {
        return ErrorLines.format(e, errorStyler);
    }

    private final class Code implements MagicContext.Code {
        @Override
        public Object eval(String source) {
            return evalRaw(source);
        }

        @Override
        public void addToClasspath(String path) {
            session.addToClasspath(path);
            added.add(path);
        }

        @Override
        public List<String> classpath() {
            List<String> all = new ArrayList<>(List.of(classpath.split(File.pathSeparator)));
            all.addAll(added);
            return all;
        }

        @Override
        public Throwable lastError() {
            Throwable t = lastError;
            return t == null ? null : ErrorLines.unwrap(t);
        }
    }
}
