package dev.distillery.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Predicate;

/**
 * The text corpus made into token-id data for sentence-embedding distillation, with one tokenizer
 * (the teacher's) at one length:
 * <ul>
 * <li>{@code sentences}: unlabelled sentences of the novel and the addresses (4–80 words) for
 *     stage 1; held out by chapter (every chapter ending in 0 is test, in 5 validation) and by address;
 * <li>{@code spam}: each email's subject and body, spam (1) or ham (0), split by message;
 * <li>{@code party}: passages of two consecutive sentences from the Democratic (0) and Republican
 *     (1) presidents' addresses, split by address, so a test passage comes from an address no training
 *     passage came from.
 * </ul>
 * Each split keeps its text beside its ids, for reading neighbours and errors.
 */
public record TextTasks(Task sentences, Task spam, Task party, String fingerprint, Options options) {

    /** One task: its splits and the text of every row. */
    public record Task(
            String name,
            Splits splits,
            List<String> trainText,
            List<String> validationText,
            List<String> testText,
            List<String> classes) {

        /** The share of the most common test label: what always guessing it scores. */
        public double majority() {
            int[] counts = new int[splits.test().numClasses()];
            for (int l : splits.test().labels()) {
                counts[l]++;
            }
            return Arrays.stream(counts).max().orElse(0)
                    / (double) Math.max(1, splits.test().size());
        }

        @Override
        public String toString() {
            return String.format(
                    "%s: %,d train / %,d validation / %,d test%s",
                    name,
                    splits.train().size(),
                    splits.validation().size(),
                    splits.test().size(),
                    classes.size() > 1
                            ? " · " + String.join(" vs ", classes)
                                    + String.format(" · majority %.1f%%", 100 * majority())
                            : "");
        }
    }

    /** Sizes (train / validation / test) of each task, the token length and the seed. */
    public record Options(int length, int[] sentences, int[] spam, int[] party, long seed) {

        /** The full set: 10,000 / 1,000 / 2,000 sentences; every email (80/10/10); 6,000 / 1,000 / 2,000 passages; 64 tokens. */
        public static Options full() {
            return new Options(
                    64,
                    new int[] {10000, 1000, 2000},
                    new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE},
                    new int[] {6000, 1000, 2000},
                    1);
        }

        /** A quick set for tests and fast modes: 3,000 / 200 / 300 sentences, 400 / 100 / 200 emails and passages, 32 tokens. */
        public static Options fast() {
            return new Options(32, new int[] {3000, 200, 300}, new int[] {400, 100, 200}, new int[] {400, 100, 200}, 1);
        }

        public Options withLength(int n) {
            return new Options(n, sentences, spam, party, seed);
        }

        public Options withSeed(long s) {
            return new Options(length, sentences, spam, party, s);
        }

        String describe() {
            return "length " + length + " sentences " + Arrays.toString(sentences) + " spam " + Arrays.toString(spam)
                    + " party " + Arrays.toString(party) + " seed " + seed;
        }
    }

    /** Builds the three tasks from {@code corpus} with {@code tokenizer} (truncating at {@code o.length()} tokens). */
    public static TextTasks build(TextCorpus corpus, TextTokenizer tokenizer, Options o) {
        SplittableRandom rng = new SplittableRandom(o.seed());
        // addresses dealt 80/10/10, the same deal for unlabelled sentences and for party passages
        List<TextCorpus.Speech> speeches = corpus.sotu();
        int[] speechPart = deal(speeches.size(), rng.split());
        List<List<String>> sent = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (TextCorpus.Chapter c : corpus.mobyDick()) {
            int part = c.number() % 10 == 0 ? 2 : c.number() % 10 == 5 ? 1 : 0;
            c.sentences().stream().filter(words(4, 80)).forEach(sent.get(part)::add);
        }
        for (int i = 0; i < speeches.size(); i++) {
            speeches.get(i).sentences().stream().filter(words(4, 80)).forEach(sent.get(speechPart[i])::add);
        }
        List<List<Integer>> none = List.of(zeros(sent.get(0)), zeros(sent.get(1)), zeros(sent.get(2)));
        String base = corpus.sha256() + "|" + tokenizer.source() + "|" + o.describe();
        Task sentences =
                task("sentences", sent, none, List.of("sentence"), o.sentences(), tokenizer, o, base, rng.split());

        List<TextCorpus.Email> emails = corpus.spamAssassin();
        int[] emailPart = deal(emails.size(), rng.split());
        List<List<String>> et = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        List<List<Integer>> el = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (int i = 0; i < emails.size(); i++) {
            et.get(emailPart[i]).add(emails.get(i).text());
            el.get(emailPart[i]).add(emails.get(i).spam() ? 1 : 0);
        }
        Task spam = task("spam", et, el, List.of("ham", "spam"), o.spam(), tokenizer, o, base, rng.split());

        List<List<String>> pt = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        List<List<Integer>> pl = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        for (int i = 0; i < speeches.size(); i++) {
            TextCorpus.Speech sp = speeches.get(i);
            int label = sp.party().equals("Democratic") ? 0 : sp.party().equals("Republican") ? 1 : -1;
            if (label < 0) {
                continue;
            }
            List<String> ss = sp.sentences();
            for (int j = 0; j + 1 < ss.size(); j += 2) {
                pt.get(speechPart[i]).add(ss.get(j) + " " + ss.get(j + 1));
                pl.get(speechPart[i]).add(label);
            }
        }
        Task party =
                task("party", pt, pl, List.of("Democratic", "Republican"), o.party(), tokenizer, o, base, rng.split());
        return new TextTasks(sentences, spam, party, DataLocator.sha256(base), o);
    }

    private static Predicate<String> words(int min, int max) {
        return s -> {
            int n = s.split(" ").length;
            return n >= min && n <= max;
        };
    }

    private static List<Integer> zeros(List<String> l) {
        return new ArrayList<>(java.util.Collections.nCopies(l.size(), 0));
    }

    /** Items dealt to parts 0 (80%), 1 (10%) and 2 (10%) by a seeded shuffle. */
    static int[] deal(int n, SplittableRandom rng) {
        int[] perm = LabeledData.permutation(n, rng);
        int[] part = new int[n];
        int val = Math.max(1, n / 10);
        for (int i = 0; i < n; i++) {
            part[perm[i]] = i < val ? 1 : i < 2 * val ? 2 : 0;
        }
        return part;
    }

    private static Task task(
            String name,
            List<List<String>> text,
            List<List<Integer>> labels,
            List<String> classes,
            int[] sizes,
            TextTokenizer tok,
            Options o,
            String base,
            SplittableRandom rng) {
        LabeledData[] parts = new LabeledData[3];
        List<List<String>> kept = new ArrayList<>();
        String[] what = {"train", "validation", "test"};
        for (int p = 0; p < 3; p++) {
            List<String> t = text.get(p);
            int[] order = LabeledData.permutation(t.size(), rng.split());
            int n = Math.min(sizes[p], t.size());
            int[] rows = Arrays.copyOf(order, n);
            Arrays.sort(rows);
            List<String> chosen = new ArrayList<>(n);
            int[] y = new int[n];
            for (int i = 0; i < n; i++) {
                chosen.add(t.get(rows[i]));
                y[i] = labels.get(p).get(rows[i]);
            }
            parts[p] = new LabeledData(
                    name + "-" + what[p],
                    tok.ids(chosen, o.length()),
                    y,
                    classes.size(),
                    DataLocator.sha256(base + "|" + name + "|" + what[p]));
            kept.add(List.copyOf(chosen));
        }
        return new Task(name, new Splits(parts[0], parts[1], parts[2]), kept.get(0), kept.get(1), kept.get(2), classes);
    }

    @Override
    public String toString() {
        return "text tasks (" + options.length() + " tokens)\n  " + sentences + "\n  " + spam + "\n  " + party;
    }
}
