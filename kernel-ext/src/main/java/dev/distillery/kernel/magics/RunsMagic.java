package dev.distillery.kernel.magics;

import dev.distillery.experiment.Results;
import dev.distillery.experiment.RunRecord;
import dev.distillery.experiment.RunStore;
import java.util.List;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tech.tablesaw.api.Table;

@Command(
        name = "%runs",
        description = "A table of recorded runs (one row per run), or mean ± std per student and recipe.",
        footer = {
            "",
            "Examples:",
            "  %%runs",
            "  %%runs --session --summary",
            "  %%runs --experiment tiny --status completed",
            "  %%runs --last 5",
            "  %%runs --session --compare",
            "  %%runs --lineage --experiment chain-tiny",
            "  %%runs --latency --last 3"
        })
final class RunsMagic extends Magic {

    @Option(names = "--experiment", paramLabel = "NAME", description = "only this experiment's runs")
    String experiment;

    @Option(
            names = "--status",
            paramLabel = "STATUS",
            completionCandidates = Statuses.class,
            description = "only runs with this status: ${COMPLETION-CANDIDATES}")
    String status;

    @Option(names = "--last", paramLabel = "N", description = "only the N most recent runs")
    Integer last;

    @Option(names = "--session", description = "only runs made by this kernel since it started")
    boolean session;

    @Option(names = "--summary", description = "mean ± std over seeds per student and recipe, completed runs only")
    boolean summary;

    @Option(
            names = "--compare",
            description = "one row per method (experiment; chain students by what they learned "
                    + "from): accuracy, agreement and KL as mean ± std over seeds, extra head parameters, lineage")
    boolean compare;

    @Option(
            names = "--lineage",
            description =
                    "where each run's soft targets came from: teachers and weights, chain " + "stage, parent runs")
    boolean lineage;

    @Option(
            names = "--latency",
            description = "each student's latency through the tape and through ONNX Runtime on its export, "
                    + "at batch 1 and 256, with what each engine ran on")
    boolean latency;

    static final class Statuses implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return List.of(RunRecord.COMPLETED, RunRecord.RUNNING, RunRecord.INTERRUPTED, RunRecord.FAILED)
                    .iterator();
        }
    }

    @Override
    public Table run(String body) {
        if (last != null && last < 1) {
            throw new MagicUsageException(
                    "%runs",
                    "--last must be at least 1, got " + last + "; e.g. --last 5 shows the five most recent runs",
                    ctx.catalog().line("runs").usage());
        }
        List<RunRecord> stored;
        if (session) {
            stored = ctx.workbench().sessionRuns();
        } else {
            RunStore.Listing listing = ctx.workbench().store().scan();
            stored = listing.records();
            // a corrupt record never hides the others: it is named above the table
            for (RunStore.Corrupt c : listing.corrupt()) {
                ctx.sink().display(new DisplayData(c.describe()));
            }
        }
        List<RunRecord> rs = select(stored, experiment, status, last);
        if (compare) {
            return Results.compare(rs).setName("methods compared over " + rs.size() + " runs");
        }
        if (lineage) {
            return Results.lineage(rs).setName("lineage of " + rs.size() + " runs");
        }
        if (latency) {
            return Results.latency(rs).setName("latency of " + rs.size() + " runs (median per pass)");
        }
        Table t = summary ? Results.summary(rs) : Results.runs(rs);
        return t.setName(
                summary
                        ? "summary of " + rs.size() + " runs in "
                                + ctx.workbench().store().root()
                        : "runs in " + ctx.workbench().store().root());
    }

    static List<RunRecord> select(List<RunRecord> all, String experiment, String status, Integer last) {
        List<RunRecord> rs = all.stream()
                .filter(r -> experiment == null || experiment.equals(r.experiment()))
                .filter(r -> status == null || status.equals(r.status()))
                .toList();
        if (last != null && last < rs.size()) {
            rs = rs.subList(rs.size() - last, rs.size());
        }
        return rs;
    }
}
