package dev.distillery.provenance;

import dev.distillery.backend.Versions;
import java.time.Instant;
import java.util.Map;

/**
 * Where a trained model came from: what trained it (objective, teacher), on which data
 * (fingerprint), with which seed and code, how well it did, and its {@link Lineage}. Saved inside every
 * model file.
 */
public record Provenance(
        String name,
        String role,
        String created,
        Long seed,
        String data,
        String dataFingerprint,
        String objective,
        String teacher,
        Integer epochs,
        Map<String, Double> metrics,
        Map<String, String> versions,
        Lineage lineage) {

    public static Provenance of(
            String name,
            String role,
            long seed,
            String data,
            String dataFingerprint,
            String objective,
            String teacher,
            int epochs,
            Map<String, Double> metrics) {
        return of(name, role, seed, data, dataFingerprint, objective, teacher, epochs, metrics, null);
    }

    /** As above, with the teachers (and weights, and chain stage) the model learned from. */
    public static Provenance of(
            String name,
            String role,
            long seed,
            String data,
            String dataFingerprint,
            String objective,
            String teacher,
            int epochs,
            Map<String, Double> metrics,
            Lineage lineage) {
        return new Provenance(
                name,
                role,
                Instant.now().toString(),
                seed,
                data,
                dataFingerprint,
                objective,
                teacher,
                epochs,
                Map.copyOf(metrics),
                Versions.all(),
                lineage);
    }
}
