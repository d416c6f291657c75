package dev.distillery.kernel;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Javadoc as a person reads it in a tooltip: inline tags unwrapped, HTML turned into plain lines. */
final class JavadocText {

    private static final Pattern INLINE = Pattern.compile("\\{@(?:code|literal|link|linkplain|value)\\s+([^{}]*)}");

    private static final char LT = '\u0001';
    private static final char GT = '\u0002';

    private JavadocText() {}

    /**
     * {@code {@code x}} and {@code {@link A#b}} as {@code x} and {@code A.b}; paragraphs as blank lines,
     * list items as bullets, other tags dropped, entities decoded, runs of blank lines folded.
     */
    static String plain(String javadoc) {
        String s = javadoc;
        Matcher m = INLINE.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String body = m.group(1).strip();
            // {@link Type#member(args) label} shows its label; without one, the reference
            int depth = 0;
            int split = -1;
            for (int i = 0; i < body.length() && split < 0; i++) {
                char c = body.charAt(i);
                depth += c == '(' ? 1 : c == ')' ? -1 : 0;
                if (depth == 0 && Character.isWhitespace(c)) {
                    split = i;
                }
            }
            String shown = m.group().startsWith("{@link")
                    ? (split > 0
                            ? body.substring(split + 1).strip()
                            : body.replace('#', '.').replaceAll("^\\.", ""))
                    : body;
            // code may hold < and >, which are not tags: kept aside until the HTML is gone
            m.appendReplacement(
                    out, Matcher.quoteReplacement(shown.replace('<', LT).replace('>', GT)));
        }
        m.appendTail(out);
        s = out.toString()
                .replaceAll("(?i)<p>|</p>|<br\\s*/?>", "\n\n")
                .replaceAll("(?i)<li>", "\n  • ")
                .replaceAll("<[^>]+>", "")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&")
                .replace("&nbsp;", " ")
                .replace(LT, '<')
                .replace(GT, '>');
        return s.lines()
                .map(String::strip)
                .reduce((a, b) -> a + "\n" + b)
                .orElse("")
                .replaceAll("\n{3,}", "\n\n")
                .strip();
    }

    /** The first paragraph of {@link #plain} text: what a tooltip shows before it is expanded. */
    static String firstParagraph(String plain) {
        int end = plain.indexOf("\n\n");
        return end < 0 ? plain : plain.substring(0, end);
    }
}
