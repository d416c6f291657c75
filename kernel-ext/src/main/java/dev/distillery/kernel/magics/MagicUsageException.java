package dev.distillery.kernel.magics;

/** A magic line that does not parse: what was wrong, then the magic's usage. */
public final class MagicUsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String usage;

    public MagicUsageException(String magic, String problem, String usage) {
        super(magic + ": " + problem);
        this.usage = usage;
    }

    public String usage() {
        return usage;
    }
}
