package dev.distillery.loss;

import dev.distillery.spec.SpecException;
import java.util.Locale;

/**
 * Enums as specs, magics and records write them: the constant's name in lower case with dashes,
 * read back whatever the case.
 */
final class SpecLabels {

    private SpecLabels() {}

    /** {@code UNIFORM} → {@code uniform}, {@code L1_LOGSIG} → {@code l1-logsig}. */
    static String of(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The constant of {@code type} whose label is {@code text}; otherwise a {@link SpecException} with {@code error}. */
    static <E extends Enum<E>> E parse(Class<E> type, String text, String error) {
        String wanted = text == null ? "" : text.trim();
        for (E e : type.getEnumConstants()) {
            if (of(e).equalsIgnoreCase(wanted)) {
                return e;
            }
        }
        throw new SpecException(error);
    }
}
