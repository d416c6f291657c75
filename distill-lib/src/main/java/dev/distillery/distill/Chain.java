package dev.distillery.distill;

import dev.distillery.model.Budgets;
import dev.distillery.model.ModelSpec;
import dev.distillery.spec.SpecException;
import java.util.ArrayList;
import java.util.List;

/**
 * Teacher-assistant chains (TAKD): teacher → assistant 1 → … → student, each stage distilled from
 * the one before. Where the assistants' sizes are not given they are spaced geometrically between
 * the teacher's and the student's parameter counts, in the student's family.
 * {@code Experiment} runs a chain and records each stage linked to its parent.
 */
public final class Chain {

    private Chain() {}

    /**
     * {@code n} assistant specs shaped like {@code student}, assistant {@code i} (1-based) sized
     * {@code P_t^(1 − i/(n+1)) · P_s^(i/(n+1))} parameters: largest first.
     */
    public static List<ModelSpec> assistantSizes(long teacherParameters, ModelSpec student, int n) {
        if (n < 1) {
            throw new SpecException("a chain needs at least one assistant, got " + n);
        }
        long ps = student.parameterCount();
        if (teacherParameters <= ps) {
            throw new SpecException(String.format(
                    "the teacher (%,d parameters) is not larger than the student %s (%,d); "
                            + "assistants sit between them, so give their sizes explicitly",
                    teacherParameters, student.describe(), ps));
        }
        List<ModelSpec> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            double f = i / (double) (n + 1);
            long target = Math.round(Math.exp((1 - f) * Math.log(teacherParameters) + f * Math.log(ps)));
            out.add(Budgets.scaled(student, target));
        }
        return out;
    }
}
