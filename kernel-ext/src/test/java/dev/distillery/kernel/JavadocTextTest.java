package dev.distillery.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Javadoc as a tooltip shows it: tags unwrapped, paragraphs kept, the first paragraph on its own. */
class JavadocTextTest {

    @Test
    void inlineTagsAndHtmlBecomePlainText() {
        String doc =
                " Returns the greater of two {@code int} values. That is, see {@link Math#min(int, int) the smaller}\n"
                        + " and {@link java.util.List}.\n <p>\n Ties &amp; zeros: {@literal a < b}.<ul><li>one</li></ul>\n";
        String plain = JavadocText.plain(doc);
        assertEquals(
                "Returns the greater of two int values. That is, see the smaller\nand java.util.List.\n\n"
                        + "Ties & zeros: a < b.\n• one",
                plain);
        assertEquals(
                "Returns the greater of two int values. That is, see the smaller\nand java.util.List.",
                JavadocText.firstParagraph(plain));
    }
}
