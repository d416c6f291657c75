package dev.distillery.kernel.magics;

import dev.distillery.experiment.Experiment;
import picocli.CommandLine.Option;

/** What the magics that record runs do with runs an earlier cell left unfinished, and with checkpoints. */
final class RunArgs {

    @Option(
            names = "--fresh",
            description = "start every run over; by default a run interrupted earlier with the same spec, seed, "
                    + "data and teacher resumes from its last finished epoch, in its own record")
    boolean fresh;

    @Option(
            names = "--keep-checkpoints",
            description = "keep the last checkpoint of each completed run (by default it is deleted)")
    boolean keepCheckpoints;

    Experiment applyTo(Experiment e) {
        return e.fresh(fresh).keepCheckpoints(keepCheckpoints);
    }
}
