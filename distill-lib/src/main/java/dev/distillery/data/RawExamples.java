package dev.distillery.data;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Examples as read from a user's files, before they are split and scaled: features {@code [N, D]},
 * each row's label as written in the files (a class folder's name, a CSV cell, a number; null when
 * the rows are unlabelled), each clip's waveform for audio, the image shape for images, and the file
 * each row came from.
 */
record RawExamples(
        INDArray features, List<String> labels, INDArray waveforms, String imageShape, List<String> origins) {

    int size() {
        return features.rows();
    }

    boolean labelled() {
        return labels != null;
    }
}
