package dev.distillery.kernel;

import dev.distillery.kernel.magics.MagicCatalog;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.dflib.jjava.jupyter.kernel.ReplacementOptions;

/** Tab completion on a magic line: what {@link DistilleryKernel#complete} answers when the line starts with {@code %}. */
final class MagicCompletion {

    private MagicCompletion() {}

    /**
     * Candidates for the word before {@code at} on a magic line: magic names first, then a magic's
     * options, teacher names after {@code --from}, an option's values, and student names for
     * {@code %distill}.
     */
    static ReplacementOptions complete(
            String line, int at, MagicCatalog catalog, Iterable<String> lineMagics, Workbench workbench) {
        boolean cell = line.startsWith("%%");
        String[] tokens = line.split("\\s+", -1);
        String current = tokens[tokens.length - 1];
        int start = at - current.length();
        Set<String> out = new LinkedHashSet<>();
        if (tokens.length == 1) {
            for (MagicCatalog.Entry e : catalog.all()) {
                if (e.invocation().startsWith(current) && (cell || e.kind() == MagicCatalog.Kind.LINE)) {
                    out.add(e.invocation());
                }
            }
            for (String n : lineMagics) {
                if (("%" + n).startsWith(current)) out.add("%" + n);
            }
        } else {
            String name = tokens[0].replaceFirst("^%+", "");
            MagicCatalog.Entry e = cell ? catalog.cell(name) : catalog.line(name);
            if (e != null) {
                String previous = tokens[tokens.length - 2];
                List<String> pool = new ArrayList<>();
                if (current.startsWith("-")) {
                    pool.addAll(e.optionNames());
                } else if (previous.equals("--from")) {
                    pool.addAll(workbench.teacherNames());
                } else if (previous.startsWith("--")) {
                    pool.addAll(e.candidates(previous));
                } else if (tokens.length == 2) {
                    pool.addAll(e.candidates(null));
                    if (name.equals("distill")) pool.addAll(workbench.studentNames());
                }
                pool.stream().filter(s -> s.startsWith(current)).forEach(out::add);
            }
        }
        return out.isEmpty() ? null : new ReplacementOptions(new ArrayList<>(out), start, at);
    }
}
