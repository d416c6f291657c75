package dev.distillery.kernel.magics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every example in every magic's help is shown on one line, as written: a copied example runs. */
class MagicHelpExamplesTest {

    @Test
    void noExampleIsWrappedInsideACommand() {
        List<String> broken = new ArrayList<>();
        int examples = 0;
        for (MagicCatalog.Entry e : MagicCatalog.kernel().all()) {
            String usage = e.usage();
            for (String line : new CommandLine(e.newMagic())
                    .getCommandSpec()
                    .usageMessage()
                    .footer()) {
                String example = line.replace("%%", "%").strip();
                if (example.startsWith("%")) {
                    examples++;
                    if (usage.lines().map(String::strip).noneMatch(example::equals)) {
                        broken.add(e.name() + ": " + example);
                    }
                }
            }
        }
        assertTrue(examples > 40, "the help screens' examples were found: " + examples);
        assertTrue(broken.isEmpty(), "examples wrapped across lines:\n" + String.join("\n", broken));
    }

    /** A lone % in a description (%data, not %%data) makes picocli warn and print the text unformatted. */
    @Test
    void everyDescriptionFormats() {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            for (MagicCatalog.Entry e : MagicCatalog.kernel().all()) {
                new CommandLine(e.newMagic()).getUsageMessage();
            }
        } finally {
            System.setErr(saved);
        }
        String warnings = err.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(!warnings.contains("Could not format"), "help text picocli could not format:\n" + warnings);
    }
}
