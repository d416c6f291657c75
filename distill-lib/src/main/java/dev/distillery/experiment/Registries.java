package dev.distillery.experiment;

import dev.distillery.data.DataSources;
import dev.distillery.data.Datasets;
import dev.distillery.loss.FeatureTerms;
import dev.distillery.loss.Losses;
import dev.distillery.loss.Projection;
import dev.distillery.registry.Registry;
import dev.distillery.teacher.PretrainedEncoders;
import java.util.ArrayList;
import java.util.List;

/**
 * The registries a user picks names from, with the headings help screens and the README give
 * them: logit losses, feature losses, projections, data sets and pretrained teachers.
 */
public final class Registries {

    /** One registry and how help and the README introduce it. */
    public record Section(String heading, Registry<?> registry) {}

    private Registries() {}

    public static List<Section> sections() {
        return List.of(
                new Section("Logit losses (--loss NAME:KEY=VALUE,…; loss: in a spec)", Losses.registry()),
                new Section(
                        "Feature losses (--feature TEACHER>STUDENT:LOSS; matches[].loss in a spec)",
                        FeatureTerms.registry()),
                new Section("Projections (proj=NAME in a feature term)", Projection.registry()),
                new Section("Data sets (--data NAME; data.dataset in a spec)", Datasets.registry()),
                new Section(
                        "Your own data (--data KIND:PATH,KEY=VALUE,…; %data NAME KIND:PATH…; data: in a spec)",
                        DataSources.registry()),
                new Section("Probes (probes[].type in a spec)", Probes.registry()),
                new Section("Pretrained teachers (%teacher NAME --pretrained NAME)", PretrainedEncoders.REGISTRY));
    }

    /** Every section as plain-text help lines, a blank line before each. */
    public static List<String> helpLines() {
        List<String> out = new ArrayList<>();
        for (Section s : sections()) {
            out.add("");
            out.addAll(s.registry().helpLines(s.heading() + ":"));
        }
        return out;
    }

    /** Every section as Markdown, for the README. */
    public static String markdown() {
        StringBuilder sb = new StringBuilder();
        for (Section s : sections()) {
            sb.append("**")
                    .append(s.heading())
                    .append("**\n\n")
                    .append(s.registry().markdown())
                    .append('\n');
        }
        return sb.toString().stripTrailing() + "\n";
    }
}
