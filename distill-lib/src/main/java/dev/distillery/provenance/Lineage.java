package dev.distillery.provenance;

import java.util.List;

/**
 * Where a run's soft targets came from, so that a table of results can be traced back stage by
 * stage: the teachers with their weights, how the weights were chosen ({@code uniform},
 * {@code fixed} or {@code de}) and how the teachers were combined ({@code single}, or an
 * ensemble's {@code targets}, {@code losses} or {@code heads} mode); in a teacher-assistant chain,
 * the chain's name, this run's role and stage, and the runs it learned from.
 */
public record Lineage(
        String source,
        String mode,
        List<Member> teachers,
        String weighting,
        Search search,
        String chain,
        String role,
        Integer stage,
        Integer stages,
        List<String> parents,
        Long extraParameters) {

    /** One teacher: its name, id (hash of its weights), spec, size, weight, test accuracy, and the run that trained it. */
    public record Member(
            String name, String id, String spec, Long parameters, Double weight, Double testAccuracy, String run) {}

    /**
     * How ensemble weights were searched: the method, the fitness minimised on the validation split,
     * evaluations used, the seed, and the fitness and accuracy of uniform weights against the weights found.
     */
    public record Search(
            String method,
            String fitness,
            int evaluations,
            long seed,
            double uniformValue,
            double value,
            double uniformAccuracy,
            double accuracy) {}

    public Lineage {
        teachers = teachers == null ? List.of() : List.copyOf(teachers);
        parents = parents == null ? List.of() : List.copyOf(parents);
    }

    /** A single teacher. */
    public static Lineage single(Member teacher) {
        return new Lineage("teacher", "single", List.of(teacher), null, null, null, "student", null, null, null, null);
    }

    /** The same lineage as a stage of chain {@code chain}: {@code role} assistant or student, stage i of n, learned from {@code parents}. */
    public Lineage inChain(String chain, String role, int stage, int stages, List<String> parents) {
        return new Lineage(
                source, mode, teachers, weighting, search, chain, role, stage, stages, parents, extraParameters);
    }

    /** The same lineage with the teachers' producing runs filled in, in order. */
    public Lineage withRuns(List<String> runs) {
        List<Member> ms = new java.util.ArrayList<>();
        for (int i = 0; i < teachers.size(); i++) {
            Member m = teachers.get(i);
            String run = i < runs.size() && runs.get(i) != null ? runs.get(i) : m.run();
            ms.add(new Member(m.name(), m.id(), m.spec(), m.parameters(), m.weight(), m.testAccuracy(), run));
        }
        return new Lineage(source, mode, ms, weighting, search, chain, role, stage, stages, parents, extraParameters);
    }

    public Lineage withExtraParameters(Long extra) {
        return new Lineage(source, mode, teachers, weighting, search, chain, role, stage, stages, parents, extra);
    }

    /** A one-line account, e.g. {@code targets of cnn 0.62 + mlp 0.38 (de), student 3/3 of chain c}. */
    public String describe() {
        return chain == null
                ? describeSource()
                : describeSource() + String.format(", %s %d/%d of chain %s", role, stage, stages, chain);
    }

    /** What the soft targets came from, without the chain stage, e.g. {@code targets of cnn 0.62 + mlp 0.38 (de)}. */
    public String describeSource() {
        StringBuilder s = new StringBuilder();
        if ("single".equals(mode)) {
            s.append("from ").append(teachers.isEmpty() ? "?" : teachers.get(0).name());
        } else {
            s.append(mode).append(" of ");
            for (int i = 0; i < teachers.size(); i++) {
                Member m = teachers.get(i);
                s.append(i == 0 ? "" : " + ").append(m.name());
                if (m.weight() != null) {
                    s.append(String.format(" %.2f", m.weight()));
                }
            }
            if (weighting != null) {
                s.append(" (").append(weighting).append(")");
            }
        }
        return s.toString();
    }
}
