package dev.distillery.data;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * A data set of text: its rows are token ids, so it is loaded with the tokenizer of the pretrained
 * encoder that will read it (a spec's {@code teacher: {pretrained: NAME}}), at that encoder's length.
 */
public interface TextDataset extends Dataset {

    /**
     * The splits, tokenized by {@code tokenizer} and sized as {@code options} says; {@code dir}: the
     * corpus (null: its default); {@code log} hears of packages fetched.
     */
    Splits load(Path dir, TextTokenizer tokenizer, TextTasks.Options options, Consumer<String> log);

    /** The three tasks at once, built (or kept from the last build with the same tokenizer and options). */
    TextTasks tasks(Path dir, TextTokenizer tokenizer, TextTasks.Options options, Consumer<String> log);
}
