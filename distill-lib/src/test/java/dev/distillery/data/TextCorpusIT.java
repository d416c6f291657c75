package dev.distillery.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The npm text packages: fetched and checked, read from the tarballs, cleaned, split. */
class TextCorpusIT {

    static TextCorpus corpus() {
        return TextCorpus.open(TextCorpus.defaultDir(), System.out::println);
    }

    @Test
    void readsAllThreePackages() {
        TextCorpus c = corpus();
        assertEquals(136, c.mobyDick().size(), "135 chapters and the epilogue");
        assertEquals("Call me Ishmael.", c.mobyDick().get(0).sentences().get(0));
        assertEquals(233, c.sotu().size());
        assertEquals(1790, c.sotu().get(0).year());
        long dem = c.sotu().stream().filter(s -> s.party().equals("Democratic")).count();
        long rep = c.sotu().stream().filter(s -> s.party().equals("Republican")).count();
        assertEquals(List.of(90L, 92L), List.of(dem, rep));
        List<TextCorpus.Email> emails = c.spamAssassin();
        long spam = emails.stream().filter(TextCorpus.Email::spam).count();
        assertTrue(emails.size() > 5800 && spam > 1700 && spam < 1900, emails.size() + " emails, " + spam + " spam");
        for (TextCorpus.Email e : emails.subList(0, 200)) {
            assertFalse(
                    e.text().contains("Received: from")
                            || e.text().contains("<html")
                            || e.text().contains("=3D"),
                    "headers, HTML and escapes are cleaned away: " + e.text());
        }
    }

    @Test
    void sentencesEndAtPunctuationButNotAfterTitles() {
        assertEquals(
                List.of(
                        "Mr. Smith went to Washington.",
                        "He met Dr. Jones at 4 p.m. there!",
                        "Was it \"fine\"?",
                        "Yes."),
                TextCorpus.sentences(
                        "Mr. Smith went to Washington.  He met Dr. Jones at 4 p.m. there! Was it " + "\"fine\"? Yes."));
    }

    @Test
    void anEmailKeepsItsSubjectAndBodyText() {
        String raw =
                "From: a@b.c\nSubject: Cheap pills\nContent-Type: multipart/alternative; boundary=\"XX12345678\"\n\n"
                        + "--XX12345678\nContent-Type: text/html\nContent-Transfer-Encoding: quoted-printable\n\n"
                        + "<p>Buy <b>now</b> and sa=\nve&nbsp;big</p>\n> quoted reply line\nQUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xt\n"
                        + "--XX12345678--\n";
        assertEquals("Cheap pills. Buy now and save big", TextCorpus.cleanEmail(raw));
    }

    @Test
    void aCorruptTarballIsNamedWithTheFix(@TempDir Path dir) throws IOException {
        for (NpmPackage p : TextCorpus.PACKAGES) {
            Files.copy(TextCorpus.defaultDir().resolve(p.file()), dir.resolve(p.file()));
        }
        Files.write(dir.resolve(TextCorpus.SOTU.file()), new byte[] {1, 2, 3});
        DataUnavailableException e = assertThrows(DataUnavailableException.class, () -> TextCorpus.open(dir, s -> {}));
        assertTrue(
                e.getMessage().contains(TextCorpus.SOTU.file())
                        && e.getMessage().contains("corrupt")
                        && e.getMessage().contains("dataset fetch text"),
                e.getMessage());
    }

    @Test
    void addressesAreDealtToOneSplitOnlyAndTheSameSeedGivesTheSameIds() {
        int[] a = TextTasks.deal(233, new java.util.SplittableRandom(3));
        int[] counts = new int[3];
        for (int p : a) {
            counts[p]++;
        }
        assertEquals(List.of(187, 23, 23), List.of(counts[0], counts[1], counts[2]));
        assertTrue(java.util.Arrays.equals(a, TextTasks.deal(233, new java.util.SplittableRandom(3))));
    }

    /** Party passages: none of the test passages' addresses gave a training passage. */
    @Test
    void partyPassagesOfATestAddressNeverAppearInTraining() throws Exception {
        TextCorpus c = corpus();
        try (TextTokenizer tok = TextTokenizer.read(
                TextCorpusIT.class.getClassLoader().getResourceAsStream("bge-small-en-v1.5-tokenizer.json"),
                32,
                "bge-small-en-v1.5")) {
            TextTasks t = TextTasks.build(c, tok, TextTasks.Options.fast());
            java.util.Map<String, Set<String>> from = new java.util.HashMap<>();
            for (TextCorpus.Speech s : c.sotu()) {
                for (int j = 0; j + 1 < s.sentences().size(); j += 2) {
                    from.computeIfAbsent(
                                    s.sentences().get(j) + " " + s.sentences().get(j + 1), k -> new HashSet<>())
                            .add(s.year() + " " + s.president());
                }
            }
            Set<String> trainSpeeches = new HashSet<>();
            Set<String> testSpeeches = new HashSet<>();
            // a passage that two addresses share word for word (formulaic openings) says nothing about the split
            t.party().trainText().stream()
                    .map(from::get)
                    .filter(a -> a.size() == 1)
                    .forEach(trainSpeeches::addAll);
            t.party().testText().stream()
                    .map(from::get)
                    .filter(a -> a.size() == 1)
                    .forEach(testSpeeches::addAll);
            assertFalse(testSpeeches.isEmpty());
            testSpeeches.retainAll(trainSpeeches);
            assertTrue(testSpeeches.isEmpty(), "addresses in both splits: " + testSpeeches);
            // ids: [CLS] first, padding 0 after [SEP], the same for the same seed
            float[] row = t.spam().splits().train().features().getRow(0).toFloatVector();
            assertEquals(101f, row[0]);
            TextTasks again = TextTasks.build(c, tok, TextTasks.Options.fast());
            assertEquals(t.fingerprint(), again.fingerprint());
            assertTrue(t.sentences()
                    .splits()
                    .train()
                    .features()
                    .equals(again.sentences().splits().train().features()));
            assertEquals(2, t.spam().classes().size());
        }
    }
}
