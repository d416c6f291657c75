package dev.distillery.kernel;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.distillery.experiment.RunRecord;
import dev.distillery.experiment.RunStore;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The quickstart as a person runs it: Debian's Chromium, driven by playwright-core, against {@code jupyter
 * notebook} on a loopback port with a token. Run All, then a long training cell interrupted from the
 * toolbar, then a restart from the Kernel menu. The page is read by {@code src/test/browser/
 * quickstart-in-chromium.mjs}; this class judges what it saw. Screenshots are left in {@code
 * target/browser-screenshots}.
 */
class BrowserIT {

    static final Path CHROMIUM = Path.of("/usr/lib/chromium/chromium");

    @TempDir
    Path tmp;

    /** playwright-core as {@code ./distillery test} installs it (from npm; it downloads no browser). */
    static Path playwrightCore() {
        String env = System.getenv("DISTILLERY_PLAYWRIGHT_CORE");
        Path p = env != null
                ? Path.of(env)
                : Path.of(System.getProperty("user.home"), ".cache/distillery/browser/node_modules/playwright-core");
        assertTrue(
                Files.isRegularFile(p.resolve("package.json")),
                "playwright-core is not at " + p + ": run ./distillery test, which installs it from npm "
                        + "(or set DISTILLERY_PLAYWRIGHT_CORE to its folder)");
        return p;
    }

    @Test
    void quickstartRunsInChromiumAndSurvivesAnInterruptAndARestart() throws Exception {
        Path core = playwrightCore();
        assertTrue(
                Files.isExecutable(CHROMIUM),
                CHROMIUM + " is missing: apt-get install chromium (./distillery test does)");
        Path prefix = tmp.resolve("prefix");
        assertEquals(
                0,
                new CommandLine(new KernelInstaller())
                        .execute("--prefix", prefix.toString(), "--java-option", "-Xmx4g"));
        // a copy: the notebook server saves what the browser ran, and the checkout stays clean
        Path notebooks = Files.createDirectories(tmp.resolve("notebooks"));
        Files.copy(Path.of("..", "notebooks", "01-quickstart.ipynb"), notebooks.resolve("01-quickstart.ipynb"));
        Path runs = tmp.resolve("runs");
        Path shots =
                Files.createDirectories(Path.of("target", "browser-screenshots").toAbsolutePath());

        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String token = UUID.randomUUID().toString().replace("-", "");
        Path serverLog = tmp.resolve("notebook-server.log");
        ProcessBuilder server = new ProcessBuilder(
                        "/usr/bin/jupyter",
                        "notebook",
                        "--no-browser",
                        "--allow-root",
                        "--ip=127.0.0.1",
                        "--port=" + port,
                        "--port-retries=0",
                        "--NotebookApp.token=" + token,
                        "--notebook-dir=" + notebooks)
                .redirectErrorStream(true)
                .redirectOutput(serverLog.toFile());
        server.environment().put("JUPYTER_PATH", prefix.resolve("share/jupyter").toString());
        server.environment()
                .put("JUPYTER_CONFIG_DIR", tmp.resolve("jupyter-config").toString());
        server.environment().put("JUPYTER_DATA_DIR", tmp.resolve("jupyter-data").toString());
        server.environment()
                .put("JUPYTER_RUNTIME_DIR", tmp.resolve("jupyter-runtime").toString());
        server.environment().put("DISTILLERY_FAST", "1");
        server.environment().put("DISTILLERY_RUNS", runs.toString());
        server.environment().put("DISTILLERY_CACHE", tmp.resolve("cache").toString());
        Process p = server.start();
        String output;
        try {
            awaitServer(port, token, p, serverLog);
            Path driverLog = tmp.resolve("browser.log");
            ProcessBuilder driver = new ProcessBuilder(
                            "node",
                            Path.of("src", "test", "browser", "quickstart-in-chromium.mjs")
                                    .toAbsolutePath()
                                    .toString())
                    .redirectErrorStream(true)
                    .redirectOutput(driverLog.toFile());
            driver.environment().put("PLAYWRIGHT_CORE", core.toString());
            driver.environment().put("CHROMIUM", CHROMIUM.toString());
            driver.environment().put("SCREENSHOTS", shots.toString());
            driver.environment()
                    .put("NOTEBOOK_URL", "http://127.0.0.1:" + port + "/notebooks/01-quickstart.ipynb?token=" + token);
            Process d = driver.start();
            if (!d.waitFor(25, TimeUnit.MINUTES)) {
                d.destroyForcibly();
                fail("the browser test did not finish in 25 minutes:\n" + Files.readString(driverLog));
            }
            output = Files.readString(driverLog);
        } finally {
            stop(p);
        }
        System.out.println(output.lines().filter(l -> !l.startsWith("REPORT ")).reduce("", (a, b) -> a + b + "\n"));
        String reportLine = output.lines()
                .filter(l -> l.startsWith("REPORT "))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the browser driver reported nothing:\n" + output));
        JsonNode report = new ObjectMapper().readTree(reportLine.substring("REPORT ".length()));
        assertFalse(
                report.has("failure"),
                () -> "the browser driver failed: " + report.path("failure").asText() + "\n" + output + "\nserver:\n"
                        + read(serverLog));
        judge(report, runs, shots);
    }

    /** What the page showed, against what a person must see. */
    static void judge(JsonNode report, Path runs, Path shots) {
        System.out.printf(
                "browser: kernel ready %.1f s, Run All %.1f s, interrupt → idle %.1f s, restart → answer %.1f s%n",
                report.get("kernelReadySeconds").asDouble(),
                report.get("runAllSeconds").asDouble(),
                report.get("interruptSeconds").asDouble(),
                report.get("restartSeconds").asDouble());
        JsonNode cells = report.get("cells");
        List<String> errors = new ArrayList<>();
        int images = 0;
        for (JsonNode c : cells) {
            if (c.get("errors").asInt() > 0 || c.get("stderr").asInt() > 0) {
                errors.add(c.get("source").asText() + " → " + c.get("text").asText());
            }
            for (JsonNode img : c.get("images")) {
                images++;
                for (String size : List.of("natural", "shown")) {
                    assertTrue(
                            img.get(size).get(0).asInt() > 0
                                    && img.get(size).get(1).asInt() > 0,
                            "a chart rendered with zero size (" + size + ") in "
                                    + c.get("source").asText());
                }
            }
        }
        assertEquals(List.of(), errors, "Run All showed errors or stderr");
        assertTrue(images >= 2, "the trade-off and curve charts render as images: " + images);

        // the live progress line: one area per cell, its text changing in place
        int watched = 0;
        for (JsonNode p : report.get("progress")) {
            String source = p.get("source").asText();
            assertEquals(1, p.get("maxProgressAreas").asInt(), "one progress area in " + source);
            assertTrue(p.get("maxOutputAreas").asInt() <= 2, "the progress area is updated, not appended: " + source);
            if (source.contains("%distill")) {
                watched++;
                assertTrue(
                        p.get("texts").size() >= 3,
                        "the progress line changed in place while " + source + " trained: " + p.get("texts"));
            }
        }
        assertEquals(2, watched, "both %distill cells showed live progress");
        Pattern run = Pattern.compile("\\|\\s+run (\\d) of 3 · .* ETA (.+)$");
        int early = 0;
        for (JsonNode line : report.get("stageLines")) {
            Matcher m = run.matcher(line.asText());
            if (m.find() && Integer.parseInt(m.group(1)) < 3) {
                early++;
                assertFalse(m.group(2).matches("0(\\.0)? s"), "ETA reads 0 s while seeds remain: " + line.asText());
            }
        }
        assertTrue(early > 0, "the stage line counts the runs (run 1 of 3): " + report.get("stageLines"));

        String all = cells.toString();
        assertTrue(
                Pattern.compile(
                                "distillation (beats|does not beat) the scratch student by \\d+\\.\\d\\d percentage points")
                        .matcher(all)
                        .find(),
                "the verdict line");
        List<String> headers = new ArrayList<>();
        cells.forEach(c -> c.get("headers").forEach(h -> headers.add(h.asText())));
        assertTrue(
                headers.containsAll(
                        List.of("student", "recipe", "seeds", "test accuracy", "agreement", "KL", "parameters")),
                "the summary table's columns read as words: " + headers);
        assertFalse(headers.contains("test_acc_mean"), headers.toString());

        // the toolbar's interrupt: the run is recorded as interrupted, the kernel answers the next cell
        String interrupted = report.get("interrupted").get("text").asText();
        assertTrue(interrupted.contains("interrupted") && interrupted.contains("the kernel is ready"), interrupted);
        assertTrue(
                report.get("afterInterrupt").asText().contains("still here: 42"),
                report.get("afterInterrupt").asText());
        List<RunRecord> longRuns = new RunStore(runs)
                .scan().records().stream()
                        .filter(r -> r.experiment().equals("long"))
                        .toList();
        assertEquals(
                List.of("interrupted"), longRuns.stream().map(RunRecord::status).toList());
        assertTrue(
                longRuns.get(0).curve().size() < 5000,
                "it stopped early: " + longRuns.get(0).curve().size());
        // the menu's restart: a fresh kernel runs a cell
        assertTrue(
                report.get("afterRestart").asText().contains("after restart: 42"),
                report.get("afterRestart").asText());

        for (JsonNode s : report.get("screenshots")) {
            Path f = Path.of(s.get("file").asText());
            assertTrue(f.startsWith(shots) && Files.isRegularFile(f), f.toString());
        }
        assertTrue(report.get("screenshots").size() >= 4, "screenshots: " + report.get("screenshots"));
    }

    static void awaitServer(int port, String token, Process p, Path log) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI api = URI.create("http://127.0.0.1:" + port + "/api/kernelspecs?token=" + token);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            assertTrue(p.isAlive(), () -> "jupyter notebook exited:\n" + read(log));
            try {
                HttpResponse<String> r =
                        http.send(HttpRequest.newBuilder(api).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    assertTrue(r.body().contains("\"distillery\""), "the server sees the kernelspec: " + r.body());
                    return;
                }
            } catch (IOException notYet) {
                // the server is still starting
            }
            Thread.sleep(250);
        }
        fail("jupyter notebook did not answer on port " + port + " in 60 s:\n" + read(log));
    }

    /** Stops the server (it shuts its kernels down), then anything it left. */
    static void stop(Process p) throws InterruptedException {
        List<ProcessHandle> children = p.descendants().toList();
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }

    static String read(Path f) {
        try {
            return Files.readString(f);
        } catch (IOException e) {
            return "(cannot read " + f + ": " + e.getMessage() + ")";
        }
    }
}
