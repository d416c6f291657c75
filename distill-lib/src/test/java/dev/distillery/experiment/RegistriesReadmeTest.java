package dev.distillery.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's lists of losses, projections, data sets and pretrained teachers are the registries' own. */
class RegistriesReadmeTest {

    private static final String BEGIN =
            "<!-- registries: generated from the registries; RegistriesReadmeTest checks it "
                    + "(-Dreadme.write=true rewrites it) -->\n";
    private static final String END = "<!-- registries: end -->";

    @Test
    void theReadmeListsWhatTheRegistriesHold() throws Exception {
        Path readme = Path.of("..", "README.md");
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        int a = text.indexOf(BEGIN);
        int b = text.indexOf(END);
        assertTrue(a >= 0 && b > a, "README.md has the registry markers");
        String want = "\n" + Registries.markdown() + "\n";
        if (Boolean.getBoolean("readme.write")) {
            text = text.substring(0, a + BEGIN.length()) + want + text.substring(b);
            Files.writeString(readme, text, StandardCharsets.UTF_8);
        }
        assertEquals(
                want,
                text.substring(a + BEGIN.length(), b),
                "README.md's lists differ from the registries; rerun this test with -Dreadme.write=true");
    }
}
