package dev.distillery.cli;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillery.loss.FeatureLoss;
import dev.distillery.loss.FeatureTerms;
import dev.distillery.loss.Losses;
import dev.distillery.spec.SpecException;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code ./distillery run --help} lists what the registries hold, a newly registered feature loss included. */
class RunHelpTest {

    @Test
    void aRegisteredFeatureLossAppearsInRunHelpAndInTheUnknownNameError() {
        FeatureTerms.register(
                "twice-l1",
                "twice the mean absolute error",
                (s, t) -> FeatureTerms.get("l1").define(s, t).mul(2));
        String help = Main.commandLine().getSubcommands().get("run").getUsageMessage(CommandLine.Help.Ansi.OFF);
        assertTrue(help.contains("twice-l1") && help.contains("twice the mean absolute error"), help);
        for (String listed : List.of(
                "Logit losses",
                "hinton(T, alpha)",
                "Feature losses",
                "cka",
                "Projections",
                "mlp",
                "Data sets",
                "speech-commands-synth/voice",
                "Pretrained teachers",
                "all-minilm-l6-v2")) {
            assertTrue(help.contains(listed), listed + " missing from run --help:\n" + help);
        }
        SpecException e = assertThrows(SpecException.class, () -> FeatureTerms.get("twice-l2"));
        assertTrue(
                e.getMessage().contains("unknown feature loss 'twice-l2'")
                        && e.getMessage().contains("twice-l1"),
                e.getMessage());
        e = assertThrows(SpecException.class, () -> Losses.parse("hintn:T=2"));
        assertTrue(e.getMessage().contains("unknown loss 'hintn'; known: scratch, hinton, none"), e.getMessage());
        e = assertThrows(SpecException.class, () -> FeatureLoss.Match.parse("features:cka,proj=cubic"));
        assertTrue(
                e.getMessage().contains("unknown projection 'cubic'; known: auto, none, linear, mlp"), e.getMessage());
    }
}
